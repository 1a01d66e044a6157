"""Document metadata of a rectification notice, read from its (normalised) text.

:func:`extract_metadata` returns title, issuer, inspected unit and its type, the place
(province / city / district, each with a confidence, and whether evidence contradicted it), the
inspection round and group, the inspection, feedback and publication dates and whether the notice
is an anonymised template.

Every place and date value carries a ``<field>_source``:

- ``manifest`` - given by the caller; ``source_url`` - read from the host of the caller's
  ``source_url`` (www.jnsz.gov.cn, ptq.zhoushan.gov.cn);
- ``text:<evidence>`` - read from the text; place evidence (``data/place_evidence.csv``) is
  ``issuer`` (the issuer's full name in the title or signature), ``inspected`` (the inspected unit
  of the inspection sentence), ``committee`` (committees named in the body), ``address``,
  ``phone`` (area code), ``domain`` (e-mail/web), ``page`` (the page chrome: 来源, site name,
  breadcrumb), ``regulation`` (regulations cited, weak); date evidence is ``range`` (the
  inspection date range), ``feedback``, ``signature`` (date under the signature), ``dateline``
  (a date line under the title), ``page_furniture`` (``发布日期：…``, a leading time stamp),
  ``group``, ``statement`` (a year stated in the inspection sentence); place values that need
  several pieces of evidence together join them with ``+`` (``text:address+phone``; ``manifest``
  and ``source_url`` may take part: ``text:manifest+phone``);
- ``recovered:<how>`` - repaired damaged text: ``digits`` (a date that lost its 年/月/日
  markers, read only when one reading is valid), ``typo`` (a stray marker, ``2022年2月年10日``),
  ``other_statement`` (a group number lost in one statement and given by another).

Placeholders of anonymised templates (``X``, ``XX``, ``X月X日``, ``某某市``) are never read as
numbers, dates or places. Anything ambiguous is left ``None`` with a human-readable warning.

Modules, one concern each: :mod:`.dates` (date tokens), :mod:`.inspection` (period, year,
feedback, group, round), :mod:`.gazetteer` and :mod:`.names` (place names), :mod:`.places`
(weighing the place evidence), :mod:`.evidence` (its kinds, confidence and majority),
:mod:`.body` (inspected unit, committees, regulations), :mod:`.chrome` (the page chrome),
:mod:`.domains` and :mod:`.spelling` (places spelled in hosts), :mod:`.issuer` (issuer, unit,
unit type), :mod:`.layout` (title, signature, publication date), :mod:`.common` (fields,
placeholders, numerals) and :mod:`.cues` (the vocabulary in ``analysis/data/place_cues.csv``,
``page_furniture.csv`` and ``metadata_cues.csv``). Sentences are those of
:mod:`analysis.genre.sentences`, numerals those of :mod:`analysis.genre.numerals`.
"""

from __future__ import annotations

from analysis.notice.metadata.chrome import Chrome, read_chrome
from analysis.notice.metadata.common import METADATA_FIELDS, Out, is_anonymized
from analysis.notice.metadata.dates import DateTok, make_date, tokenize_dates
from analysis.notice.metadata.inspection import (
    feedback_date,
    inspection_group,
    inspection_range,
    inspection_round,
    inspection_year,
)
from analysis.notice.metadata.issuer import read_issuer
from analysis.notice.metadata.layout import find_title, publish_date, signature, title_issuer
from analysis.notice.metadata.places import read_places

__all__ = ["METADATA_FIELDS", "extract_metadata"]


def _read_dates(text: str, toks: list[DateTok], sig_date: DateTok | None, chrome: Chrome, out: Out) -> int | None:
    """Inspection period and year, feedback and publication dates; returns the range's sentence start."""
    for t in toks:
        if t.kind == "typo":
            out.warnings.append(f"date typo '{t.raw}' read as {make_date(t.y, t.m, t.d)}")
    range_tok, range_sentence = inspection_range(text, toks, out)
    inspection_year(text, range_tok, out)
    feedback_date(text, toks, out)
    publish_date(text, sig_date, out, chrome)
    return range_sentence


def extract_metadata(text: str, manifest: dict | None = None) -> dict:
    """Metadata of one notice from its normalised text; manifest values win, text fills the rest.

    Returns a dict with the keys of :data:`METADATA_FIELDS`.
    """
    manifest = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in (manifest or {}).items()}
    out = Out()
    lines = [ln.strip() for ln in text.split("\n")]
    toks = tokenize_dates(text)
    out.values["anonymized"] = is_anonymized(text, any(t.kind == "placeholder" for t in toks))

    title = find_title(lines)
    out.values["title"] = title
    sig_orgs, sig_date = signature(lines)
    head = title_issuer(title) if title else None
    read_issuer(text, head, sig_orgs, manifest, out)
    chrome = read_chrome(text, title)
    read_places(text, head, sig_orgs, manifest, out, chrome, title)
    range_sentence = _read_dates(text, toks, sig_date, chrome, out)
    inspection_group(text, out)
    out.values["inspection_round"] = inspection_round(title, text, range_sentence)
    out.values["warnings"] = out.warnings
    return {k: out.values[k] for k in METADATA_FIELDS}
