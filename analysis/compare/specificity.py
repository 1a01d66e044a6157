"""Specificity of rectification measures: concrete markers against generic intensifiers.

Counts per measure (regular expressions on the normalised text, applied in this order, each match
masked before the next step so nothing is counted twice):

1. ``n_documents`` — cited documents ``《…》`` (:mod:`analysis.genre.titles`; a title's own dates and
   numbers are not counted again);
2. ``n_dates`` — dates and deadlines as :mod:`analysis.genre.dates` reads them (``2023年6月底前``,
   ``12月31日前``, ``3月``, ``年底前``, ``年内``, ``每季度``, ``截至…``, ``3个工作日内``, ``限期``…), so
   ``n_dates > 0`` exactly when the measure's ``has_date_or_deadline`` is true;
3. ``n_money`` — amounts of money: a number (Arabic or Chinese) + optional 余/多 + 万/亿 + 元;
4. ``n_numbers`` — remaining numbers: Arabic numbers (``12``, ``1.5``, ``95%``) and Chinese
   numerals followed by a classifier (``三次``, ``两名``, ``第一批``); lexicon terms that merely
   contain a numeral (``两个维护``, ``四个意识``) are masked first.

On the tokens of :mod:`analysis.tokens.segment` (fast engine, domain lexicon):

5. ``n_units`` — mentions of responsible units: a run of consecutive tokens each tagged ``nt`` or
   ending in a unit suffix (街道, 社区, 办公室, 委员会, 党委, 支部, 局, 办, 组…; not a verb, not a listed
   common noun such as 干部/全部/格局, and at least two characters) counts once — ``街道党建办`` and
   ``社区党委`` are one mention each; words inside a cited title ``《…》`` are not mentions;
6. ``n_intensifiers`` — tokens of the formulaic stopword list (进一步, 切实, 持续, 认真落实…).

Score (documented choice): with ``C = n_numbers + n_dates + n_units + n_documents + n_money`` and
``G = n_intensifiers``, ``score = (C − G) / (C + G + 1)`` — in (−1, 1), 0 for a measure with
neither, approaching 1 for concrete and −1 for purely formulaic text; the +1 pulls scores of
measures with few markers toward 0 (one concrete marker alone gives 0.5, five give 0.83). The score
is a project-defined index, not a published measure; lengths are reported (``n_chars``) so
densities per 100 characters can be computed instead.

The money and number expressions, the unit suffixes and the common nouns that are not units are
in ``analysis/data/specificity_markers.csv``.

Computation (same counts, corpus scale): the expressions run once over a block of measures joined
by line breaks (none of them can match across one), each led by a look-ahead on its possible first
characters so the regex engine skips other positions; rules 5–6 read the measure's stored tokens
(``tokens`` table, or :func:`analysis.tokens.units.tokenize_units` for a frame) instead of segmenting
again: every kept token is a run of the text's characters other than whitespace, punctuation and
symbols (dropped tokens are made only of those), so the tokens align with the text by counting
characters; two unit tokens are consecutive when no character separates them, and a token is
inside ``《…》`` when more ``《`` than ``》`` precede it. A measure whose tokens do not align with its
text (a token containing punctuation, or a text that changed) is computed the direct way,
:func:`measure_markers`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.compare import drop_mask
from analysis.fastre import compile_fast
from analysis.genre.dates import MASK, date_rx
from analysis.genre.titles import TITLE_RX
from analysis.schema import TABLES
from analysis.tokens.segment import Engine, formulaic_words, lexicon, segment_text
from analysis.tokens.units import tokenize_units
from analysis.vocab import load_table

SPECIFICITY_COLUMNS = TABLES["measure_specificity"].column_names
MARKERS = "specificity_markers.csv"  # money, numbers and responsible units (data file)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _vocabulary() -> dict[str, list[str]]:
    """The data file's values by kind, ``{part}`` placeholders filled in."""
    parts: dict[str, str] = {}
    out: dict[str, list[str]] = {}
    for r in load_table(MARKERS).itertuples():
        value = _PLACEHOLDER.sub(lambda m: parts[m.group(1)], r.value)
        if r.kind == "part":
            parts[r.name] = value
        else:
            out.setdefault(r.kind, []).append(value)
    return out


