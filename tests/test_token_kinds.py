"""Names stay whole (analysis.tokens.names) and every token has a kind (analysis.tokens.kinds), on
invented text with traps: digits, dates, X placeholders, community and street names."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analysis.compare.keyness import keyness, typical_terms
from analysis.schema.tables import TOKEN_KINDS
from analysis.tokens.kinds import KINDS, token_kind, unit_kinds
from analysis.tokens.names import NameStats, apply_names, discover, document_lexicon
from analysis.tokens.segment import segment_text
from analysis.tokens.units import tokenize_named, tokenize_units


def _cut(texts, meta=()):
    counts, toks, tags, kinds, named, stats = tokenize_named(texts, meta)
    return list(zip(toks, kinds, strict=True)), named, stats


@pytest.mark.parametrize("text, name, kind", [
    ("安康社区开展活动", "安康社区", "place"),
    ("莲安社区开展活动", "莲安社区", "place"),
    ("灵秀社区组织学习", "灵秀社区", "place"),
    ("泰达街道党工委认真整改", "泰达街道", "place"),
    ("经开区加强监管", "经开区", "place"),
    ("滨海新区召开会议", "滨海新区", "place"),
])
def test_names_stay_whole(text, name, kind):
    pairs, _, _ = _cut([text])
    assert (name, kind) in pairs
    assert not any(len(t) == 1 and t in name for t, _ in pairs)  # no fragment of the name left


@pytest.mark.parametrize("text, not_name", [
    ("本村和各社区开展活动", "本村"),       # 本, 各: never a stem
    ("农村社区建设", "农村社区"),           # a common noun is not a stem
    ("城市社区治理", "城市社区"),           # jieba tags 城市 ns: not enough
    ("2023年街道开展", "年街道"),           # a calendar unit is not a stem
])
def test_not_names(text, not_name):
    pairs, _, _ = _cut([text])
    assert (not_name, "place") not in pairs


def test_stem_found_with_its_ending_joins_elsewhere_in_the_document():
    pairs, named, stats = _cut(["莲安社区召开会议", "莲安开展走访"])
    assert ("莲安社区", "place") in pairs and ("莲安", "place") in pairs
    assert stats.names_made >= 2 and stats.merged_tokens >= 4
    assert sum(named) == 2
    # another document that never states 莲安社区 keeps jieba's cut (names are per document)
    other, named2, _ = _cut(["莲安开展走访"])
    assert ("莲安", "place") not in other and not any(named2)


def test_metadata_names_join():
    pairs, _, _ = _cut(["泰达开展走访"], ["泰达街道"])
    assert ("泰达", "place") in pairs


def test_merge_keeps_every_character_and_does_not_cross_punctuation():
    text = "莲安社区、灵秀社区，莲，安"
    lex = document_lexicon([segment_text(text)])
    merged = apply_names(segment_text(text), lex, NameStats())
    assert "".join(w for w, _ in merged) == text
    assert [w for w, _ in merged][-3:] == ["莲", "，", "安"]


@pytest.mark.parametrize("tokens, pos, kinds", [
    (["2023", "年", "11", "月", "3", "日"], ["m"] * 6, ["date"] * 6),
    (["2023", "年度", "考核"], ["m", "n", "vn"], ["date", "content", "content"]),
    (["二三年"], ["m"], ["date"]),
    (["10", "余", "人"], ["m", "m", "n"], ["number", "function", "function"]),
    (["第三次", "5万", "100%"], ["m", "m", "m"], ["number", "number", "number"]),
    (["XX", "×", "○○"], ["eng", "x", "x"], ["placeholder"] * 3),
    (["，", "、"], ["x", "x"], ["punctuation"] * 2),
    (["的", "进一步", "认真落实"], ["uj", "d", "z"], ["function", "formulaic", "formulaic"]),
    (["案", "款", "街", "场", "次", "安"], ["n"] * 6, ["content", "content", "function", "function", "function",
                                                      "function"]),
    (["张某某", "习近平", "杜绝", "智慧"], ["nr", "nrfg", "nr", "nr"], ["person", "person", "content", "content"]),
    (["美丽", "城市", "天津市", "民政局", "党组织"], ["ns", "ns", "ns", "nt", "nt"],
     ["content", "content", "place", "organisation", "content"]),
    (["党支部", "巡察组"], ["n", "nt"], ["content", "content"]),  # generic types (巡察组: domain lexicon)
])
def test_kinds(tokens, pos, kinds):
    assert unit_kinds(tokens, pos) == kinds


def test_kind_values_are_the_schema_values():
    assert KINDS == TOKEN_KINDS == ("content", "function", "formulaic", "place", "organisation", "person",
                                    "number", "date", "placeholder", "punctuation")
    assert token_kind("整改", "v") == "content"


def test_discover_reads_bureaus_and_units():
    found = discover([segment_text("经开区住建委和社事办、泰达街道")])
    assert found.get("经开区") == "ns" and found.get("社事办") == "nt" and found.get("泰达街道") == "ns"


# ---------------------------------------------------------------- a trap corpus through keyness

TRAPS = {
    # group 甲: 安康社区, 莲安社区 and 泰达街道, with dates, digits and placeholders
    "a1": ["安康社区2023年11月3日整改党费收缴问题10余项", "莲安社区XX同志整改党费收缴，泰达街道落实"],
    "a2": ["莲安社区2022年党费收缴不规范，第三次整改", "泰达街道XX社区党费收缴台账不全5项"],
    # group 乙: 灵秀社区, 经开区 and 滨海新区
    "b1": ["灵秀社区2023年12月工程招投标不规范", "经开区工程项目招投标监管不严，30%未公示"],
    "b2": ["灵秀社区工程招投标问题11项，滨海新区督办", "经开区××工程项目资金拨付滞后"],
    # a one-notice group
    "c1": ["文康社区会议记录不全", "文康社区会议记录不全"],
}
TRAP_DOCS = pd.DataFrame({"doc_id": list(TRAPS), "district": ["甲区", "甲区", "乙区", "乙区", "丙区"]})
OWN_PLACES = {"甲区": {"安康", "莲安", "泰达", "安康社区", "莲安社区", "泰达街道"},
              "乙区": {"灵秀", "经开", "灵秀社区", "经开区", "滨海新区"}, "丙区": {"文康社区", "文康"}}


def _trap_tokens(workers: int = 1) -> pd.DataFrame:
    units = pd.DataFrame([(d, "measure", i, t) for d, ts in TRAPS.items() for i, t in enumerate(ts)],
                         columns=["doc_id", "unit_kind", "unit_no", "text"])
    return tokenize_units(units, workers=workers, min_parallel_chars=1)


def _junk(term: str, own: set[str]) -> bool:
    return (any(c.isdigit() for c in term) or len(term) == 1 or term in own or "X" in term or "×" in term
            or token_kind(term, None) in ("number", "date", "placeholder"))


def test_trap_corpus_typical_terms_are_words():
    toks = _trap_tokens()
    k = keyness(toks, TRAP_DOCS, min_count=1, alpha=1.0)
    top = typical_terms(k, 20)
    assert set(top["group"]) == {"甲区", "乙区"}  # 丙区 has one notice: no typical term
    assert k[k.group == "丙区"]["single_notice"].all() and not k[k.group == "丙区"]["typical"].any()
    for g, part in top.groupby("group"):
        assert not [t for t in part["token"] if _junk(t, OWN_PLACES[g])], g
    assert {"党费收缴"} <= set(top[top.group == "甲区"]["token"])
    assert {"招投标"} <= set(top[top.group == "乙区"]["token"])
    # every typical term is used in at least two of the group's notices
    assert (top["docs_target"] >= 2).all()


def test_trap_corpus_same_tokens_with_two_workers():
    pd.testing.assert_frame_equal(_trap_tokens(1), _trap_tokens(2))


# ---------------------------------------------------------------- the sample warehouse


def test_sample_top20_typical_terms_hold_no_junk(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        k = con.execute('select * from keyness').df()
        places = con.execute("""select distinct g."group", t.token from tokens t join document_groups g using (doc_id)
                                where t.kind = 'place'""").df()
        meta = con.execute("select district, city, unit from documents").df()
    finally:
        con.close()
    assert len(k) and set(k["kind"]) == {"content"}
    own = {g: set(p["token"]) for g, p in places.groupby("group")}
    names = {str(x) for x in meta.to_numpy().ravel() if x}
    top = typical_terms(k, 20)
    over = k[k["direction"] == "over"].sort_values(["group", "g2"], ascending=[True, False]).groupby("group").head(20)
    for frame in (top, over):
        for g, part in frame.groupby("group"):
            bad = [t for t in part["token"] if _junk(t, own.get(g, set())) or t in names]
            assert not bad, (g, bad)


def test_one_and_two_workers_build_identical_tokens_vocabulary_keyness(sample_corpus, tmp_path):
    from analysis.pipeline.orchestrate import build

    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build(sample_corpus, a, quiet=True, workers=1)
    build(sample_corpus, b, quiet=True, workers=2, full=True)
    for table in ("tokens", "vocabulary", "keyness"):
        rows = []
        for db in (a, b):
            con = duckdb.connect(str(db), read_only=True)
            rows.append(con.execute(f'select * from "{table}" order by all').fetchall())
            con.close()
        assert rows[0] == rows[1] and rows[0], table


@pytest.mark.parametrize("text, verb, parts", [
    ("落实干部包挂社区制度", "包挂社区", ["包", "挂", "社区"]),   # 包+挂 (v v): "assigned to", not a stem
    ("推行滨城通办服务", "滨城通办", ["通", "办"]),               # 通+办 (v v, the ending included): a slogan
    ("实行包联社区机制", "包联社区", ["包", "联", "社区"]),
])
def test_two_one_character_verbs_make_no_name(text, verb, parts):
    toks, named, stats = _cut([text])
    words = [t for t, _ in toks]
    assert verb not in words and verb not in stats.names
    assert all(p in words for p in parts)
    assert verb not in discover([segment_text(text)])


@pytest.mark.parametrize("text, name", [
    ("莲安社区落实干部包挂社区制度", "莲安社区"),   # one verb (安) in the stem: still a name
    ("泰达街道推行滨城通办服务", "泰达街道"),
    ("包挂莲安社区", "莲安社区"),                     # the stem starts after the compound verb
    ("区社事办牵头", "社事办"),                       # 事 is not a verb: 办 still ends a bureau
])
def test_names_beside_compound_verbs_stay_whole(text, name):
    toks, named, _ = _cut([text])
    assert (name, "place" if name.endswith(("社区", "街道")) else "organisation") in toks
    assert "挂莲安社区" not in [t for t, _ in toks]
