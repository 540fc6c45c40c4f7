"""Do kiwi's own morpheme embeddings find Korean words said in other words? (issue 18, "Paraphrase")

kiwipiepy's language model (CoNg, ``cong.mdl`` in ``kiwipiepy_model``, the model rehearse already
loads) embeds every morpheme: ``Kiwi.morpheme_similarity`` is the cosine of two. A Korean key
point's word that is found neither exactly nor fuzzily could be credited with the cosine of the
answer's closest word (noun or verb) at or above a threshold (발송 ~ 보내, 오류 ~ 장애), as a
lexical signal beside the sentence encoder. This script patches that credit into the matcher
(``rehearse.coverage._match_matrix``; not in rehearse itself) and prints, for each threshold, the
two-way (three-way) agreement with the coach's labels per kind on the Korean eval sets, the cosines
of some word pairs (synonyms and antonyms), and the pairs the credit used at the threshold chosen
on the dev set. Writes bench/results/kiwi_similar.json.

    .venv/bin/python bench/bench_kiwi_similar.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_score_eval as evalset  # noqa: E402

from rehearse import coverage  # noqa: E402
from rehearse import textnorm as tn  # noqa: E402
from rehearse.score import score_answer  # noqa: E402
from rehearse.text_ko import get_kiwi, ko_morphs  # noqa: E402
from rehearse.transcript import Transcript  # noqa: E402

SETS = ["ko", "heldout_ko", "heldout2_ko", "heldout3_ko"]
THRESHOLDS = [0.0, 0.45, 0.5, 0.55, 0.6, 0.7]
KINDS = ("word", "verb")
PAIRS = [("오류", "NNG", "장애", "NNG"), ("발송", "NNG", "보내", "VV"), ("시간", "NNG", "시각", "NNG"),
         ("차이", "NNG", "어긋나", "VV"), ("느려지", "VV", "늦어지", "VV"), ("역량", "NNG", "힘", "NNG"),
         ("성공", "NNG", "실패", "NNG"), ("늘", "VV", "줄", "VV"), ("증가", "NNG", "감소", "NNG"),
         ("툴", "NNG", "모듈", "NNG"), ("발송", "NNG", "배포", "NNG")]
_original = coverage._match_matrix
threshold = 0.0


def similarity(a: tuple[str, str], b: tuple[str, str]) -> float:
    try:
        return float(get_kiwi().morpheme_similarity(a, b))
    except (ValueError, KeyError, RuntimeError):
        return 0.0


def morph_at(text: str, start: int) -> tuple[str, str] | None:
    return next(((m.form, m.tag) for m in ko_morphs(text)[0] if m.start == start), None)


def patched(kp, kp_text, answer, fuzzy_min, *args):
    sim = _original(kp, kp_text, answer, fuzzy_min, *args)
    if not threshold:  # every set here is Korean
        return sim
    rows = [(i, morph_at(kp_text, u.start)) for i, u in enumerate(kp) if u.kind in KINDS and not sim[i].any()]
    cols = [(j, morph_at(answer.text, u.start)) for j, u in enumerate(answer.units) if u.kind in KINDS]
    for i, a in rows:
        for j, b in cols:
            if a and b and (cos := similarity(a, b)) >= threshold:
                sim[i, j] = cos
    return sim


def run(name: str) -> evalset.EvalResult:
    questions, cases = evalset.load_cases(name)
    deck = [q["prepared"] for q in questions.values()]
    result = evalset.EvalResult("ko")
    for case in cases:
        q = questions[case["question"]]
        score = score_answer(case["question"], q["prepared"], q["key_points"],
                             Transcript.from_text(case["transcript"], "ko"), language="ko", deck_texts=deck)
        result.rows.append((case["id"], case["kind"], score.score, case["labels"],
                            [kp.status for kp in score.key_points]))
    return result


def used_pairs(name: str, at: float) -> list[str]:
    """The (point word ~ answer word, cosine) pairs the credit would use on a set's cases."""
    questions, cases = evalset.load_cases(name)
    out = []
    for case in cases:
        text = case["transcript"]
        said = tn.analyse(text, "ko")
        keys = {u.key for u in said}
        words = {morph_at(text, u.start) for u in said if u.kind in KINDS} - {None}
        for point in questions[case["question"]]["key_points"]:
            for u in tn.analyse(point, "ko"):
                if u.kind in KINDS and u.key not in keys and (a := morph_at(point, u.start)):
                    cos, b = max(((similarity(a, b), b) for b in words), default=(0.0, None))
                    if cos >= at:
                        out.append(f"{a[0]}~{b[0]} {cos:.2f}")
    return sorted(set(out))


def main() -> None:
    global threshold
    coverage._match_matrix = patched
    pairs = {f"{a}/{b}": round(similarity((a, ta), (b, tb)), 3) for a, ta, b, tb in PAIRS}
    print("cosines:", ", ".join(f"{k} {v}" for k, v in pairs.items()))
    table: dict[str, dict[str, dict]] = {}
    for name in SETS:
        for threshold in THRESHOLDS:
            r = run(name)
            kinds = [k for k in evalset.KINDS if any(row[1] == k for row in r.rows)]
            row = {"all": [r.agreement(), r.agreement(exact=True)],
                   **{k: [r.agreement(k), r.agreement(k, True)] for k in kinds}}
            table.setdefault(name, {})[str(threshold)] = row
            print(f"{name:12} >= {threshold:4}: " + "  ".join(
                f"{k} {v[0]:.1%} ({v[1]:.1%})" for k, v in row.items()), flush=True)
    used = {name: used_pairs(name, 0.7) for name in SETS}
    for name, found in used.items():
        print(f"{name}: pairs at 0.7: {', '.join(found)}")
    out = ROOT / "bench" / "results" / "kiwi_similar.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"pairs": pairs, "agreement": table, "used_at_0.7": used},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
