"""Person-name detection, keyed pseudonyms, and what the exports and notebooks hide."""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.cli import main as cli_main
from analysis.outputs.nb import query
from analysis.outputs.privacy import (
    Pseudonymizer,
    PseudonymKeyError,
    find_person_names,
    key_path,
    load_or_create_key,
    pseudonym,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PSEUDONYM = re.compile(r"\[人员[A-Z2-7]{12}\]")
SIX = ("经查，赵志刚违规领取补贴。给予李明辉党内警告处分，对刘建国进行诫勉谈话，对孙丽娟、马建华、郑国栋进行批评"
       "教育")

MIN_RECALL = 0.95
MAX_FALSE_RATE = 0.02
"""At most 2% of the ordinary-word probes may be altered: with ~400 probes that is 8. Each probe is chosen to
look like a name (a surname character first, often in a discipline slot or after a post), so the rate
on running text, where most words look like no name, is far lower; the measured rate is printed."""


def _lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _clean(line: str) -> str:
    return re.sub("[【】〔〕]", "", line)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str], Pseudonymizer]:
    """The two fixture corpora and a pseudonymizer that has read both (as it reads a warehouse)."""
    names, ordinary = _lines("privacy_names.txt"), _lines("privacy_ordinary.txt")
    return names, ordinary, Pseudonymizer(secrets.token_bytes(32), [_clean(s) for s in names + ordinary])


# ------------------------------------------------------------------------------------ the finder

@pytest.mark.parametrize("text,names", [
    ("对财务联络员李小明进行诫勉谈话", ["李小明"]),
    ("由党工委书记王强同志担任组长", ["王强"]),
    ("随后赵刚同志总结会议情况", ["赵刚"]),
    ("对副主任陈静的处置已进入审理阶段", ["陈静"]),
    ("欧阳明书记主持会议", ["欧阳明"]),
    ("加强党员同志教育管理", []),
    ("担任副组长，水平总体提升", []),
    ("由党工委书记X同志担任组长，XX同志担任副组长", []),
    ("增强兼职委员的参与感", []),
    (SIX, ["赵志刚", "李明辉", "刘建国", "孙丽娟", "马建华", "郑国栋"]),
    ("对村党支部书记王国庆、村委会主任周和平进行约谈", ["王国庆", "周和平"]),
    ("组长：宗兰芳；副组长：蒯宝山、肖丽。", ["宗兰芳", "蒯宝山", "肖丽"]),
    ("对王庄村党支部进行约谈，给予李家社区通报批评。经查，王庄村违规发放补贴。", []),
    ("王府井社区高标准推进整改，严格落实制度，按时张贴公告。", []),
    ("余杭区长作动员讲话，于都县委巡察组反馈意见。", []),
])
def test_find_person_names(text, names):
    assert [n for _, _, n in find_person_names(text)] == names


def test_the_six_names_of_the_review_sentence_are_all_hidden():
    out = Pseudonymizer(secrets.token_bytes(32), [SIX]).text(SIX)
    for name in ("赵志刚", "李明辉", "刘建国", "孙丽娟", "马建华", "郑国栋"):
        assert name not in out
    assert len(PSEUDONYM.findall(out)) == 6 and "违规领取补贴" in out and "批评教育" in out


def test_recall_on_the_name_corpus(corpus):
    names, _, p = corpus
    total = hidden = 0
    missed = []
    for line in names:
        out = p.text(_clean(line))
        for n in re.findall("【(.+?)】", line):
            total += 1
            hidden += n not in out
            if n in out:
                missed.append(n)
    recall = hidden / total
    print(f"\nrecall: {hidden}/{total} names hidden = {recall:.1%}; missed: {missed}")
    assert total >= 300 and len(names) >= 150
    assert recall >= MIN_RECALL, missed


def test_false_replacements_of_ordinary_words(corpus):
    names, ordinary, p = corpus
    probes = altered = 0
    bad = []
    for line in names + ordinary:
        clean = _clean(line)
        out = p.text(clean)
        for w in re.findall("〔(.+?)〕", line):
            probes += 1
            if out.count(w) < clean.count(w):
                altered += 1
                bad.append(w)
    with_pseudonym = sum(bool(PSEUDONYM.search(p.text(_clean(s)))) for s in ordinary)
    rate = altered / probes
    print(f"\nfalse replacements: {altered}/{probes} probes = {rate:.1%} ({bad}); ordinary sentences with a "
          f"pseudonym: {with_pseudonym}/{len(ordinary)}")
    assert probes >= 300 and len(ordinary) >= 150
    assert rate <= MAX_FALSE_RATE, bad
    assert with_pseudonym / len(ordinary) <= MAX_FALSE_RATE


# ------------------------------------------------------------------------------------ keyed pseudonyms

def test_pseudonyms_are_keyed_stable_and_replace_every_occurrence():
    k1, k2 = secrets.token_bytes(32), secrets.token_bytes(32)
    text = "王强同志主持会议，会后王强作总结。"
    t = Pseudonymizer(k1, [text]).text(text)
    assert "王强" not in t and t.count(pseudonym("王强", k1)) == 2
    assert PSEUDONYM.fullmatch(pseudonym("王强", k1))
    assert pseudonym("王强", k1) == pseudonym("王强", k1) != pseudonym("李明", k1)
    assert pseudonym("王强", k1) != pseudonym("王强", k2)
    assert pseudonym("王 强", k1) == pseudonym("王强", k1)  # a token list spells 王 强


