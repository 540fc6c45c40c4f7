"""Decks: loading, validation messages, shared answers, key points, JSON and YAML output."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehearse.deck import (
    MAX_FILE_BYTES,
    Deck,
    Question,
    check_deck,
    deck_to_json,
    dump_deck_yaml,
    load_deck,
)
from rehearse.errors import DeckError, QuestionNotFound
from rehearse.keypoints import derive_key_points, slugify

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "questions"


def write(tmp_path: Path, text: str, name: str = "deck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
title: Practice
language: en
time_limit: 60
questions:
  - id: intro
    question: Tell me about yourself.
    answer: |
      I build web services for a living.
      I lead a small team.
  - question: Why should we hire you?
    answer_from: why-us
  - id: why-us
    question: Why do you want to work here?
    variants: [What draws you to us?]
    answer: |
      - Your product
        I use it every day.
      - Your team
        You value careful testing.
    follow_ups:
      - question: What would you change first?
        answer: The onboarding flow loses half of the new users.
        time_limit: 30
    notes: Founded 2009.
    tags: [motivation]
"""


# ---------------------------------------------------------------- the shipped decks


@pytest.mark.parametrize("name", ["sample-en.yaml", "interview-prep-ko.yaml"])
def test_shipped_decks_pass_check(name):
    problems = check_deck(QUESTIONS / name)
    assert [str(p) for p in problems] == []
    deck = load_deck(QUESTIONS / name)
    assert all(q.key_points and q.answer for q in deck.walk())


def test_sample_en_is_four_plain_answers_of_a_few_key_points():
    deck = load_deck(QUESTIONS / "sample-en.yaml")
    assert deck.language == "en" and deck.time_limit == 90
    assert [q.id for q in deck.questions][0] == "tell-me-about-yourself"
    assert len(deck.questions) == 4 and not any(q.follow_ups for q in deck.questions)
    for q in deck.questions:
        assert 40 <= len(q.answer.split()) <= 70, q.id
        assert 3 <= len(q.key_points) <= 4, q.id
        assert len(set(q.key_points)) == len(q.key_points)


def test_korean_deck_keeps_the_seed_structure():
    deck = load_deck(QUESTIONS / "interview-prep-ko.yaml")
    assert deck.language == "ko"
    assert len(deck.questions) == 27 and len(deck.walk()) == 29
    text = (QUESTIONS / "interview-prep-ko.yaml").read_text(encoding="utf-8")
    assert "\\u" not in text and "배스 낚시" in text
    assert text.count("서비스 연계능력을 가지고 있기에") == 1  # the shared answer is not copied