_VOCAB = _vocabulary()
UNIT_SUFFIXES = tuple(_VOCAB["unit_suffix"])
NOT_UNITS = frozenset(_VOCAB["not_unit"])

# Each expression is compiled as one named group so that compile_fast leads it with a look-ahead on
# the characters a match can start with (identical matches; the engine skips every other position
# instead of trying each alternative there).
_DOCUMENT = TITLE_RX
_DATE = date_rx()
_MONEY = compile_fast(f"(?P<money>{_VOCAB['money'][0]})")
_NUMBER = compile_fast(f"(?P<number>{_VOCAB['number'][0]})")


def _numeral_terms() -> re.Pattern[str] | None:
    numeral = re.compile(_VOCAB["numeral_term"][0])
    terms = sorted({w for w, _, _ in lexicon() if numeral.search(w)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, terms))) if terms else None


_NUMERAL_TERMS = _numeral_terms()


def _count_and_mask(rx: re.Pattern[str], text: str) -> tuple[int, str]:
    n = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return MASK * len(m.group(0))  # matched by no later expression, and not a space

    masked = rx.sub(repl, text)
    return n, masked


def is_unit_token(token: str, pos: str | None) -> bool:
    """Whether a token names a responsible unit (see module docstring, rule 5)."""
    if pos == "nt":
        return True
    if len(token) < 2 or token in NOT_UNITS or (pos or "").startswith("v"):
        return False
    return token.endswith(UNIT_SUFFIXES)


def measure_markers(text: str | None, engine: Engine = "rjieba") -> dict[str, int]:
    """Marker counts of one measure text (keys as the ``n_*`` columns)."""
    text = text or ""
    n_documents, rest = _count_and_mask(_DOCUMENT, text)
    n_dates, rest = _count_and_mask(_DATE, rest)
    n_money, rest = _count_and_mask(_MONEY, rest)
    if _NUMERAL_TERMS is not None:
        _, rest = _count_and_mask(_NUMERAL_TERMS, rest)
    n_numbers, _ = _count_and_mask(_NUMBER, rest)
    intens = formulaic_words()
    n_units = 0
    n_int = 0
    prev_unit = False
    depth = 0  # inside a cited title 《…》: its words are not mentions
    for tok, pos in segment_text(text, engine):
        if tok == "《":
            depth += 1
        elif tok == "》":
            depth = max(depth - 1, 0)
        unit = depth == 0 and is_unit_token(tok, pos)
        if unit and not prev_unit:
            n_units += 1
        prev_unit = unit
        if tok in intens:
            n_int += 1
    return {
        "n_chars": len(text),
        "n_numbers": n_numbers,
        "n_dates": n_dates,
        "n_units": n_units,
        "n_documents": n_documents,
        "n_money": n_money,
        "n_intensifiers": n_int,
    }


def specificity_score(concrete, generic) -> np.ndarray:
    """``(C − G) / (C + G + 1)``."""
    c = np.asarray(concrete, dtype=float)
    g = np.asarray(generic, dtype=float)
    return (c - g) / (c + g + 1.0)


_STEPS = ((_DOCUMENT, 4), (_DATE, 2), (_MONEY, 5), (_NUMERAL_TERMS, None), (_NUMBER, 1))
MARKER_COLUMNS = SPECIFICITY_COLUMNS[3:-1]  # n_chars … n_intensifiers


