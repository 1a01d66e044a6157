"""The per-warehouse pseudonym key and the keyed pseudonyms made with it.

A pseudonym is ``[人员`` + 12 base32 characters + ``]``: the first 60 bits of HMAC-SHA256(key, name).
Without the key nobody can confirm a guess (an unsalted hash of 王强 is one line of code away), and the
key never leaves the machine: it lives in ``<warehouse>.pseudonym-key`` beside the warehouse (mode 0600,
ignored by git through ``warehouse.duckdb.*``), never in the warehouse, an export or a report.
The same key gives the same pseudonym in every export and chart of that warehouse; another key
(another warehouse, or a deleted key file) gives unrelated ones.

Collisions: for n distinct names and b = 60 bits the chance that two share a pseudonym is at most
n(n-1)/2 / 2^b (the birthday bound); at n = 100,000 that is 5·10⁹ / 1.15·10¹⁸ ≈ 4·10⁻⁹. (Four hex
digits, the old format, collide with probability 1/2 at 300 names.)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import unicodedata
from pathlib import Path

from analysis.warehouse.db import WarehouseError

KEY_BYTES = 32
PSEUDONYM_CHARS = 12  # base32 characters: 5 bits each, 60 bits
PREFIX, SUFFIX = "[人员", "]"
_DOMAIN = b"analysis.person-name\x00"  # keeps these digests apart from any other use of the key


class PseudonymKeyError(WarehouseError):
    """The key file cannot be read or created; the message says what to do (the command line prints it)."""


def key_path(db: str | Path) -> Path:
    """Where the pseudonym key of warehouse *db* lives: ``<db>.pseudonym-key`` beside it."""
    db = Path(db)
    return db.with_name(db.name + ".pseudonym-key")


def _read(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise PseudonymKeyError(f"{path} is not a readable pseudonym key ({e}); restore it from a backup, or "
                                "delete it to start new pseudonyms (every earlier pseudonym changes)") from e
    if len(key) != KEY_BYTES:
        raise PseudonymKeyError(f"{path} holds {len(key)} bytes, not {KEY_BYTES}; restore it or delete it "
                                "(every earlier pseudonym changes)")
    return key


def load_or_create_key(path: str | Path) -> bytes:
    """The key in *path*; on first use a new random one, written with mode 0600.

    Creation is atomic: the key is written to a private temporary file and linked into place, so two
    processes starting at once end up with the same key and nobody reads a half-written file.
    """
    path = Path(path)
    if path.exists():
        return _read(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise PseudonymKeyError(f"cannot create the pseudonym key {path} ({e.strerror}); pseudonyms need a "
                                "writable folder beside the warehouse") from e
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            os.fchmod(fh.fileno(), stat.S_IRUSR | stat.S_IWUSR)
            fh.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return _read(path)


def canonical(name: str) -> str:
    """The form of a name that is hashed: NFKC, no whitespace (王 秀 敏 in a token list is 王秀敏)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def pseudonym(name: str, key: bytes) -> str:
    """The pseudonym of *name* under *key*, e.g. ``[人员K7Q2M4XC9RTA]``."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a pseudonym key has {KEY_BYTES} bytes")
    digest = hmac.new(key, _DOMAIN + canonical(name).encode("utf-8"), hashlib.sha256).digest()
    return PREFIX + base64.b32encode(digest).decode("ascii")[:PSEUDONYM_CHARS] + SUFFIX
