"""Replace the person names of texts and tables by keyed pseudonyms.

:class:`Pseudonymizer` holds a warehouse's key and the names found once in its corpus (documents'
``text``, ``raw_text`` and the manifest's ``notes``). A text is treated in two passes: the names the
finder reads in it, in context; then every other occurrence of a corpus name, so a name reaches no
output by way of a column that lost its context (a measure's text, a token, a keyness row…). Only
names unknown to the dictionary, or rare dictionary names (刘建国), are replaced out of context: a
corpus name that is also a word (高峰, 王府井) is replaced only where the finder read it as a name. An
occurrence out of context is skipped when the tagger reads a word across its edge (扩张明显 holds 张明,
国王强调 holds 王强).

Frames: every string column is treated (each distinct value once); a token stream (a frame with
``token`` and ``position`` columns, like the ``tokens`` table, where 王|秀|敏 is three rows) has each run
of tokens that spells a corpus name replaced: the pseudonym in the first token, the rest emptied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis.outputs.privacy.finder import TAGGER, Hit, find_hits, trim_tagger_hits, word_aligned
from analysis.outputs.privacy.keys import canonical, key_path, load_or_create_key, pseudonym
from analysis.outputs.privacy.vocabulary import Status, status

CORPUS_COLUMNS = ("text", "raw_text", "notes")  # the free text of documents: the notice and the manifest
TOKEN_KEYS = ("doc_id", "unit_kind", "unit_no")  # a token stream's unit, when the frame has these columns


CACHE_SIZE = 200_000  # short values remembered (tokens, headings, places repeat across rows and columns)


def _out_of_context(name: str) -> bool:
    """Whether an occurrence of *name* without context is taken as the name (not a dictionary word)."""
    return status(name) in (Status.NEW, Status.NAME)


def names_regex(names: Iterable[str]) -> re.Pattern | None:
    """One regex for all *names*, as a trie (王(?:\\s?秀\\s?敏|\\s?强)…) behind a check of the first character,
    so a text is scanned once whatever the number of names; the longest name wins, and a single space
    may stand between two characters (王 秀 敏 in a token list)."""
    trie: dict = {}
    for n in names:
        node = trie
        for ch in n:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alts = []
        for ch, child in sorted(node.items()):
            if not ch:
                continue
            rest = branch(child)
            if not rest:
                alts.append(re.escape(ch))
            else:
                alts.append(re.escape(ch) + (rf"(?:\s?{rest})?" if "" in child else rf"\s?{rest}"))
        if len(alts) <= 1:
            return "".join(alts)
        return "(?:" + "|".join(alts) + ")"

    if not trie:
        return None
    first = "".join(sorted(trie))
    return re.compile(f"(?=[{re.escape(first)}]){branch(trie)}")


def database_path(con: duckdb.DuckDBPyConnection) -> Path:
    """The file of the connection's current database (the warehouse); an in-memory one has none."""
    row = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    if not row or not row[0] or row[0] == ":memory:":
        raise ValueError("pseudonyms need the warehouse file (its key lives beside it); this connection is "
                         "to an in-memory database")
    return Path(row[0])


def corpus_texts(con: duckdb.DuckDBPyConnection) -> Iterable[str]:
    """The free text of every document: the notice as stored and as read, and the manifest's notes."""
    have = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = 'documents' "
        "and table_schema = 'main'").fetchall()}
    cols = [c for c in CORPUS_COLUMNS if c in have]
    if not cols:
        return
    cur = con.cursor()  # its own cursor: the caller may query *con* while the texts are read
    try:
        cur.execute(f"select {', '.join(cols)} from documents")
        while rows := cur.fetchmany(500):  # a batch at a time: the whole corpus need not fit in memory
            for row in rows:
                yield from (v for v in row if isinstance(v, str) and v)
    finally:
        cur.close()