def regex_counts(texts: list[str], lengths: np.ndarray | None = None) -> np.ndarray:
    """Rules 1–4 for many texts at once: matrix ``texts × MARKER_COLUMNS`` (token columns left 0).

    The texts are joined by line breaks, which no expression can match. Each expression replaces
    its matches with one control character of its own, which no later expression can match either
    (like the spaces of :func:`measure_markers`), so one count of those characters per text gives
    every column without a Python call per match; a text that already contains one of them is
    computed the direct way."""
    out = np.zeros((len(texts), len(MARKER_COLUMNS)), dtype=np.int64)
    if not texts:
        return out
    n = len(texts)
    if lengths is None:
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    out[:, 0] = lengths
    joined = "\n".join(texts)
    code = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    text_of = np.repeat(np.arange(n), lengths + 1)[: len(code)]  # a separator belongs to the text before it
    steps = [(chr(k), rx, col) for k, (rx, col) in enumerate(_STEPS, start=1) if rx is not None]
    bad = np.zeros(n, dtype=bool)
    for mark, _, _ in steps:
        bad[text_of[code == ord(mark)]] = True
    # lines of each text (its own line breaks + 1): a replacement never removes or adds a line break
    lines = np.bincount(text_of[code == ord("\n")], minlength=n) - (np.arange(n) < n - 1) + 1
    text_of_line = np.repeat(np.arange(n), lines)
    rest = joined
    for mark, rx, _ in steps:
        rest = rx.sub(mark, rest)
    code = np.frombuffer(rest.encode("utf-32-le"), dtype=np.uint32)
    line = np.cumsum(code == ord("\n"))
    for mark, _, col in steps:
        if col is not None:
            out[:, col] = np.bincount(text_of_line[line[code == ord(mark)]], minlength=n)
    for i in np.flatnonzero(bad):
        row = measure_markers(texts[i])
        out[i] = [row[c] for c in MARKER_COLUMNS]
    return out


# token flags: (length << 3) | clean << 2 | unit << 1 | intensifier
_CLEAN, _UNIT, _INTENS = 4, 2, 1


def token_flags(tokens, pos) -> np.ndarray:
    """Packed per-token attributes for :func:`markers`: length, no whitespace/punctuation/symbol
    character (``clean``), names a unit (rule 5), formulaic intensifier (rule 6)."""
    tokens = ["" if t is None else str(t) for t in tokens]
    intens = formulaic_words()
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    code = np.frombuffer("".join(tokens).encode("utf-32-le"), dtype=np.uint32)
    dirty = np.bincount(np.repeat(np.arange(len(tokens)), lengths), weights=drop_mask(code),
                        minlength=len(tokens)) > 0
    unit = np.fromiter((is_unit_token(t, p) for t, p in zip(tokens, pos, strict=True)), dtype=bool,
                       count=len(tokens))
    inten = np.fromiter((t in intens for t in tokens), dtype=bool, count=len(tokens))
    return (lengths << 3) | (_CLEAN * ~dirty) | (_UNIT * unit) | (_INTENS * inten)


