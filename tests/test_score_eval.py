"""Agreement of key-point coverage with human labels (tests/eval_cases_{ko,en}.yaml).

Agreement is measured per key point. The asserted figure is the two-way agreement (the scorer's
covered-or-partial vs missed against the label's); the exact three-way agreement (covered / partial
/ missed) is printed next to it. Run with ``pytest -s`` (or ``-rA``) to see the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from rehearse.score import score_answer
from rehearse.transcript import Transcript

HERE = Path(__file__).parent
MIN_AGREEMENT = 0.90  # two-way, per language
OFF_TOPIC_MAX = 20  # score of an off-topic answer stays below this
PARAPHRASE_MIN = 80  # score of a full paraphrase reaches this
KINDS = ("paraphrase", "partial", "off_topic", "verbatim", "asr", "negation", "figure", "name",
         "own_words", "adversarial")


@dataclass
class EvalResult:
    language: str
    rows: list[tuple[str, str, int, list[str], list[str]]] = field(default_factory=list)
    # (case id, kind, score, labels, predictions)

    def pairs(self, kind: str | None = None) -> list[tuple[str, str]]:
        return [(lab, pred) for cid, k, _s, labels, preds in self.rows
                for lab, pred in zip(labels, preds, strict=True) if kind in (None, k)]

    def agreement(self, kind: str | None = None, exact: bool = False) -> float:
        pairs = self.pairs(kind)
        if exact:
            hits = sum(lab == pred for lab, pred in pairs)
        else:
            hits = sum((lab == "missed") == (pred == "missed") for lab, pred in pairs)
        return hits / len(pairs) if pairs else 1.0

    def table(self) -> str:
        lines = [f"Key-point agreement, {self.language}: {len(self.rows)} cases, "
                 f"{len(self.pairs())} key points"]
        lines.append(f"  {'kind':<11} {'cases':>5} {'points':>6} {'2-way':>6} {'3-way':>6}")
        for kind in (*KINDS, None):
            n = sum(1 for r in self.rows if kind in (None, r[1]))
            if not n:
                continue
            lines.append(f"  {kind or 'all':<11} {n:>5} {len(self.pairs(kind)):>6} "
                         f"{self.agreement(kind):>6.1%} {self.agreement(kind, True):>6.1%}")
        lines.append("  disagreements (case: key point #, label -> scorer):")
        for cid, _k, score, labels, preds in self.rows:
            diffs = [f"#{i + 1} {lab}->{pred}"
                     for i, (lab, pred) in enumerate(zip(labels, preds, strict=True)) if lab != pred]
            if diffs:
                lines.append(f"    {cid} (score {score}): {', '.join(diffs)}")
        return "\n".join(lines)


def load_cases(name: str) -> tuple[dict, list[dict]]:
    """The questions and cases of ``tests/eval_cases_{name}.yaml`` (a held-out file takes its
    questions from the file it names in ``questions_from``)."""
    data = yaml.safe_load((HERE / f"eval_cases_{name}.yaml").read_text(encoding="utf-8"))
    questions = data.get("questions")
    if questions is None:
        questions = yaml.safe_load((HERE / data["questions_from"]).read_text(encoding="utf-8"))["questions"]
    return questions, data["cases"]


def run_eval(language: str, with_deck: bool = True, name: str | None = None) -> EvalResult:
    questions, cases = load_cases(name or language)
    deck = [q["prepared"] for q in questions.values()] if with_deck else None
    result = EvalResult(language)
    for case in cases:
        q = questions[case["question"]]
        assert len(case["labels"]) == len(q["key_points"]), case["id"]
        score = score_answer(case["question"], q["prepared"], q["key_points"],
                             Transcript.from_text(case["transcript"], language),
                             language=language, deck_texts=deck)
        preds = [kp.status for kp in score.key_points]
        result.rows.append((case["id"], case["kind"], score.score, case["labels"], preds))
    return result


@pytest.fixture(scope="module", params=["ko", "en"])
def evaluation(request: pytest.FixtureRequest) -> EvalResult:
    result = run_eval(request.param)
    print("\n" + result.table())
    return result


def test_eval_sets_are_big_enough() -> None:
    for language, minimum in (("ko", 30), ("en", 20)):
        data = yaml.safe_load((HERE / f"eval_cases_{language}.yaml").read_text(encoding="utf-8"))
        assert len(data["cases"]) >= minimum
        kinds = {c["kind"] for c in data["cases"]}
        assert kinds == set(KINDS)


def test_key_point_agreement(evaluation: EvalResult) -> None:
    assert evaluation.agreement() >= MIN_AGREEMENT, evaluation.table()


def test_off_topic_answers_score_low(evaluation: EvalResult) -> None:
    scores = {cid: s for cid, kind, s, _l, _p in evaluation.rows if kind == "off_topic"}
    assert scores and all(s < OFF_TOPIC_MAX for s in scores.values()), scores


def test_full_paraphrases_score_high(evaluation: EvalResult) -> None:
    scores = {cid: s for cid, kind, s, _l, _p in evaluation.rows if kind == "paraphrase"}
    assert scores and all(s >= PARAPHRASE_MIN for s in scores.values()), scores


def test_verbatim_recitals_cover_everything(evaluation: EvalResult) -> None:
    assert all(p == "covered" for lab, p in evaluation.pairs("verbatim") if lab == "covered")
