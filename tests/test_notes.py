"""Notes import: the seed's acceptance facts, Markdown notes, round trips, arbitrary input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehearse.deck import (
    Deck,
    Question,
    check_deck,
    deck_to_json,
    dump_deck_yaml,
    load_deck,
)
from rehearse.errors import DeckError
from rehearse.notes import import_notes
from rehearse.reader import normalise_text

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).resolve().parent / "data" / "interview-prep-ko.txt"  # copy of the seed


@pytest.fixture(scope="module")
def seed():
    return import_notes(SEED)


def by_text(deck: Deck, text: str) -> Question:
    found = [q for q in deck.walk() if q.question == text]
    assert len(found) == 1, f"{text!r}: {len(found)} questions"
    return found[0]


# ---------------------------------------------------------------- the seed (issue 3 acceptance)


def test_seed_has_27_questions_and_2_follow_ups(seed):
    assert seed.questions == 27 and len(seed.deck.questions) == 27
    assert seed.follow_ups == 2 and len(seed.deck.walk()) == 29
    assert seed.unplaced == []
    assert seed.deck.language == "ko"


def test_seed_follow_ups_sit_under_their_parents(seed):
    contrib = by_text(seed.deck, "전 직장에서 가장 크게 기여한 부분은 무엇인가요?")
    assert [f.question for f in contrib.follow_ups] == ["롤백정책은 어떻게 하였나요?"]
    assert contrib.follow_ups[0].answer.startswith("롤백정책은 각종 툴에 API 를 통하여")
    assert "롤백정책은 각종" not in contrib.answer
    relation = by_text(seed.deck, "이전직장에서 이해관계자들과의 관계는 어떠하셨나요?")
    assert [f.question for f in relation.follow_ups] == ["무슨장애였나요?"]
    assert relation.follow_ups[0].answer.startswith("로그인 서비스에서 문자 발송이 안되는 오류였습니다.")
    assert sum(len(q.follow_ups) for q in seed.deck.questions) == 2


def test_seed_motivation_items_share_two_answers(seed):
    motivation = [q for q in seed.deck.questions if "지원동기" in q.tags]
    assert [q.question for q in motivation] == [
        "이 회사에 적합한 인재라고 생각하는 이유가 무엇인가요?",
        "당신을 채용해야하는 이유는 무엇입니까?",
        "왜 우리 회사에서 일하고 싶습니까?",
        "왜 이 일을 하고 싶습니까?",
        "이직할 회사를 고르는 본인의 가장 큰 기준은 무엇인지?",
    ]
    q1, q2, q3, q4, q5 = motivation
    assert q1.answer_from == q2.id and q1.answer == q2.answer
    assert q2.answer.startswith("서비스 연계능력을 가지고 있기에")
    assert q3.answer_from == q4.id and q3.answer == q4.answer
    assert q4.answer.startswith("스파로스 CMP 개발업무를 통하여")
    assert q1.answer != q3.answer and q5.answer_from is None
    assert q1.key_points == q2.key_points
    assert seed.shared_answers == 2
    assert len({q.answer for q in seed.deck.questions}) == 25  # product.md's hand count


def test_seed_headings_with_answers_are_questions(seed):
    hobby = by_text(seed.deck, "취미 / 특기")
    assert hobby.answer == "배스 낚시" and hobby.key_points == ["배스 낚시"]
    assert "6100만원" in by_text(seed.deck, "희망연봉 수준").answer
    rival = by_text(seed.deck, "우리 회사의 경쟁사는 누구라고 생각하나요?")
    assert rival.answer.startswith("CMP의 경쟁상대로는 SKT라고 생각합니다.") and rival.tags == []
    intro = by_text(seed.deck, "자기소개")
    assert intro.answer.startswith("안녕하십니까") and intro.answer.endswith("지원하였습니다.")
    assert seed.deck.questions[0] is intro


def test_seed_headings_over_numbered_items_are_groups(seed):
    texts = {q.question for q in seed.deck.walk()}
    for group in ["자기소개에서 파생되어 나올 수 있는 질문", "회사에 대해 얼마나 아는가?", "지원동기",
                  "이직 사유", "장점 / 단점", "면접관 역질문"]:
        assert group not in texts
    derived = [q for q in seed.deck.questions if "자기소개에서 파생되어 나올 수 있는 질문" in q.tags]
    assert len(derived) == 7 and derived[-1].question == "도커는 사용해 보셨나요?"
    assert by_text(seed.deck, "회사에서 하고 있는 사업에 대해 아는게 있는가?").tags == [
        "회사에 대해 얼마나 아는가?"]


def test_seed_reference_block_is_notes_not_answer(seed):
    docker = by_text(seed.deck, "도커는 사용해 보셨나요?")
    assert docker.answer == "Jenkins를 사용하여 Docker에 배포하는것까지 해봤습니다."
    assert docker.key_points == [docker.answer]
    assert docker.notes.startswith("CMP (Cloud Management Platform)는 클라우드를 통합 관리하는 플랫폼입니다.")
    assert "https://blog.naver.com/PostView.naver?blogId=okestro" in docker.notes
    assert docker.notes.count("※") == 2 and "=====" not in docker.notes
    assert seed.notes_kept == 1
    assert [q.id for q in seed.deck.walk() if q.notes] == [docker.id]


def test_seed_bullets_become_key_points_with_the_lines_under_them(seed):
    q = by_text(seed.deck, "타 시스템과의 연계를 해보셧다고 했는데 어떻게 하셨나요?")
    assert len(q.key_points) == 2
    tools, db = q.key_points
    assert tools.startswith("개발 툴들간의 연계: 개발 툴들간의 연계는 개발툴에서 제공하는 API를 통해서")
    assert "API Document" in tools and "버프스위트라는 도구를" in tools
    assert db == "DB to DB: 통합계정관리서비스 자바로 배치파일을 만들어 연동하였습니다"


def test_seed_lines_and_ids(seed):
    assert by_text(seed.deck, "도커는 사용해 보셨나요?").line == 67
    assert by_text(seed.deck, "롤백정책은 어떻게 하였나요?").line == 137
    assert by_text(seed.deck, "취미 / 특기").id == "취미-특기"
    ids = [q.id for q in seed.deck.walk()]
    assert len(set(ids)) == len(ids)


def test_every_seed_answer_has_key_points(seed):
    assert all(q.answer and q.key_points for q in seed.deck.walk())


# ---------------------------------------------------------------- round trips


def test_seed_round_trip_import_dump_load(tmp_path, seed):
    path = tmp_path / "ko.yaml"
    path.write_text(dump_deck_yaml(seed.deck, "made by a test"), encoding="utf-8")
    assert [str(p) for p in check_deck(path)] == []
    assert deck_to_json(load_deck(path)) == deck_to_json(seed.deck)


def test_notes_file_loads_on_the_fly_like_an_import(seed):
    assert deck_to_json(load_deck(SEED)) == deck_to_json(seed.deck)


def test_shipped_korean_deck_is_the_import_plus_the_declared_polish(seed):
    shipped_path = ROOT / "questions" / "interview-prep-ko.yaml"
    header = shipped_path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "rehearse import" in header and "by hand" in header
    expected = import_notes(SEED).deck
    expected.title = "면접 준비 — 신세계아이앤씨 스파로스 CMP 개발"
    docker = expected.find("도커는-사용해-보셨나요")
    expected.find("cmp에-대해-아시는대로-말씀해보세요").notes, docker.notes = docker.notes, ""
    assert deck_to_json(load_deck(shipped_path)) == deck_to_json(expected)


# ---------------------------------------------------------------- Markdown and the other rules

MARKDOWN = """\
Preamble line that has no question.