def test_the_documented_example_is_a_valid_deck(tmp_path):
    doc = (ROOT / "docs" / "decks.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path, example)
    assert [str(p) for p in check_deck(path)] == []
    deck = load_deck(path)
    assert deck.find("why-should-we-hire-you").answer == deck.find("why-this-company").answer


# ---------------------------------------------------------------- loading


def test_load_resolves_ids_shared_answers_and_key_points(tmp_path):
    deck = load_deck(write(tmp_path, GOOD))
    assert deck.title == "Practice" and deck.language == "en" and deck.time_limit == 60
    assert deck.path == tmp_path / "deck.yaml"
    assert [q.id for q in deck.walk()] == [
        "intro", "why-should-we-hire-you", "why-us", "what-would-you-change-first"]
    hire = deck.find("why-should-we-hire-you")
    why = deck.find("why-us")
    assert hire.answer == why.answer and hire.answer_from == "why-us"
    assert hire.key_points == why.key_points == [
        "Your product: I use it every day.", "Your team: You value careful testing."]
    assert deck.find("intro").key_points == ["I build web services for a living.",
                                             "I lead a small team."]
    assert why.follow_ups[0].time_limit == 30 and why.variants == ["What draws you to us?"]
    assert [q.line for q in deck.walk()] == [5, 10, 12, 21]


def test_explicit_key_points_win_and_are_inherited_by_sharers(tmp_path):
    deck = load_deck(write(tmp_path, """\
title: t
language: en
questions:
  - id: a
    question: A?
    answer: One long sentence about many things. Another long sentence here.
    key_points: [many things]
  - question: B?
    answer_from: a
"""))
    assert deck.find("a").key_points == ["many things"]
    assert deck.find("b").key_points == ["many things"]


def test_find_unknown_id_lists_known_ones(tmp_path):
    deck = load_deck(write(tmp_path, GOOD))
    with pytest.raises(QuestionNotFound, match="known ids: intro, why-should-we-hire-you"):
        deck.find("nope")


def test_derived_ids_are_unique_and_avoid_explicit_ones(tmp_path):
    deck = load_deck(write(tmp_path, """\
title: t
language: ko
questions:
  - question: 도커는 사용해 보셨나요?
    answer: 네.
  - question: 도커는 사용해 보셨나요?
    answer: 네.
  - id: why
    question: Why?
    answer: Because.
  - question: Why?
    answer: Because.
"""))
    assert [q.id for q in deck.questions] == [
        "도커는-사용해-보셨나요", "도커는-사용해-보셨나요-2", "why", "why-2"]


def test_slugify_is_readable():
    assert slugify("Tell me about yourself.") == "tell-me-about-yourself"
    assert slugify("What's your greatest strength?") == "whats-your-greatest-strength"
    assert slugify("# 취미 / 특기") == "취미-특기"
    assert slugify("?!") == "question"
    assert len(slugify("x" * 500)) == 48


def test_follow_ups_nest_and_walk_in_asking_order():
    leaf = Question("c", "C?")
    deck = Deck("t", "en", [Question("a", "A?", follow_ups=[Question("b", "B?",
                                                                     follow_ups=[leaf])]),
                            Question("d", "D?")])
    assert [q.id for q in deck.walk()] == ["a", "b", "c", "d"]
    assert deck.find("c") is leaf


def test_a_file_without_suffix_is_sniffed(tmp_path):
    deck = load_deck(write(tmp_path, GOOD, name="deck"))
    assert deck.title == "Practice"
    notes = load_deck(write(tmp_path, "# Why?\nBecause I like it a lot.\n", name="notes"))
    assert notes.questions[0].question == "Why?"


def test_bom_crlf_and_utf16_files_load(tmp_path):
    crlf = tmp_path / "crlf.yaml"
    crlf.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(GOOD.encode("utf-16"))
    expected = deck_to_json(load_deck(write(tmp_path, GOOD)))
    assert deck_to_json(load_deck(crlf)) == expected
    assert deck_to_json(load_deck(utf16)) == expected


# ---------------------------------------------------------------- malformed decks

MALFORMED = [
    ("title: x\nquestions:\n  - question: a\n   answer: b\n", 4,
     "YAML syntax error: did not find expected '-' indicator (while parsing a block collection)"),
    ("title: x\nlanguage: en\nquestons:\n  - question: a\n", 3,
     "unknown key 'questons' in a deck; did you mean 'questions'?"),
    ("title: x\nlanguage: en\nquestions:\n  - question: a\n    anser: b\n", 5,
     "unknown key 'anser' in a question; did you mean 'answer'?"),
    ("title: x\nlanguage: en\nquestions:\n  - question: a\n    colour: b\n", 5,
     "unknown key 'colour' in a question (known keys: id, question, variants, answer, "
     "answer_from, key_points, follow_ups, notes, time_limit, tags)"),
    ("title: x\nlanguage: en\nquestions:\n  - id: a\n    question: A?\n    answer: x\n"
     "  - id: a\n    question: B?\n    answer: y\n", 7, "duplicate id 'a' (also on line 4)"),
    ("title: x\nlanguage: kr\nquestions:\n  - question: a\n    answer: b\n", 2,
     "unknown language 'kr' (use one of: ko, en); did you mean 'ko'?"),
    ("title: x\nlanguage: fr\nquestions:\n  - question: a\n    answer: b\n", 2,
     "unknown language 'fr' (use one of: ko, en)"),
    ("title: x\nlanguage: en\ntime_limit: 0\nquestions:\n  - question: a\n    answer: b\n", 3,
     "`time_limit` must be more than 0 seconds (got 0)"),
    ("title: x\nlanguage: en\nquestions:\n  - question: a\n    answer: b\n    time_limit: -5\n",
     6, "`time_limit` must be more than 0 seconds (got -5)"),
    ("title: x\nlanguage: en\nquestions:\n  - question: a\n    answer: b\n    time_limit: soon\n",
     6, "`time_limit` should be a number of seconds, not 'soon'"),
    ("title: x\nlanguage: en\nquestions:\n  - answer: b\n", 4,
     "this question has no `question:` text"),
    ("title: x\nlanguage: en\nquestions:\n  - question: ''\n    answer: b\n", 4,
     "this question has no `question:` text"),
    ("title: x\nlanguage: en\nquestions:\n  - question: a\n    answer_from: nope\n", 5,
     "`answer_from: nope` names no question in this deck"),
    ("title: x\nlanguage: en\nquestions:\n  - id: a\n    question: a\n    answer: b\n"
     "  - question: c\n    answer: d\n    answer_from: a\n", 9,
     "use either `answer` or `answer_from`, not both"),
    ("title: x\nlanguage: en\nquestions:\n  - id: a\n    question: A?\n    answer: b\n"
     "  - id: b\n    question: B?\n    answer_from: a\n  - question: C?\n    answer_from: b\n",
     11, "`answer_from: b` points at a question that itself uses `answer_from`; point at 'a' "
         "directly"),
    ("title: x\nlanguage: en\nquestions: []\n", 3, "`questions` is empty"),
    ("title: x\nlanguage: en\nquestions:\n", 3, "`questions` is empty"),
    ("title: x\nlanguage: en\n", 1, "no `questions:` list"),
    ("title: x\nlanguage: en\nquestions:\n  - Why?\n", 4,
     "each question is a mapping with `question:` and `answer:`, not a text"),
    ("title: x\nlanguage: en\nquestions:\n  - question: a\n    answer: [b, c]\n", 5,
     "`answer` should be text, not a list"),
    ("title: x\ntitle: y\nlanguage: en\nquestions:\n  - question: a\n    answer: b\n", 2,
     "duplicate key 'title' (first on line 1)"),
    ("- title: x\n", 1, "a deck is a mapping with `title`, `language` and `questions`, not a list"),
    ("", 1, "the deck is empty; expected `title`, `language` and `questions`"),
    ("# only a comment\n", 1, "the deck is empty; expected `title`, `language` and `questions`"),
    ("title: x\nlanguage: en\nquestions:\n  - &q\n    question: a\n    answer: b\n  - *q\n", 4,
     "the question on this line is repeated through a YAML alias; write it out (or use "
     "`answer_from` to share an answer)"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_deck_message(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DeckError) as info:
        load_deck(path)
    assert str(info.value) == f"{path}:{line}: {message}"
    assert info.value.line == line
    errors = [p for p in check_deck(path) if p.severity == "error"]
    assert str(errors[0]) == f"{path}:{line}: {message}"


def test_check_reports_every_problem_in_file_order(tmp_path):
    path = write(tmp_path, """\
title: t
language: kr
time_limit: 0
questons: []
questions:
  - id: a
    question: Why?
    answer: Because I like it.
  - id: a
    question: ""
  - question: Q3
    answer_from: nope
""")
    assert [str(p) for p in check_deck(path)] == [
        f"{path}:2: unknown language 'kr' (use one of: ko, en); did you mean 'ko'?",
        f"{path}:3: `time_limit` must be more than 0 seconds (got 0)",
        f"{path}:4: unknown key 'questons' in a deck; did you mean 'questions'?",
        f"{path}:9: duplicate id 'a' (also on line 6)",
        f"{path}:9: warning: question 'a' has no answer; nothing to compare with",
        f"{path}:10: this question has no `question:` text",
        f"{path}:12: `answer_from: nope` names no question in this deck",
    ]
    # load_deck stops at the first error
    with pytest.raises(DeckError, match=r":2: unknown language"):
        load_deck(path)


def test_empty_answers_and_missing_title_are_warnings(tmp_path):
    path = write(tmp_path, "questions:\n  - question: 자기소개 해주세요\n")
    problems = check_deck(path)
    assert [(p.severity, p.line, p.message) for p in problems] == [
        ("warning", 1, "no `title`; using 'deck'"),
        ("warning", 1, "no `language`; guessed 'ko' from the questions"),
        ("warning", 2, "question '자기소개-해주세요' has no answer; nothing to compare with"),
    ]
    deck = load_deck(path)
    assert deck.title == "deck" and deck.language == "ko"
    assert deck.questions[0].key_points == []


def test_file_errors(tmp_path):
    with pytest.raises(DeckError, match=r"missing\.yaml: no such file"):
        load_deck(tmp_path / "missing.yaml")
    with pytest.raises(DeckError, match="is a folder"):
        load_deck(tmp_path)
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"title: x\nquestions:\n\x00\x01\x02")
    with pytest.raises(DeckError) as info:
        load_deck(binary)
    assert str(info.value) == f"{binary}:3: binary data (a NUL byte): a deck or notes file is plain text"
    latin1 = tmp_path / "l.yaml"
    latin1.write_bytes("title: x\nquestions:\n  - question: caf\xe9\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        load_deck(latin1)
    assert str(info.value) == f"{latin1}:3: not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_huge_file_is_refused_without_reading_it_all(tmp_path):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.truncate(MAX_FILE_BYTES * 3)  # sparse: 30 MB that cost nothing on disk
    start = time.monotonic()
    with pytest.raises(DeckError, match="larger than 10 MB"):
        load_deck(huge)
    assert check_deck(huge)[0].message.startswith("file is larger than 10 MB")
    assert time.monotonic() - start < 2


def test_five_megabyte_deck_loads(tmp_path):
    sentence = "I led the project and it shipped on time and under budget. "
    item = "  - question: Tell me about project {n}.\n    answer: |\n" + \
        "".join(f"      {sentence}\n" for _ in range(40))
    body = "".join(item.format(n=n) for n in range(2_000))
    path = write(tmp_path, "title: big\nlanguage: en\nquestions:\n" + body)
    assert path.stat().st_size > 5_000_000
    deck = load_deck(path)
    assert len(deck.questions) == 2_000 and len(deck.questions[-1].key_points) == 40
    assert deck.questions[-1].id == "tell-me-about-project-1999"


def test_absurd_decks_stop_early(tmp_path):
    many = write(tmp_path, "title: t\nlanguage: en\nquestions:\n" + "- question: a\n" * 10_001)
    with pytest.raises(DeckError) as info:
        load_deck(many)
    assert str(info.value) == f"{many}:10004: more than 10,000 questions; split the deck"
    values = write(tmp_path, "title: t\nquestions: [" + "a, " * 500_001 + "]\n")
    with pytest.raises(DeckError, match=r":2: the deck has more than 500,000 values"):
        load_deck(values)
    lines = write(tmp_path, "\n" * 200_000)
    with pytest.raises(DeckError, match=r":200001: more than 200,000 lines"):
        load_deck(lines)
    keys = write(tmp_path, "title: t\nlanguage: en\nquestions:\n- {" +
                 ", ".join(f"k{i}: 1" for i in range(2_000)) + "}\n")
    problems = check_deck(keys)
    assert len(problems) == 1_001 and problems[-1].message == "more than 1000 problems; stopping here"


# ---------------------------------------------------------------- key points


def test_key_points_from_bullets_with_the_lines_under_them():
    answer = "Intro sentence is here.\n- First part\n  with detail\n  - nested\n- Second part\n"
    assert derive_key_points(answer) == [
        "Intro sentence is here.", "First part: with detail nested", "Second part"]


def test_key_points_from_korean_sentences_join_run_on_lines_and_merge_short_ones():
    answer = ("현재 KT본사에 파견근무를 하고있으며 개발툴을 연계하여\n"
              "하나의 사이트에서 관리 할 수 있도록 해주는 포탈을 운영합니다.\n"
              "감사합니다.\n"
              "이전 회사에서는 통합계정관리서비스를 개발 및 구축 하였습니다.")
    assert derive_key_points(answer) == [
        "현재 KT본사에 파견근무를 하고있으며 개발툴을 연계하여 하나의 사이트에서 관리 할 수 있도록 "
        "해주는 포탈을 운영합니다. 감사합니다.",
        "이전 회사에서는 통합계정관리서비스를 개발 및 구축 하였습니다.",
    ]


def test_key_points_from_english_sentences():
    answer = "Thanks. I led the team for three years. We shipped\nfour releases on time! Good."
    assert derive_key_points(answer) == [
        "Thanks. I led the team for three years.", "We shipped four releases on time! Good."]
    assert derive_key_points("") == []
    assert derive_key_points("배스 낚시") == ["배스 낚시"]


# ---------------------------------------------------------------- JSON and YAML output


def test_deck_to_json_shape(tmp_path):
    data = deck_to_json(load_deck(write(tmp_path, GOOD)))
    assert list(data) == ["title", "language", "questions"]
    q = data["questions"][1]
    assert list(q) == ["id", "question", "variants", "answer", "key_points", "follow_ups",
                       "notes", "time_limit", "tags"]
    assert q["answer"] == data["questions"][2]["answer"]  # a shared answer carries its text
    assert q["time_limit"] == 60  # the deck's default
    follow = data["questions"][2]["follow_ups"][0]
    assert follow["time_limit"] == 30 and follow["follow_ups"] == []
    json.dumps(data)


def test_dump_is_readable_and_loads_back_the_same(tmp_path):
    deck = load_deck(write(tmp_path, GOOD))
    deck.voice = "en-us"
    deck.notes = "General notes.\n- id: not a question"
    text = dump_deck_yaml(deck, "Made by hand\nfor a test")
    assert text.startswith("# Made by hand\n# for a test\n\ntitle: Practice\n")
    assert "answer_from: why-us" in text and text.count("You value careful testing.") == 1
    assert "answer: |\n      I build web services" in text
    assert "key_points" not in text  # all of them follow from the answers
    assert "tags: [motivation]" in text
    again = load_deck(write(tmp_path, text, name="again.yaml"))
    assert deck_to_json(again) == deck_to_json(deck)
    assert again.voice == "en-us" and again.notes == deck.notes


def test_dump_keeps_korean_utf8_and_explicit_key_points(tmp_path):
    hobby = Question("취미", "취미 / 특기", answer="배스 낚시를 좋아합니다.\n주말마다 갑니다.",
                     key_points=["배스 낚시"], time_limit=45.5)
    deck = Deck("면접", "ko", [hobby])
    text = dump_deck_yaml(deck)
    assert "취미 / 특기" in text and "\\u" not in text
    assert "key_points:\n      - 배스 낚시" in text and "time_limit: 45.5" in text
    again = load_deck(write(tmp_path, text))
    assert again.questions[0].key_points == ["배스 낚시"]
    assert again.questions[0].time_limit == 45.5


# ---------------------------------------------------------------- property tests

_yaml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
_deckish = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | st.floats(allow_nan=True)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "language", "questions", "question", "answer", "id",
                         "answer_from", "follow_ups", "time_limit", "key_points", "tags",
                         "variants", "notes", "voice", "questons"]) | st.text(max_size=8),
        inner, max_size=5),
    max_leaves=25,
)


