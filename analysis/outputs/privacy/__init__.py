"""Person names in notices, and keyed pseudonyms for exports and charts (``--pseudonymize``).

Notices name individuals: officials disciplined (对李某进行诫勉谈话), leaders who chaired a meeting
(王某同志主持会议). The warehouse keeps the originals; ``analysis export --pseudonymize`` and
``analysis report --pseudonymize`` replace each name by a pseudonym such as ``[人员K7Q2M4XC9RTA]``,
the same for the same name everywhere in one warehouse's outputs.

- :mod:`.finder` reads the names where the genre puts them (discipline slots, lists, titles, posts,
  the tagger's names), with the vocabulary of ``data/person_name_cues.csv`` and ``data/surnames.txt``;
- :mod:`.keys` keeps the per-warehouse secret key beside the warehouse (``<db>.pseudonym-key``, mode
  0600, never exported) and makes the keyed pseudonyms (HMAC-SHA256; no unkeyed fallback);
- :mod:`.pseudonymizer` replaces names in texts and in every string column of a frame.

Use: ``p = Pseudonymizer.for_warehouse(db, con)`` once (it loads or creates the key and reads the
corpus's names), then ``p.text(s)`` and ``p.frame(df)``; :func:`for_connection` caches one per warehouse
for readers that only hold a connection (the notebooks).
"""

from __future__ import annotations

import duckdb

from analysis.outputs.privacy.finder import find_person_names
from analysis.outputs.privacy.keys import PseudonymKeyError, key_path, load_or_create_key, pseudonym
from analysis.outputs.privacy.pseudonymizer import Pseudonymizer, database_path

__all__ = ["Pseudonymizer", "PseudonymKeyError", "find_person_names", "for_connection",
           "key_path", "load_or_create_key", "pseudonym"]

_BY_WAREHOUSE: dict[tuple[str, int], Pseudonymizer] = {}


def for_connection(con: duckdb.DuckDBPyConnection) -> Pseudonymizer:
    """The pseudonymizer of the warehouse *con* is connected to, built once per warehouse file
    (a rebuilt warehouse, with a new modification time, gets a new one)."""
    path = database_path(con)
    stamp = (str(path.resolve()), path.stat().st_mtime_ns)
    if stamp not in _BY_WAREHOUSE:
        _BY_WAREHOUSE.clear()
        _BY_WAREHOUSE[stamp] = Pseudonymizer.for_warehouse(path, con)
    return _BY_WAREHOUSE[stamp]

