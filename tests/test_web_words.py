"""The core's sentences on the Korean page: every keyed sentence the core can raise or warn with has
Korean words, and they take the values the core gives (the pages themselves: test_web_korean.py,
test_web_app.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rehearse.errors import DeckError, DeviceError, Message, TranscriptionError
from rehearse.web.words import KO, WEB_EN, error_text, say

PACKAGE = Path(__file__).resolve().parent.parent / "rehearse"


def keyed_messages() -> list[tuple[str, str, set[str]]]:
    """(where, key, names of its values) of every ``Message(text, "key", name=...)`` in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py":  # where Message is defined (and rebuilt when unpickled)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message":
                key = node.args[1]
                assert isinstance(key, ast.Constant), f"{path}:{node.lineno}: a Message key must be literal"
                found.append((f"{path.name}:{node.lineno}", key.value, {k.arg for k in node.keywords}))
    return found


def test_every_keyed_sentence_of_the_core_has_korean_words_that_take_its_values():
    found = keyed_messages()
    assert len({key for _, key, _ in found}) >= 15, found  # devices, disk, model, warnings, the web's own
    for where, key, names in found:
        assert key in KO, f"{where}: {key} has no Korean words"
        wanted = set(re.findall(r"{(\w+)", KO[key]))
        assert wanted <= names, f"{where}: {key} needs {wanted - names}"
    for key in WEB_EN:
        assert key in KO, key


def test_a_keyed_error_reads_in_korean_with_its_values_and_unchanged_in_english():
    gone = Message("the microphone stopped sending audio", "device.gone")
    error = DeviceError(Message(f"{gone}; the answer so far is kept in /w/a.wav", "device.lost_kept",
                                cause=gone, path="/w/a.wav"))
    assert str(error) == "the microphone stopped sending audio; the answer so far is kept in /w/a.wav"
    assert error_text(error, "en") == f"{str(error)[:1].upper()}{str(error)[1:]}."
    korean = error_text(error, "ko")
    assert korean.startswith("마이크에서 소리가") and "/w/a.wav" in korean  # the cause, worded too
    assert not re.search("[A-Za-z]{3,}", korean.replace("/w/a.wav", "")), korean
    assert say(Message("no voice was heard", "warn.no_voice"), "ko").startswith("방금 답변에서")


def test_an_error_without_a_key_keeps_its_detail_behind_a_korean_lead():
    deck = error_text(DeckError("mapping values are not allowed here", "q.yaml", 4), "ko")
    assert deck.startswith("q.yaml:4: 질문 모음 파일을 읽을 수 없습니다") and "mapping values" in deck
    assert error_text(TranscriptionError("whisper failed"), "ko").startswith("받아쓰기에 실패했습니다")


def test_why_a_question_is_due_reads_in_korean_from_the_schedule():
    from datetime import datetime, timedelta, timezone

    from histdata import result

    from rehearse.schedule import QuestionSchedule, Rating, rate
    from rehearse.web.words import due_why

    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    rated = rate(result("q1", 50, points=[("a", "covered"), ("b", "missed")]))
    item = QuestionSchedule("q1", "?", "review", now - timedelta(days=2), 1, last_rating=rated.rating,
                            last_reasons=rated.reasons)
    assert item.why(now) == "due 2 days ago: last Hard (coverage 50%)"  # the CLI's words, unchanged
    assert due_why(item, now, "ko") == "2일 전부터 복습할 때: 지난번 어려움 (핵심 포인트 50%)"
    assert due_why(item, now, "en") == item.why(now)
    later = QuestionSchedule("q1", "?", "review", now + timedelta(hours=5), 1, last_rating=Rating.EASY)
    assert due_why(later, now, "ko") == "5시간 뒤 복습: 지난번 쉬움"


def test_a_deck_error_reads_in_korean_after_its_file_and_line_and_unchanged_in_english(tmp_path):
    from rehearse.deck import load_deck

    deck = tmp_path / "q.yaml"
    deck.write_text("title: t\nlanguage: ko\nquestions:\n  - id: a\n    question: 하나?\n    answer: 예\n"
                    "  - id: a\n    question: 둘?\n    answer: 예\n", encoding="utf-8")
    notes = tmp_path / "n.txt"
    notes.write_text("", encoding="utf-8")
    for path, line, english in ((deck, 7, "duplicate id 'a' (also on line 4)"),
                                (notes, 1, "no questions found"),
                                (tmp_path / "gone.txt", None, "no such file")):
        try:
            load_deck(path)
        except DeckError as e:
            error = e
        where = f"{path}:{line}: " if line else f"{path}: "
        assert str(error).startswith(where + english)  # the command line's words
        korean = error_text(error, "ko")
        assert korean.startswith(where) and re.search("[가-힣]", korean), korean
        assert not re.search("[A-Za-z]{3,}", korean.removeprefix(where)), korean