def test_no_collisions_among_100000_names():
    key = secrets.token_bytes(32)
    first, given = "王李张刘陈杨黄赵吴周", [chr(0x4E00 + i) for i in range(0, 20000, 2)]
    names = [s + g for s in first for g in given]
    assert len(names) == 100_000
    assert len({pseudonym(n, key) for n in names}) == len(names)


def test_no_unkeyed_pseudonyms():
    with pytest.raises(ValueError):
        pseudonym("王强", b"")


def test_key_file_is_private_created_once_and_reused(tmp_path):
    db = tmp_path / "w.duckdb"
    path = key_path(db)
    assert path.name == "w.duckdb.pseudonym-key" and path.parent == tmp_path
    key = load_or_create_key(path)
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key(path) == key
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
    path.write_text("not a key\n", encoding="ascii")
    with pytest.raises(PseudonymKeyError):
        load_or_create_key(path)


def test_frames_hide_names_in_every_text_column_and_in_token_runs():
    key = secrets.token_bytes(32)
    p = Pseudonymizer(key, ["对教促中心财务联络员王秀敏进行诫勉处置。"])
    df = pd.DataFrame({"doc_id": ["d"] * 6, "unit_kind": "measure", "unit_no": 1, "position": [5, 0, 1, 2, 3, 4],
                       "token": ["诫勉", "联络员", "王", "秀", "敏", "进行"],
                       "note": ["王秀敏", None, "王 秀 敏 进行", "x", "y", "z"], "n": range(6)})
    out = p.frame(df)
    assert out.index.equals(df.index) and out["n"].tolist() == list(range(6))
    joined = "".join(out.sort_values("position")["token"])
    assert joined == f"联络员{p.pseudonym('王秀敏')}进行诫勉"
    assert out["note"].iloc[0] == p.pseudonym("王秀敏") and out["note"].iloc[1] is None
    assert "秀" not in out["note"].iloc[2]


# ------------------------------------------------------------------------------------ exports, notebooks

def test_export_pseudonymizes_but_warehouse_keeps_originals(sample_db, tmp_path):
    assert cli_main(["export", str(tmp_path / "pq"), "--db", str(sample_db), "--pseudonymize"]) == 0
    texts = duckdb.sql(f"select text from read_parquet('{tmp_path}/pq/documents/*/*.parquet')").fetchall()
    key = load_or_create_key(key_path(sample_db))
    assert texts and not any("王秀敏" in t for (t,) in texts)
    assert any(pseudonym("王秀敏", key) in t for (t,) in texts)
    con = duckdb.connect(str(sample_db), read_only=True)
    assert con.execute("select count(*) from documents where text like '%王秀敏%'").fetchone()[0] == 1
    con.close()


def test_export_hides_every_corpus_name_everywhere_and_never_the_key(sample_db, tmp_path):
    out = tmp_path / "pq"
    assert cli_main(["export", str(out), "--db", str(sample_db), "--pseudonymize"]) == 0
    con = duckdb.connect(str(sample_db), read_only=True)
    names = Pseudonymizer.for_warehouse(sample_db, con).names
    con.close()
    assert {"王秀敏", "张福旺", "吴鹏", "高华"} <= names
    key = load_or_create_key(key_path(sample_db))
    files = [f for f in out.rglob("*") if f.is_file()]
    assert files and not any(f.name.endswith("pseudonym-key") for f in files)
    for f in files:
        raw = f.read_bytes()
        assert key.hex().encode() not in raw and key not in raw, f
    for f in out.rglob("*.parquet"):
        df = pd.read_parquet(f)
        cells = [v for c in df.columns if df[c].dtype == object for v in df[c] if isinstance(v, str)]
        if {"token", "position"} <= set(df.columns):
            df = df.sort_values([c for c in ("doc_id", "unit_kind", "unit_no", "position") if c in df.columns])
            cells.append("".join(v for v in df["token"] if isinstance(v, str)))
        for n in names:
            assert not any(n in "".join(v.split()) for v in cells), (f.name, n)


def test_notebook_queries_pseudonymize_when_asked(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    sql = "select text from documents order by doc_id"
    texts = query(con, sql)["text"].tolist()
    names = sorted({n for t in texts for _, _, n in find_person_names(t)})
    assert names, "the sample notices name people"
    hidden = " ".join(query(con, sql, pseudonymize=True)["text"])
    con.close()
    key = load_or_create_key(key_path(sample_db))
    for n in names:
        assert n not in hidden and pseudonym(n, key) in hidden


def test_notebook_queries_refuse_an_in_memory_database():
    con = duckdb.connect()
    with pytest.raises(ValueError, match="in-memory"):
        query(con, "select '王强同志' as t", pseudonymize=True)
    assert query(con, "select '王强同志' as t")["t"].iloc[0] == "王强同志"
    con.close()