class Pseudonymizer:
    """Keyed pseudonyms for the person names of one corpus (see the module docstring)."""

    def __init__(self, key: bytes, texts: Iterable[str] = ()) -> None:
        self.key = key
        strong: set[str] = set()
        proposed: set[str] = set()  # names only the tagger proposed
        for t in texts:
            for h in find_hits(t):
                (proposed if h.level == TAGGER else strong).add(h.name)
        names = strong | {h.name for h in trim_tagger_hits([Hit(0, len(n), n, TAGGER) for n in proposed], strong)}
        self.names = frozenset(names)
        self._rx = names_regex(n for n in names if _out_of_context(n))
        self._cache: dict[str, str] = {}

    @classmethod
    def for_warehouse(cls, db: str | Path, con: duckdb.DuckDBPyConnection | None = None) -> Pseudonymizer:
        """The key beside warehouse *db* (created on first use) and the names of its corpus, read
        through *con* (a read-only connection is opened when None)."""
        key = load_or_create_key(key_path(db))
        if con is not None:
            return cls(key, corpus_texts(con))
        own = duckdb.connect(str(db), read_only=True)
        try:
            return cls(key, corpus_texts(own))
        finally:
            own.close()

    @classmethod
    def for_connection(cls, con: duckdb.DuckDBPyConnection) -> Pseudonymizer:
        """:meth:`for_warehouse` for the warehouse *con* is connected to."""
        return cls.for_warehouse(database_path(con), con)

    def pseudonym(self, name: str) -> str:
        """The pseudonym of *name* under this warehouse's key."""
        return pseudonym(name, self.key)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of every name to replace in *text*: those read in context, then other
        occurrences of corpus names that overlap none of them and no word."""
        found = [(h.start, h.end, h.name) for h in trim_tagger_hits(find_hits(text), self.names)]
        if self._rx is None:
            return found
        used = bytearray(len(text))
        for s, e, _ in found:
            used[s:e] = b"\x01" * (e - s)
        for m in self._rx.finditer(text):
            a, b = m.span()
            if not any(used[a:b]) and word_aligned(text, a, b):
                found.append((a, b, canonical(m.group())))
        return sorted(found)

    def text(self, text: str) -> str:
        """*text* with every person name replaced by its pseudonym (non-strings returned as they are)."""
        if not isinstance(text, str) or not text:
            return text
        if (done := self._cache.get(text)) is not None:
            return done
        out, last = [], 0
        for a, b, name in self.spans(text):
            out += [text[last:a], self.pseudonym(name)]
            last = b
        done = "".join(out) + text[last:]
        if len(text) < 2000:  # short values repeat (tokens, headings); notices do not
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = done
        return done

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of *df* with every string column pseudonymized (also strings inside list values, such as
        a list of terms), and token runs that spell a name."""
        out = df.copy()
        for c in out.columns:
            col = out[c]
            if col.dtype == object or str(col.dtype).startswith("string"):
                done = {v: self.text(v) for v in {v for v in col if isinstance(v, str)}}
                nested = any(isinstance(v, (list, tuple, dict, np.ndarray)) for v in col)
                if nested or any(k != v for k, v in done.items()):
                    out[c] = col.map(lambda v, done=done: self._value(v, done))
        if {"token", "position"} <= set(out.columns) and self._rx is not None:
            out = self._token_runs(out)
        return out

    def _value(self, v: object, done: dict[str, str]) -> object:
        """One cell: a string from *done* (or treated now), a list or struct with its strings treated, else
        the value as it is."""
        if isinstance(v, str):
            return done[v] if v in done else self.text(v)
        if isinstance(v, dict):
            return {k: self._value(x, done) for k, x in v.items()}
        if isinstance(v, np.ndarray):
            return np.array([self._value(x, done) for x in v], dtype=object)
        if isinstance(v, (list, tuple)):
            return type(v)(self._value(x, done) for x in v)
        return v

    def _token_runs(self, df: pd.DataFrame) -> pd.DataFrame:
        """Replace the runs of consecutive tokens (one unit, in position order) that spell a corpus name:
        the first token becomes the pseudonym, the others become empty."""
        keys = [k for k in TOKEN_KEYS if k in df.columns]
        unit = df.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() if keys else np.zeros(len(df), int)
        order = np.lexsort((df["position"].to_numpy(), unit))
        values = df["token"].to_numpy(dtype=object)
        tokens = [v if isinstance(v, str) else "" for v in values]
        new = values.copy()
        for rows in np.split(order, np.flatnonzero(np.diff(unit[order])) + 1):
            joined = "".join(tokens[i] for i in rows)
            if self._rx.search(joined) is None:
                continue
            starts = np.cumsum([0] + [len(tokens[i]) for i in rows])  # character offset of each token
            for m in self._rx.finditer(joined):
                first, last = np.searchsorted(starts, [m.start(), m.end()])
                if starts[first] != m.start() or starts[last] != m.end():
                    continue  # the name is part of a longer token: the cell pass has replaced it there
                new[rows[first]] = self.pseudonym(canonical(m.group()))
                for k in range(first + 1, last):
                    new[rows[k]] = ""
        out = df.copy()
        out["token"] = pd.Series(new, index=df.index, dtype=df["token"].dtype)
        return out
