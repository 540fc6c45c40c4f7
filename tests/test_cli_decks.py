"""Deck commands end to end: import the real seed notes, check, show, practise notes directly,
and score Korean answers through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rehearse.cli import cli
from rehearse.deck import deck_to_json, load_deck
from rehearse.practice import PracticeOptions, select_questions

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "interview-prep-ko.txt"
KO_DECK = ROOT / "questions" / "interview-prep-ko.yaml"
EN_DECK = ROOT / "questions" / "sample-en.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _id_of(deck_path: Path, question_text: str) -> str:
    deck = load_deck(deck_path)
    (q,) = [q for q in deck.walk() if q.question.strip() == question_text]
    return q.id


def test_import_the_seed_prints_its_summary(tmp_path):
    out = tmp_path / "prep.yaml"
    r = run("import", SEED, "-o", out)
    assert r.exit_code == 0, r.output
    assert "27 questions, 2 follow-ups, 2 shared answers" in r.output
    text = out.read_text(encoding="utf-8")
    assert "배스 낚시" in text and "\\u" not in text  # readable UTF-8, not escapes
    assert run("check", out).exit_code == 0
    again = run("import", SEED, "-o", out)
    assert again.exit_code == 1 and "already exists" in again.output


def test_shipped_decks_pass_check():
    for deck in (KO_DECK, EN_DECK):
        r = run("check", deck)
        assert r.exit_code == 0, r.output
        assert "error" not in r.output.replace("0 error(s)", "")


def test_check_reports_path_line_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: t\nlanguage: en\nquestions:\n  - id: a\n    questoin: Why?\n",
                   encoding="utf-8")
    r = run("check", bad)
    assert r.exit_code == 1
    assert f"{bad}:5:" in r.output and "did you mean 'question'" in r.output


def test_show_json_has_the_normalised_shape():
    r = run("show", KO_DECK, "--json")
    data = json.loads(r.output)
    assert data["language"] == "ko"
    q = data["questions"][0]
    assert set(q) >= {"id", "question", "variants", "answer", "key_points", "follow_ups", "notes",
                      "time_limit", "tags"}


def test_notes_file_loads_like_its_imported_deck(tmp_path):
    out = tmp_path / "prep.yaml"
    run("import", SEED, "-o", out)
    assert deck_to_json(load_deck(SEED)) == deck_to_json(load_deck(out))


def test_follow_ups_come_right_after_their_parent_or_not_at_all():
    deck = load_deck(KO_DECK)
    asked = [q.question for q in select_questions(deck, PracticeOptions())]
    parent = asked.index("전 직장에서 가장 크게 기여한 부분은 무엇인가요?")
    assert asked[parent + 1] == "롤백정책은 어떻게 하였나요?"
    parent = asked.index("이전직장에서 이해관계자들과의 관계는 어떠하셨나요?")
    assert asked[parent + 1] == "무슨장애였나요?"
    assert len(asked) == 29
    without = [q.question for q in select_questions(deck, PracticeOptions(follow_ups=False))]
    assert len(without) == 27 and "무슨장애였나요?" not in without


def test_korean_paraphrase_covers_the_right_key_points(tmp_path):
    qid = _id_of(KO_DECK, "Jenkins 로 자동 배포나 빌드 테스트는 해보셨나요?")
    said = tmp_path / "answer.txt"
    # first key point paraphrased (spacing and wording changed), second never mentioned
    said.write_text("네, 파이프 라인이랑 프리 스타일 프로젝트로 빌드하고 배포하는 것을 진행해 봤습니다.",
                    encoding="utf-8")
    r = run("score", KO_DECK, qid, "--transcript", said, "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    covered = [kp["covered"] for kp in result["key_points"]]
    assert covered == [True, False], result["key_points"]


def test_korean_salary_answer_with_numbers_in_words(tmp_path):
    qid = _id_of(KO_DECK, "희망연봉 수준")
    said = tmp_path / "answer.txt"
    said.write_text("희망 연봉은 육천백만 원입니다. 지금 받는 급여보다 십 퍼센트 정도 오른 금액입니다.",
                    encoding="utf-8")
    result = json.loads(run("score", KO_DECK, qid, "--transcript", said, "--json").output)
    assert result["key_points"][0]["covered"], result["key_points"]
    assert result["score"] >= 50


def test_unrelated_korean_answer_scores_low(tmp_path):
    qid = _id_of(KO_DECK, "Jenkins 로 자동 배포나 빌드 테스트는 해보셨나요?")
    said = tmp_path / "answer.txt"
    said.write_text("주말에는 보통 배스 낚시를 하러 저수지에 가고, 가족과 시간을 보내는 편입니다.",
                    encoding="utf-8")
    result = json.loads(run("score", KO_DECK, qid, "--transcript", said, "--json").output)
    assert result["score"] < 20
    assert not any(kp["covered"] for kp in result["key_points"])