def _assert_only_deck_errors(path: Path) -> None:
    try:
        load_deck(path)
    except DeckError as e:
        assert e.line is not None and e.line >= 1, str(e)
        assert str(e).startswith(f"{path}:{e.line}: ")
    problems = check_deck(path)
    assert all(p.line is not None for p in problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_yaml_text)
def test_loader_never_raises_anything_else_on_any_text(tmp_path, text):
    path = tmp_path / "any.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_only_deck_errors(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_loader_never_raises_anything_else_on_any_bytes(tmp_path, data):
    path = tmp_path / "bytes.yaml"
    path.write_bytes(data)
    try:
        load_deck(path)
    except DeckError as e:
        assert e.line is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_deckish)
def test_loader_never_raises_anything_else_on_deck_shaped_yaml(tmp_path, value):
    path = tmp_path / "shaped.yaml"
    path.write_text(yaml.safe_dump(value, allow_unicode=True), encoding="utf-8")
    _assert_only_deck_errors(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions=st.lists(st.fixed_dictionaries({
    "question": st.text(min_size=1, max_size=40).filter(str.strip),
    "answer": st.text(max_size=200),
    "tags": st.lists(st.text(min_size=1, max_size=10).filter(str.strip), max_size=2),
}), min_size=1, max_size=5))
def test_any_valid_deck_round_trips_through_dump(tmp_path, questions):
    deck_yaml = yaml.safe_dump({"title": "t", "language": "en", "questions": questions},
                               allow_unicode=True)
    first = load_deck(write(tmp_path, deck_yaml, name="first.yaml"))
    again = load_deck(write(tmp_path, dump_deck_yaml(first), name="again.yaml"))
    assert deck_to_json(again) == deck_to_json(first)