# Behavioural

## Tell me about yourself.
I am a backend engineer.
- Payments
  I run the payment system.
- Mentoring
  I mentor two juniors.

## Questions about the role
1. Why this role?
   Because it mixes coding and leading.
   1-1. What would you change first?
        The onboarding flow.
2) What do you know about us?
   You make tools for teachers.
   ---
   Founded 2009, 400 people.

---

# Closing ##
1. Do you have questions for us?
2. Anything else?
   How do you measure success in this role?
"""


def test_markdown_notes(tmp_path):
    path = tmp_path / "prep.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    result = import_notes(path)
    deck = result.deck
    assert deck.title == "prep" and deck.language == "en"
    assert result.unplaced == [(1, "Preamble line that has no question.")]
    assert (result.questions, result.follow_ups, result.shared_answers, result.notes_kept) == (
        5, 1, 1, 1)
    about = by_text(deck, "Tell me about yourself.")
    assert about.tags == ["Behavioural"]
    assert about.key_points == ["I am a backend engineer.", "Payments: I run the payment system.",
                                "Mentoring: I mentor two juniors."]
    why = by_text(deck, "Why this role?")
    assert why.tags == ["Behavioural", "Questions about the role"]
    assert why.answer == "Because it mixes coding and leading."
    assert [(f.question, f.answer) for f in why.follow_ups] == [
        ("What would you change first?", "The onboarding flow.")]
    us = by_text(deck, "What do you know about us?")
    assert (us.answer, us.notes) == ("You make tools for teachers.", "Founded 2009, 400 people.")
    first, last = by_text(deck, "Do you have questions for us?"), by_text(deck, "Anything else?")
    assert first.tags == ["Closing"] and first.answer_from == last.id
    assert first.answer == "How do you measure success in this role?"
    assert [str(p) for p in check_deck(path)] == [
        f"{path}:1: warning: could not place this line: Preamble line that has no question."]


def test_a_heading_wrapping_everything_is_the_title():
    result = import_notes("# My prep\n## Why us?\nYou build good tools.\n## Why now?\nI am ready.\n")
    assert result.deck.title == "My prep"
    assert [(q.question, q.tags) for q in result.deck.questions] == [
        ("Why us?", []), ("Why now?", [])]
    assert import_notes("# Why us?\nGood tools.\n", title="Mine", language="ko").deck.title == "Mine"


def test_numbered_list_inside_an_answer_stays_in_the_answer():
    deck = import_notes("# 이직\n\t1. 왜 이직하나요?\n\t\t이유는 두 가지입니다.\n\t\t1. 성장\n\t\t2. 연봉\n"
                        "\t2. 언제 입사할 수 있나요?\n\t\t다음 달부터 가능합니다.\n").deck
    assert [q.question for q in deck.questions] == ["왜 이직하나요?", "언제 입사할 수 있나요?"]
    assert deck.questions[0].answer == "이유는 두 가지입니다.\n1. 성장\n2. 연봉"


def test_group_heading_with_intro_text_is_also_a_question():
    deck = import_notes("# Self introduction\nI am Kim, a backend engineer.\n"
                        "1. Why backend?\n   I like data.\n").deck
    assert [(q.question, q.answer, q.tags) for q in deck.questions] == [
        ("Self introduction", "I am Kim, a backend engineer.", []),
        ("Why backend?", "I like data.", ["Self introduction"])]


def test_follow_up_of_a_heading_question_and_deck_notes():
    result = import_notes("=====\nGeneral facts.\n# 자기소개\n\t안녕하십니까 김성철입니다.\n"
                          "\t1-1. 왜 개발자인가요?\n\t\t만드는 것이 좋습니다.\n")
    deck = result.deck
    assert deck.notes == "General facts." and result.notes_kept == 1
    assert deck.questions[0].follow_ups[0].question == "왜 개발자인가요?"
    assert (result.questions, result.follow_ups) == (1, 1)


def test_code_fences_are_answer_text():
    deck = import_notes("# How do you deploy?\n```\n# build\n1. make\n```\nThen I ship it.\n").deck
    assert len(deck.questions) == 1
    assert deck.questions[0].answer == "```\n# build\n1. make\n```\nThen I ship it."


def test_mixed_indentation_crlf_and_bom():
    text = ("\ufeff# 질문\r\n  \t1. 첫 번째 질문?\r\n\t    답입니다.   \r\n"
            "\t2. 두 번째 질문?\r\n        답 두 번째입니다.\r\n")
    deck = import_notes(text).deck
    assert [(q.question, q.answer) for q in deck.questions] == [
        ("첫 번째 질문?", "답입니다."), ("두 번째 질문?", "답 두 번째입니다.")]


def test_no_questions_is_an_error_with_a_line():
    for text in ["", "\n\n   \n", "just some text\nwithout any question\n"]:
        with pytest.raises(DeckError) as info:
            import_notes(text)
        assert str(info.value).startswith("<notes>:1: no questions found")


def test_empty_notes_file_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DeckError) as info:
        load_deck(path)
    assert str(info.value).startswith(f"{path}:1: no questions found")
    assert check_deck(path)[0].line == 1


def test_a_yaml_deck_is_not_imported_as_notes():
    path = ROOT / "questions" / "sample-en.yaml"
    with pytest.raises(DeckError) as info:
        import_notes(path)
    assert str(info.value) == f"{path}:1: this is a YAML deck already, not notes"


def test_binary_notes_are_refused(tmp_path):
    path = tmp_path / "photo.md"
    path.write_bytes(b"# title\n\x89PNG\x00\x00")
    with pytest.raises(DeckError, match=r"photo\.md:2: binary data"):
        import_notes(path)


def test_five_megabyte_notes_import_quickly(tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    path = tmp_path / "big.txt"
    copies = 5_000_000 // len(seed.encode()) + 1
    path.write_text(seed * copies, encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    start = time.monotonic()
    result = import_notes(path)
    assert time.monotonic() - start < 20
    assert (result.questions, result.follow_ups) == (27 * copies, 2 * copies)
    assert result.unplaced == []


def test_very_long_lines_are_fine():
    line = "가 " * 500_000
    deck = import_notes(f"# {line}\n\t{line}\n1. {'x' * 1_000_000}\n   {'y ' * 300_000}\n").deck
    assert len(deck.questions) == 2 and len(deck.questions[0].id) <= 48


# ---------------------------------------------------------------- property tests

_line = st.one_of(
    st.sampled_from(["# 지원동기", "## Why us?", "1. 질문입니까?", "2) Why?", "2-1. 후속 질문?",
                     "- 요점", "=====", "---", "배스 낚시", "답입니다.", "", "```", "#", "1.",
                     "3-1-1. deep?", "    ", "※ note"]),
    st.text(max_size=40),
)
_indent = st.sampled_from(["", "\t", "\t\t", "  ", " \t", "\t  ", "    "])
_notes = st.lists(st.tuples(_indent, _line), max_size=30).map(
    lambda rows: "\n".join(i + t for i, t in rows))


def _import_or_deck_error(text: str):
    try:
        return import_notes(text)
    except DeckError as e:
        assert e.line is not None or e.path == text, str(e)  # a one-line path names no file
        return None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=500))
def test_importer_never_raises_anything_else_on_any_text(text):
    _import_or_deck_error(text)


@settings(max_examples=200, deadline=None)
@given(text=_notes, crlf=st.booleans(), bom=st.booleans())
def test_importer_handles_notes_shaped_input(text, crlf, bom):
    text = ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)
    result = _import_or_deck_error(text)
    if result is not None:
        lines = normalise_text(text).count("\n") + 1  # CR, NEL, U+2028 break lines too
        assert all(1 <= n <= lines for n, _ in result.unplaced)
        assert all(q.line is not None and 1 <= q.line <= lines for q in result.deck.walk())


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_notes)
def test_import_round_trips_through_yaml(tmp_path, text):
    result = _import_or_deck_error(text)
    if result is None:
        return
    path = tmp_path / "round.yaml"
    path.write_text(dump_deck_yaml(result.deck), encoding="utf-8")
    assert deck_to_json(load_deck(path)) == deck_to_json(result.deck)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_importer_on_any_bytes(tmp_path, data):
    path = tmp_path / "any.txt"
    path.write_bytes(data)
    try:
        import_notes(path)
    except DeckError as e:
        assert e.line is not None