def markers(
    texts: list[str], offsets: np.ndarray, position: np.ndarray, flags: np.ndarray, engine: Engine = "rjieba",
    lengths: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Marker counts (``texts × MARKER_COLUMNS``) from the texts and their kept tokens.

    Tokens of text i are rows ``offsets[i]:offsets[i+1]`` of ``position`` (0-based order in the text,
    any row order) and ``flags`` (:func:`token_flags`). Returns the matrix and the number of texts
    computed the direct way because their tokens did not align (module docstring).
    """
    n = len(texts)
    out = regex_counts(texts, lengths)
    if n == 0:
        return out, 0
    offsets = np.asarray(offsets, dtype=np.int64)
    count = np.diff(offsets)
    text_of = np.repeat(np.arange(n), count)
    position = np.asarray(position, dtype=np.int64)
    ok = np.ones(n, dtype=bool)
    bad_pos = (position < 0) | (position >= count[text_of])
    ok[np.unique(text_of[bad_pos])] = False
    # tokens in text order
    order = np.empty(len(position), dtype=np.int64)
    good = ~bad_pos
    order[offsets[text_of[good]] + position[good]] = np.flatnonzero(good)
    if bad_pos.any():
        placed = np.zeros(len(position), dtype=bool)
        placed[offsets[text_of[good]] + position[good]] = True
        ok[np.unique(text_of[~placed])] = False
        order[~placed] = np.flatnonzero(~placed)
    f = np.asarray(flags, dtype=np.int64)[order]
    length = f >> 3
    out[:, 6] = np.bincount(text_of, weights=(f & _INTENS) > 0, minlength=n).astype(np.int64)
    # align: kept tokens = the text's characters other than whitespace, punctuation and symbols
    code = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32)
    drop = drop_mask(code)
    kept_pos = np.flatnonzero(~drop)
    t_start = np.concatenate([[0], np.cumsum(out[:, 0] + 1)[:-1]])
    kept_before = np.concatenate([[0], np.cumsum(~drop)])[t_start]  # kept characters before each text
    kept_count = np.concatenate([kept_before[1:], [len(kept_pos)]]) - kept_before
    ok &= np.bincount(text_of, weights=length, minlength=n).astype(np.int64) == kept_count
    ok[np.unique(text_of[(f & _CLEAN) == 0])] = False
    use = ok[text_of]
    before = np.concatenate([[0], np.cumsum(length)])  # kept characters of the block's earlier tokens
    k_start = np.where(use, kept_before[text_of] + before[:-1] - before[offsets[:-1]][text_of], 0)
    first = np.where(use, kept_pos[np.minimum(k_start, max(len(kept_pos) - 1, 0))], 0) if len(kept_pos) else k_start
    last = np.where(use, kept_pos[np.minimum(k_start + np.maximum(length, 1) - 1, max(len(kept_pos) - 1, 0))], 0) \
        if len(kept_pos) else k_start
    # depth in 《…》 before each character: d_j = max(d_{j-1} + x_j, 0) per text (S_j − min(0, min S))
    x = (code == ord("《")).astype(np.int64) - (code == ord("》"))
    depth_before = np.zeros(len(position), dtype=np.int64)
    if x.any():
        char_text = np.repeat(np.arange(n), out[:, 0] + 1)[: len(code)]
        cs = np.cumsum(x)
        base = np.concatenate([[0], cs])[t_start][char_text]
        local = cs - base
        big = 2 * len(code) + 2
        run_min = np.minimum.accumulate(local - big * char_text) + big * char_text
        depth = local - np.minimum(run_min, 0)
        prev = first - 1
        inside = use & (prev >= t_start[text_of])
        depth_before[inside] = depth[prev[inside]]
    unit = use & ((f & _UNIT) > 0) & (depth_before == 0)
    same_text = np.concatenate([[False], text_of[1:] == text_of[:-1]])
    adjacent = same_text & np.concatenate([[False], first[1:] == last[:-1] + 1])
    prev_unit = np.concatenate([[False], unit[:-1]])
    mention = unit & ~(prev_unit & adjacent)
    out[:, 3] = np.bincount(text_of, weights=mention, minlength=n).astype(np.int64)
    fallback = np.flatnonzero(~ok)
    for i in fallback:
        row = measure_markers(texts[i], engine)
        out[i] = [row[c] for c in MARKER_COLUMNS]
    return out, len(fallback)


def specificity_frame(keys: pd.DataFrame, counts: np.ndarray) -> pd.DataFrame:
    """Table rows from measure keys (``doc_id, problem_no, measure_no``) and marker counts."""
    out = pd.concat([keys.reset_index(drop=True), pd.DataFrame(counts, columns=MARKER_COLUMNS)], axis=1)
    concrete = out[["n_numbers", "n_dates", "n_units", "n_documents", "n_money"]].sum(axis=1)
    out["score"] = specificity_score(concrete, out["n_intensifiers"])
    return out[SPECIFICITY_COLUMNS]


def measure_specificity(measures: pd.DataFrame, engine: Engine = "rjieba") -> pd.DataFrame:
    """Table ``measure_specificity``: one row per measure (columns ``SPECIFICITY_COLUMNS``)."""

    texts = [t if isinstance(t, str) else "" for t in measures["text"]]
    doc_ids = measures["doc_id"].astype(str).to_numpy(dtype=object) if "doc_id" in measures else "m"
    units = pd.DataFrame({"doc_id": doc_ids, "unit_kind": "measure", "unit_no": np.arange(len(texts)), "text": texts})
    toks = tokenize_units(units, engine, workers=1) if len(texts) else None
    if toks is None or len(toks) == 0:
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        position = flags = np.zeros(0, dtype=np.int64)
    else:
        offsets = np.concatenate([[0], np.cumsum(np.bincount(toks["unit_no"].to_numpy(), minlength=len(texts)))])
        pairs = toks[["token", "pos"]].astype(object).where(toks[["token", "pos"]].notna(), None)
        codes, uniq = pd.MultiIndex.from_frame(pairs).factorize()
        flags = token_flags(uniq.get_level_values(0), uniq.get_level_values(1))[codes]
        position = toks["position"].to_numpy()
    counts, _ = markers(texts, offsets, position, flags, engine)
    return specificity_frame(measures[["doc_id", "problem_no", "measure_no"]], counts)
