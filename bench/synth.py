"""Synthetic corpus generator for benchmarks: N notices, deterministic by seed, clearly marked synthetic.

Each notice recombines real sentence patterns taken from the sample corpus (problem statements,
measures, overview and next-step paragraphs, parsed by :mod:`analysis.notice.parse`) with place names
drawn from the gazetteer of Chinese administrative divisions shipped by ``cpca``. Every file's
title and first line say 合成样本 (SYNTHETIC) so it can never be mistaken for a real notice.
"""

from __future__ import annotations

import argparse
import csv
import random
from functools import lru_cache
from pathlib import Path

from analysis.ingest.normalize import normalize_text
from analysis.notice.parse import parse_notice
from analysis.vocab import package_file

REPO = Path(__file__).resolve().parent.parent
CN = "一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return "十" + (CN[n - 11] if n > 10 else "")
    return CN[n // 10 - 1] + "十" + (CN[n % 10 - 1] if n % 10 else "")


@lru_cache(maxsize=1)
def pools(corpus: Path = REPO / "corpus") -> dict[str, list[str]]:
    """Sentence pools from the sample corpus."""
    out: dict[str, list[str]] = {"area": [], "problem": [], "measure": [], "overview": [], "next": []}
    for p in sorted(corpus.glob("*.txt")):
        text = normalize_text(p.read_text(encoding="utf-8"))
        r = parse_notice(text)
        out["area"] += [x["area"] for x in r.problems if x["area"] and "X" not in x["area"]]
        out["problem"] += [x["heading"] for x in r.problems if "X" not in x["heading"]]
        for m in r.measures:
            t = m["text"]
            for prefix in ("一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是"):
                if t.startswith(prefix):
                    t = t[len(prefix):]
            if t.startswith("（") and "）" in t[:5]:
                t = t[t.index("）") + 1:]
            if "X" not in t and len(t) > 20:
                out["measure"].append(t.replace("\n", ""))
        for s in r.sections:
            body = text[s["char_start"]:s["char_end"]].replace("\n", "")
            if s["kind"] == "overview" and len(body) > 40 and "X" not in body:
                out["overview"].append(body[:600])
            if s["kind"] == "next_steps" and len(body) > 40 and "X" not in body:
                out["next"].append(body[:600])
    out = {k: sorted(set(v)) for k, v in out.items()}
    return out


@lru_cache(maxsize=1)
def districts() -> list[tuple[str, str, str]]:
    """(province, city, district) for every county-level division in cpca's gazetteer."""
    path = package_file("cpca", "resources", "adcodes.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    name = {r["adcode"][:6]: r["name"] for r in rows}
    out = []
    for r in rows:
        code = r["adcode"][:6]
        if code[4:] == "00" or not r["name"].endswith(("区", "县", "市")):
            continue
        prov = name.get(code[:2] + "0000")
        city = name.get(code[:4] + "00") or prov
        if prov:
            out.append((prov, city, r["name"]))
    return sorted(out)


def make_notice(i: int, rng: random.Random, target_chars: int = 5000) -> tuple[str, dict]:
    pl = pools()
    prov, city, dist = rng.choice(districts())
    unit = rng.choice(["东关", "城南", "新华", "河西", "文昌", "解放", "长安", "和平", "滨江", "青山"]) + rng.choice(
        ["街道", "镇", "乡"])
    y = rng.choice([2019, 2020, 2021, 2022, 2023])
    m1, d1 = rng.randint(1, 6), rng.randint(1, 28)
    m2, d2 = m1 + rng.randint(1, 3), rng.randint(1, 28)
    m3, d3 = min(m2 + 1, 12), rng.randint(1, 28)
    g = rng.randint(1, 9)
    lines = [f"{unit}党委关于巡察整改情况的通报（合成样本 SYNTHETIC {i:06d}）",
             f"按照区委巡察工作统一部署，{y}年{m1}月{d1}日至{m2}月{d2}日，区委第{_cn(g)}巡察组对{unit}开展了常规巡察，"
             f"并于{m3}月{d3}日反馈了巡察意见。现将巡察整改情况予以公布。",
             "一、组织落实巡察整改情况", rng.choice(pl["overview"]), "二、反馈问题整改情况"]
    n_chars = sum(len(s) for s in lines)
    a = 0
    while n_chars < target_chars * 0.85 and a < 9:
        a += 1
        lines.append(f"（{_cn(a)}）关于“{rng.choice(pl['area'])}”问题的整改措施")
        for p in range(1, rng.randint(2, 5) + 1):
            lines.append(f"（{p}）针对“{rng.choice(pl['problem'])}”问题，进行了以下整改。")
            for k in range(1, rng.randint(1, 5) + 1):
                lines.append(f"{_cn(k)}是{rng.choice(pl['measure'])}")
            n_chars = sum(len(s) for s in lines)
            if n_chars >= target_chars * 0.85:
                break
    lines += ["三、下一步工作打算", rng.choice(pl["next"]),
              "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0000-0000000。",
              f"{unit}党委", f"{y + 1}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
    meta = {"file": f"synthetic_{i:06d}.txt", "province": prov, "city": city, "district": dist, "unit": unit,
            "unit_type": "street" if unit.endswith("街道") else "town" if unit.endswith("镇") else "township",
            "source_url": "", "retrieved_on": "", "notes": "SYNTHETIC benchmark notice (bench/synth.py)"}
    return "\n".join(lines) + "\n", meta


def generate(out: Path, n: int, seed: int = 20261122, target_chars: int = 5000) -> Path:
    """Write n synthetic notices and a manifest into ``out``; returns ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "province", "city", "district", "unit", "unit_type", "source_url",
                                           "retrieved_on", "notes"])
        w.writeheader()
        for i in range(n):
            text, meta = make_notice(i, rng, target_chars)
            (out / meta["file"]).write_text(text, encoding="utf-8")
            w.writerow(meta)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Write N synthetic notices (marked SYNTHETIC) for benchmarks.")
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args()
    generate(a.out, a.n, a.seed)
    print(f"wrote {a.n} synthetic notices to {a.out}")
