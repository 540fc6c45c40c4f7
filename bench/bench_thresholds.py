"""The scorer's thresholds measured on the eval sets (issue 18).

For each setting of the lexical thresholds (``covered_threshold``, ``partial_threshold``) and the
sentence encoder's (``meaning_partial_at``, ``meaning_covered_at``, the Korean ``covered`` one),
every answer of the chosen sets is scored and compared with the coach's labels: two-way agreement
per language and kind (missed or not), three-way (covered / partly / missed), the share of full
paraphrases and own-words answers scoring >= 80, and the answers labelled wholly missed (off topic,
wholly negated) scoring >= 20.

By default the sets are those that have been read (dev, held out 1-10); held out 11 and later are
kept for the check after a setting is chosen (``--sets``). Writes ``bench/results/thresholds.json``.

    .venv/bin/python bench/bench_thresholds.py                 # the grid on the read sets (~4 min)
    .venv/bin/python bench/bench_thresholds.py --sets heldout11_ko,heldout11_en --only-current
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_score_eval import load_cases  # noqa: E402

from rehearse.score import ScoreOptions, score_answer  # noqa: E402
from rehearse.transcript import Transcript  # noqa: E402

READ_SETS = ["ko", "en", "heldout_ko", "heldout_en"] + [
    f"heldout{i}_{lang}" for i in range(2, 11) for lang in ("ko", "en")]
BEFORE = {"covered_threshold": 0.6, "partial_threshold": 0.3, "meaning_partial_at": 0.45,
          "meaning_covered_at": 0.65, "meaning_covered_at_by_language": {"ko": 0.55}}


@dataclass
class Tally:
    two_way: Counter = field(default_factory=Counter)
    three_way: Counter = field(default_factory=Counter)
    points: Counter = field(default_factory=Counter)
    full_over_80: Counter = field(default_factory=Counter)
    full: Counter = field(default_factory=Counter)
    missed_over_20: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> dict:
        out: dict = {}
        for key in sorted(self.points):
            out[key] = {"two_way": round(100 * self.two_way[key] / self.points[key], 1),
                        "three_way": round(100 * self.three_way[key] / self.points[key], 1),
                        "points": self.points[key]}
        for lang in sorted(self.full):
            out[f"{lang} full paraphrases >= 80"] = f"{self.full_over_80[lang]}/{self.full[lang]}"
        out["wholly missed answers >= 20"] = self.missed_over_20
        return out


def measure(sets: list[str], options: dict) -> Tally:
    tally = Tally()
    for name in sets:
        questions, cases = load_cases(name)
        lang = name.rsplit("_", 1)[-1]
        deck = [q["prepared"] for q in questions.values()]
        for case in cases:
            q = questions[case["question"]]
            score = score_answer(case["question"], q["prepared"], q["key_points"],
                                 Transcript.from_text(case["transcript"], lang), language=lang,
                                 deck_texts=deck, question=q["question"], options=ScoreOptions(**options))
            for kp, label in zip(score.key_points, case["labels"], strict=True):
                for key in (lang, f"{lang} {case['kind']}"):
                    tally.points[key] += 1
                    tally.two_way[key] += (label == "missed") == (kp.status == "missed")
                    tally.three_way[key] += label == kp.status
            if case["kind"] in ("paraphrase", "own_words") and set(case["labels"]) == {"covered"}:
                tally.full[lang] += 1
                tally.full_over_80[lang] += score.score >= 80
            if set(case["labels"]) == {"missed"} and score.score >= 20:
                tally.missed_over_20.append((case["id"], score.score))
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(READ_SETS), help="eval sets, comma-separated")
    parser.add_argument("--only-current", action="store_true",
                        help="measure the settings before this measurement and today's defaults only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "thresholds.json")
    args = parser.parse_args()
    sets = args.sets.split(",")
    grid = [BEFORE, {}]
    if not args.only_current:
        grid += [{"partial_threshold": p, "meaning_partial_at": mp, "covered_threshold": c,
                  "meaning_covered_at": mc, "meaning_covered_at_by_language": {"ko": ko}}
                 for p, mp in itertools.product((0.2, 0.25, 0.3), (0.38, 0.40, 0.45))
                 for c, mc, ko in ((0.6, 0.65, 0.55), (0.5, 0.6, 0.5), (0.5, 0.55, 0.45))]
    rows = []
    for options in grid:
        started = time.perf_counter()
        summary = measure(sets, options).summary()
        label = "defaults" if not options else json.dumps(options)
        rows.append({"options": options or asdict(ScoreOptions()), "label": label, "summary": summary})
        print(f"{label}  ({time.perf_counter() - started:.0f} s)")
        for lang in ("ko", "en"):
            if lang in summary:
                kinds = ", ".join(f"{k.split()[1]} {v['two_way']}" for k, v in summary.items()
                                  if k.startswith(f"{lang} ") and isinstance(v, dict))
                print(f"  {lang}: two-way {summary[lang]['two_way']} three-way {summary[lang]['three_way']}"
                      f"  full >= 80: {summary.get(f'{lang} full paraphrases >= 80')}  ({kinds})")
        print(f"  wholly missed answers >= 20: {len(summary['wholly missed answers >= 20'])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sets": sets, "rows": rows}, indent=1, ensure_ascii=False, default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