def test_tabs_and_very_long_lines(tmp_path):
    tabbed = write(tmp_path, "title: x\n\tlanguage: en\n")
    with pytest.raises(DeckError) as info:
        load_deck(tabbed)
    assert str(info.value) == (f"{tabbed}:2: YAML syntax error: found a tab character that "
                               "violates indentation (while scanning a plain scalar)")
    long_answer = "I did it. " * 200_000
    deck = load_deck(write(tmp_path, f"title: x\nlanguage: en\nquestions:\n"
                                     f"  - question: Long?\n    answer: {long_answer}\n"))
    assert len(deck.questions[0].answer) == len(long_answer.strip())
    garbage = write(tmp_path, "title: x\n" + "}{][:,&*!|>'\"%@`" * 100_000 + "\n")
    with pytest.raises(DeckError) as info:
        load_deck(garbage)
    assert info.value.line == 2


def test_deeply_nested_yaml_is_a_deck_error(tmp_path):
    for text in ["[" * 5000, "- " * 3000 + "x", "a:\n" + "".join(
            " " * i + "follow_ups:\n" + " " * i + "- question: q\n" for i in range(0, 1200, 2))]:
        path = write(tmp_path, text)
        with pytest.raises(DeckError) as info:
            load_deck(path)
        assert info.value.line is not None


