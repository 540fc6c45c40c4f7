"""History store: migrations, the attempt lifecycle, stored scores and the clock, on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from histdata import result

from rehearse.history import parse_time
from rehearse.score import Score, score_answer
from rehearse.store import MIGRATIONS, Store, migrate, now_iso
from rehearse.transcript import Segment, Transcript, Word


def test_empty_database_gets_every_migration(tmp_path):
    db = sqlite3.connect(tmp_path / "h.sqlite")
    assert migrate(db) == [m.__name__ for m in MIGRATIONS]
    assert migrate(db) == []  # idempotent
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "attempts", "_migrations"} <= tables


def test_attempt_is_pending_until_completed(tmp_path):
    store = Store(tmp_path / "history.sqlite")
    store.start_session("s1", "deck", None, "en")
    aid = store.add_attempt(session_id="s1", deck="deck", question_id="q1", question="Q?",
                            started_at="2026-01-01T00:00:00", audio_path="/a.wav", duration_s=3.5)
    (a,) = store.attempts()
    assert a.status == "pending" and a.transcript is None and a.audio_path == "/a.wav"
    t = Transcript("hello 안녕", "ko", engine="openai-whisper", model="base")
    scored = result("q1", 77, 0.5, transcript=t.text)
    store.complete_attempt(aid, t, scored.score, scored.coverage, scored.to_dict())
    store.end_session("s1")
    store.close()
    again = Store(tmp_path / "history.sqlite")
    (a,) = again.attempts(deck="deck", question_id="q1")
    assert (a.status, a.score, a.transcript, a.engine, a.model) == ("done", 77, "hello 안녕",
                                                                    "openai-whisper", "base")
    assert (a.coverage, a.result, a.score_result) == (0.5, scored.to_dict(), scored)
    mode = again.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def _timed(text: str, language: str, gap_at: int = 3) -> Transcript:
    """A transcript with word timings (one word per 0.4 s, a 3 s pause after word ``gap_at``)."""
    words, t = [], 0.5
    for i, w in enumerate(text.split()):
        words.append(Word(w, t, t + 0.3))
        t += 0.4 + (3.0 if i + 1 == gap_at else 0.0)
    return Transcript(text, language, [Segment(0.0, t, text, words)], duration_s=t + 0.5,
                      engine="openai-whisper", model="base")


@pytest.mark.parametrize(("language", "prepared", "said"), [
    ("en", "I built the billing service in Go. It cut costs by 30%.\n- billing service\n- cut costs",
     "um I built the billing service in Go so it cut costs by thirty percent"),
    ("ko", "결제 서비스를 Go로 만들었습니다. 비용을 30% 줄였습니다.",
     "음 결제 서비스를 고로 만들었고 그 비용을 삼십 퍼센트 줄였습니다"),
])
def test_a_score_round_trips_through_the_history(tmp_path, language, prepared, said):
    score = score_answer("q1", prepared, [], _timed(said, language), language=language, time_limit_s=3.0)
    # every part is measured, so a part lost on the way back would show
    assert score.pace.value and score.pauses.count and score.delivery.score is not None and score.over_time
    assert score.key_points and score.verdict
    assert Score.from_dict(score.to_dict()) == score
    with Store(tmp_path / "history.sqlite") as store:
        store.start_session("s1", "deck", None, language)
        aid = store.add_attempt(session_id="s1", deck="deck", question_id="q1", question="Q?",
                                started_at="2026-01-01T00:00:00+00:00", audio_path=None, duration_s=None)
        assert store.attempt(aid).score_result is None  # pending: nothing scored yet
        store.complete_attempt(aid, _timed(said, language), score.score, score.coverage, score.to_dict())
    with Store(tmp_path / "history.sqlite") as again:
        assert again.attempt(aid).score_result == score


def test_a_result_stored_by_an_older_version_still_loads():
    # the shape of a row from before `delivery`, `verdict`, `content_score` and `verbatim.changed`,
    # with key points that carry only `covered`, no coverage, and a key this version does not know
    old = {"question_id": "q1", "transcript": "I built it", "language": "en", "score": 64,
           "key_points": [{"text": "built it", "covered": True, "evidence": "built it"},
                          {"text": "in Go", "covered": False}],
           "verbatim": {"metric": "wer", "value": 0.4}, "pace": {"value": 130.0, "unit": "wpm"},
           "fillers": {"count": 2, "per_minute": 3.0}, "over_time": True, "retired_key": 1}
    s = Score.from_dict(old)
    assert (s.score, s.coverage, s.over_time, s.no_speech) == (64, 0.64, True, False)
    assert [(p.text, p.status, p.covered, p.evidence) for p in s.key_points] == [
        ("built it", "covered", True, "built it"), ("in Go", "missed", False, None)]
    assert (s.verbatim.value, s.verbatim.changed, s.pace.value, s.pace.band) == (0.4, None, 130.0, None)
    assert (s.fillers.count, s.fillers.items, s.pauses.count, s.delivery.score) == (2, {}, 0, None)
    assert (s.content_score, s.verdict) == (0, "")
    assert Score.from_dict(s.to_dict()) == s  # and from then on it round-trips like a new one
    assert Score.from_dict({"score": 77, "key_points": []}).coverage == 0.77


def test_store_takes_a_clock_and_closes_as_a_context_manager(tmp_path):
    at = [datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)]
    with Store(tmp_path / "history.sqlite", clock=lambda: at[0]) as store:
        store.start_session("s1", "deck", None, "en")
        aid = store.add_attempt(session_id="s1", deck="deck", question_id="q1", question="Q?",
                                started_at=store.now(), audio_path=None, duration_s=None)
        at[0] += timedelta(minutes=2)
        store.mark_recorded(aid, 1.5)
        at[0] += timedelta(minutes=1)
        store.end_session("s1")
        applied = store.db.execute("SELECT applied_at FROM _migrations").fetchall()
    with pytest.raises(sqlite3.ProgrammingError):  # closed on leaving the block
        store.db.execute("SELECT 1")
    db = sqlite3.connect(tmp_path / "history.sqlite")
    t = [parse_time(db.execute(sql).fetchone()[0]) for sql in (
        "SELECT started_at FROM sessions", "SELECT ended_at FROM attempts", "SELECT ended_at FROM sessions")]
    db.close()
    assert [x - t[0] for x in t] == [timedelta(0), timedelta(minutes=2), timedelta(minutes=3)]
    assert t[0] == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert {parse_time(r[0]) for r in applied} == {t[0]}
    # without a clock the store, and now_iso, keep telling the real time
    before = datetime.now(timezone.utc).replace(microsecond=0)
    plain = Store(tmp_path / "other.sqlite")
    assert before <= parse_time(plain.now()) <= datetime.now(timezone.utc)
    assert before <= parse_time(now_iso()) <= datetime.now(timezone.utc)
    plain.close()

