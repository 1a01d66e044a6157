"""The corpus folder on disk: which files it holds, under which names, and reading one safely.

:func:`walk_corpus` lists every file under the corpus root and, for ``load_issues``, every entry
it will not read and why. The rules:

- read: regular files, and links to regular files inside the corpus folder;
- skipped without a word: hidden files and folders (a name starting with ``.``: ``.git``,
  ``.DS_Store``, macOS ``._`` files), Office lock files (``~$notice.docx``, left while a document
  is open), ``Thumbs.db``, ``ehthumbs.db`` and ``desktop.ini`` (:data:`SKIPPED_NAMES`), and the
  root's ``manifest.csv`` (read by :mod:`analysis.ingest.manifest`); none of these is a notice;
- listed, not read: broken links, link loops, links to anything outside the corpus folder (never
  followed, so nothing outside the corpus is read), links to folders (never followed: no loop,
  and a folder inside the corpus is read once, under its own path), named pipes, sockets and
  devices (never opened: a pipe would block the build, a device never end), folders that cannot
  be listed (permissions), paths too long for the system to open, and entries that cannot be
  examined.

Names are stored as they are, except bytes that are not UTF-8 (a zip made on a Chinese Windows
machine, unpacked on Linux, gives GBK names): :func:`readable_name` writes them as ``\\xNN``
escapes, so the name can be printed and stored; the document gets a warning with the name's
GB18030 reading.

:func:`read_regular_file` is the only way ingest opens a corpus file: regular files inside the
corpus only, never past a size limit, and never a file that changed while it was read.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from analysis.ingest.errors import IngestError, too_large

MANIFEST_NAME = "manifest.csv"
SKIPPED_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini"})  # compared in lower case
OFFICE_LOCK_PREFIX = "~$"
DEFAULT_PATH_MAX = 4096  # Linux; os.pathconf says what the corpus's file system allows


@dataclass
class CorpusListing:
    """What :func:`walk_corpus` found: the files to read and the entries it will not read."""

    files: list[Path] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)  # load_issues rows: source_file, severity, reason, doc_id


# ---------------------------------------------------------------- names

def readable_name(name: str) -> str:
    """``name`` with its bytes that are not UTF-8 written as ``\\xNN`` (printable, storable)."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from the file system
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def source_name(path: Path, corpus_root: Path) -> str:
    """The name a corpus file is stored under: its path relative to the root, ``/``-separated."""
    return readable_name(path.relative_to(corpus_root).as_posix())


def name_warning(path: Path, corpus_root: Path) -> str | None:
    """A warning for a file name that is not UTF-8 (stored escaped), else None."""
    rel = path.relative_to(corpus_root).as_posix()
    shown = readable_name(rel)
    if shown == rel:
        return None
    warning = f"file name is not valid UTF-8; stored as '{shown}'"
    try:
        warning += f" (its bytes read as GB18030: '{rel.encode('utf-8', 'surrogateescape').decode('gb18030')}')"
    except (UnicodeDecodeError, UnicodeEncodeError):
        pass
    return warning + "; rename the file to store its real name"


def is_skipped_name(name: str) -> bool:
    """Hidden files and folders, Office lock files and OS thumbnails: never notices, never listed."""
    return name.startswith(".") or name.startswith(OFFICE_LOCK_PREFIX) or name.lower() in SKIPPED_NAMES


# ---------------------------------------------------------------- the walk

def walk_corpus(corpus_root: Path) -> CorpusListing:
    """Every file to read under ``corpus_root`` (sorted) and a load_issues row for each entry not read."""
    root = Path(corpus_root)
    real_root = os.path.realpath(root)
    try:
        path_max = os.pathconf(root, "PC_PATH_MAX")
    except (OSError, ValueError):
        path_max = DEFAULT_PATH_MAX
    out = CorpusListing()
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = _entries(folder)
        except OSError as e:
            if not (isinstance(e, FileNotFoundError) and folder != root):  # else removed meanwhile: gone
                _issue(out, _folder_name(folder, root), "error",
                       f"folder cannot be listed ({_os_reason(e)}); its files are not loaded")
            continue
        for entry in entries:
            path = folder / entry.name
            if is_skipped_name(entry.name) or (folder == root and entry.name == MANIFEST_NAME
                                                and not _is_real_folder(entry)):
                continue
            n_bytes = len(os.fsencode(entry.path))
            if n_bytes >= path_max:
                kind, severity, reason = "issue", "error", (f"path too long to open ({n_bytes:,} bytes; "
                                                            f"the file system allows {path_max - 1:,})")
            else:
                kind, severity, reason = _classify(entry, real_root)
            if kind == "folder":
                folders.append(path)
            elif kind == "file":
                out.files.append(path)
            elif kind == "issue":
                _issue(out, source_name(path, root) + ("/" if _is_real_folder(entry) else ""), severity, reason)
    out.files.sort()
    out.issues.sort(key=lambda r: r["source_file"])
    return out


def _entries(folder: Path) -> list[os.DirEntry]:
    """The entries of one folder, by name (a function of its own so tests can make it fail)."""
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