def test_a_line_separator_in_an_answer_survives_a_dump_and_reload(tmp_path):
    """U+2028 is a line break to YAML: the loader must see it as one too (found by hypothesis)."""
    questions = [{"question": "q", "answer": "\x1f\u20280"}]
    deck_yaml = yaml.safe_dump({"title": "t", "language": "en", "questions": questions}, allow_unicode=True)
    first = load_deck(write(tmp_path, deck_yaml, name="first.yaml"))
    again = load_deck(write(tmp_path, dump_deck_yaml(first), name="again.yaml"))
    assert deck_to_json(again) == deck_to_json(first)


def test_an_id_may_be_given_by_its_beginning_where_a_user_types_it(tmp_path):
    deck = load_deck(write(tmp_path, GOOD))
    assert deck.find("why-s", begins=True).id == "why-should-we-hire-you"
    assert deck.find("intro", begins=True).id == "intro"
    with pytest.raises(QuestionNotFound, match="begins several question ids.*why-should-we-hire-you, why-us"):
        deck.find("why", begins=True)
    with pytest.raises(QuestionNotFound):
        deck.find("why-s")  # stored ids (history, recovery) are matched whole
    from rehearse.practice import PracticeOptions, select_questions

    assert [q.id for q in select_questions(deck, PracticeOptions(only=["why-s"], follow_ups=False))] == [
        "why-should-we-hire-you"]
    with pytest.raises(QuestionNotFound, match="known ids"):
        deck.find("nope", begins=True)