def _issue(out: CorpusListing, source_file: str, severity: str, reason: str) -> None:
    out.issues.append({"source_file": source_file, "severity": severity, "reason": reason, "doc_id": None})


def _folder_name(folder: Path, root: Path) -> str:
    return "./" if folder == root else source_name(folder, root) + "/"


def _is_real_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _classify(entry: os.DirEntry, real_root: str) -> tuple[str, str, str]:
    """(kind, severity, reason): kind is folder, file, skip (vanished meanwhile) or issue."""
    try:
        if entry.is_symlink():
            return _classify_link(entry.path, real_root)
        if entry.is_dir(follow_symlinks=False):
            return "folder", "", ""
        if entry.is_file(follow_symlinks=False):
            return "file", "", ""
        mode = entry.stat(follow_symlinks=False).st_mode
    except FileNotFoundError:  # removed while the folder was listed: no longer part of the corpus
        return "skip", "", ""
    except OSError as e:
        return "issue", "error", f"cannot be examined ({_os_reason(e)})"
    return "issue", "error", f"{special_kind(mode)}, not a regular file; not opened"


def _classify_link(path: str, real_root: str) -> tuple[str, str, str]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "issue", "error", "broken symbolic link (its target does not exist)"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "issue", "error", "symbolic link loop (it leads back to itself); not followed"
        return "issue", "error", f"symbolic link cannot be followed ({_os_reason(e)})"
    target = os.path.realpath(path)
    inside = is_inside(target, real_root)
    if stat.S_ISDIR(st.st_mode):
        if not inside:
            return "issue", "error", "symbolic link to a folder outside the corpus folder; not followed"
        shown = readable_name(os.path.relpath(target, real_root).replace(os.sep, "/"))
        return "issue", "duplicate", (f"symbolic link to the folder {shown}/ of the corpus; not followed "
                                      "(links to folders are never followed: its files are read under their own path)")
    if not inside:
        return "issue", "error", "symbolic link to a file outside the corpus folder; not followed"
    if not stat.S_ISREG(st.st_mode):
        return "issue", "error", f"symbolic link to a {special_kind(st.st_mode)}, not a regular file; not opened"
    return "file", "", ""


def is_inside(real_path: str, real_root: str) -> bool:
    """Whether the resolved ``real_path`` is ``real_root`` or below it."""
    try:
        return os.path.commonpath([real_path, real_root]) == real_root
    except ValueError:  # different drives (Windows)
        return False


def special_kind(mode: int) -> str:
    """What a file that is not a regular file or a folder is, in words."""
    for test, name in ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symbolic link loop"
    return e.strerror or str(e)


# ---------------------------------------------------------------- reading one file

def read_regular_file(path: Path, corpus_root: Path, limit_name: str, hint: str = "") -> bytes:
    """The bytes of the regular file ``path`` inside the corpus; IngestError with the reason otherwise.

    Links are followed only to a regular file inside the corpus; anything else (a folder, a pipe,
    a device, a socket) is refused unopened, and so is a file over the limit ``limit_name`` (the
    message ends with ``hint``). A file that changes while it is read (a torn read) is refused:
    the next build reads it whole.
    """
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except FileNotFoundError as e:
        reason = "broken symbolic link (its target does not exist)" if os.path.islink(path) else \
            "file vanished before it could be read"
        raise IngestError(reason) from e
    except OSError as e:
        raise IngestError(f"cannot read file: {_os_reason(e)}") from e
    except ValueError as e:  # a NUL character in the name
        raise IngestError(f"not a usable file name ({e})") from e
    if not is_inside(real, os.path.realpath(corpus_root)):
        raise IngestError("symbolic link to a file outside the corpus folder; not followed")
    _check_regular(st.st_mode)
    refusal = too_large(st.st_size, limit_name)
    if refusal:
        raise IngestError(refusal + hint)
    try:
        fd = _open_nonblocking(real)
    except FileNotFoundError as e:
        raise IngestError("file vanished before it could be read") from e
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENXIO):  # replaced by a link or a socket since the stat
            raise IngestError("file changed while it was being read; not loaded (build again)") from e
        raise IngestError(f"cannot read file: {_os_reason(e)}") from e
    try:
        with os.fdopen(fd, "rb") as fh:
            before = os.fstat(fh.fileno())
            _check_regular(before.st_mode)
            data = _read_all(fh, st.st_size)
            after = os.fstat(fh.fileno())
    except OSError as e:
        raise IngestError(f"cannot read file: {_os_reason(e)}") from e
    if (before.st_dev, before.st_ino) != (st.st_dev, st.st_ino) or len(data) != before.st_size or \
            (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise IngestError("file changed while it was being read; not loaded (build again)")
    return data


def _check_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IngestError("a folder, not a file")
    if not stat.S_ISREG(mode):
        raise IngestError(f"{special_kind(mode)}, not a regular file; not opened")


def _open_nonblocking(real: str) -> int:
    """Open for reading without blocking (a pipe put in a file's place) or following a last link."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(real, flags)


def _read_all(fh: BinaryIO, size: int) -> bytes:
    """The file's bytes; at most one byte more than its size at the stat (a growing file is caught)."""
    return fh.read(size + 1)
