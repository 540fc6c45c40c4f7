"""History: migrations of real SQLite files, per-question and per-session queries, export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from histdata import T0, add, days, result

from rehearse.deck import Question
from rehearse.errors import QuestionNotFound, RehearseError
from rehearse.history import (
    export_records,
    pick_attempt,
    playback,
    question_histories,
    question_history,
    resolve_deck,
    score_trend,
    session_summaries,
    to_csv,
    to_json,
    trend_label,
)
from rehearse.report import build_report
from rehearse.schedule import Rating, schedules
from rehearse.store import MIGRATIONS, Store, m001_initial, migrate

# ---------------------------------------------------------------- migrations


def _indexes(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}


def test_empty_database_is_migrated_to_the_latest_schema(tmp_path):
    path = tmp_path / "history.sqlite"
    store = Store(path)
    names = [r[0] for r in store.db.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [m.__name__ for m in MIGRATIONS] and "m002_history_indexes" in names
    assert {"attempts_started", "sessions_deck"} <= _indexes(store.db)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.sessions() == [] and store.decks() == [] and question_histories(store) == []
    store.close()
    again = Store(path)  # opening again applies nothing twice
    assert migrate(again.db) == []
    again.close()


def test_database_with_only_the_first_schema_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "history.sqlite"
    # exactly what the walking skeleton wrote: m001's tables, its migrations row, its rows
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    m001_initial(db)
    db.execute("INSERT INTO _migrations VALUES ('m001_initial', '2026-01-01T09:00:00+00:00')")
    db.execute("INSERT INTO sessions VALUES ('s-old', 'sample-en', '/gone/sample-en.yaml', 'en', "
               "'2026-01-01T09:00:00+00:00', '2026-01-01T09:10:00+00:00')")
    old = result("q1", 64, transcript="I built 웹 services")
    for i, (score, status) in enumerate([(64, "done"), (None, "pending")]):
        db.execute(
            """INSERT INTO attempts (session_id, deck, question_id, question, started_at, ended_at,
               audio_path, duration_s, transcript, score, coverage, result_json, engine, model, status)
               VALUES ('s-old', 'sample-en', 'q1', 'Tell me about you', ?, NULL, '/a.wav', 12.5, ?, ?,
               0.5, ?, 'openai-whisper', 'base', ?)""",
            (f"2026-01-01T09:0{i}:00+00:00", old.transcript if score else None, score,
             json.dumps(old.to_dict(), ensure_ascii=False) if score else None, status))
    db.commit()
    assert "attempts_started" not in _indexes(db)
    db.close()

    store = Store(path)
    assert migrate(store.db) == []  # Store already applied what was missing
    applied = [r[0] for r in store.db.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert applied == ["m001_initial", "m002_history_indexes"]
    assert {"attempts_started", "sessions_deck"} <= _indexes(store.db)
    first, second = store.attempts()
    assert (first.score, first.transcript, first.score_result) == (64, "I built 웹 services", old)
    assert (second.status, second.score) == ("pending", None)
    (h,) = question_histories(store, "sample-en")
    assert (len(h.attempts), h.scores, h.best.number, h.last_practised) == (
        2, [64], 1, "2026-01-01T09:01:00+00:00")
    (s,) = session_summaries(store)
    assert (s.id, s.questions, s.scored, s.average_score) == ("s-old", 2, 1, 64.0)
    store.close()


def test_a_result_stored_by_an_older_version_is_read_everywhere(tmp_path):
    # a row whose result lacks what later versions added (delivery, verdict, key-point status, …)
    old = {"question_id": "q1", "transcript": "I built it", "language": "en", "score": 80,
           "coverage": 0.8, "key_points": [{"text": "built it", "covered": True, "evidence": "built it"},
                                            {"text": "in Go", "covered": False}],
           "pace": {"value": 130.0, "unit": "wpm"}, "fillers": {"count": 2, "per_minute": 6.0},
           "over_time": False}
    with Store(tmp_path / "history.sqlite") as store:
        aid = add(store, "s1", "deck", "q1", T0, None, audio=tmp_path / "a.wav")
        with store.db:
            store.db.execute("UPDATE attempts SET status = 'done', score = 80, coverage = 0.8, "
                             "result_json = ? WHERE id = ?", (json.dumps(old), aid))
        (rec,) = export_records(store)
        columns = ("key_points_covered", "key_points_total", "pace", "fillers")
        assert [rec[k] for k in columns] == [1, 2, 130.0, 2]
        assert rec["result"]["key_points"][1]["status"] == "missed"
        assert rec["result"]["delivery"]["score"] is None  # exported in today's shape
        (s,) = session_summaries(store)
        assert (s.scored, s.average_score, s.pace, s.fillers_per_minute) == (1, 80.0, 130.0, 6.0)
        (q,) = schedules("deck", [Question("q1", "One?")], store, now=T0)
        assert q.last_rating == Rating.HARD and q.last_reasons == ["coverage 80%", "6.0 fillers/min"]
        (view,) = build_report(store).questions[0].attempts
        assert [(p.text, p.status) for p in view.key_points] == [("built it", "covered"), ("in Go", "missed")]
        assert ("fillers", "2 (6.0/min)") in view.metrics


# ---------------------------------------------------------------- per question


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "history.sqlite")
    yield s
    s.close()


def test_question_history_numbers_attempts_and_finds_best_latest_and_trend(store, tmp_path):
    for i, score in enumerate([40, 80, 80, 70]):
        add(store, f"s{i}", "deck", "q1", T0 + days(i), result("q1", score), audio=tmp_path / f"{i}.wav")
    add(store, "s3", "deck", "q2", T0 + days(3), result("q2", 90))
    add(store, "s4", "deck", "q1", T0 + days(4), None, audio=tmp_path / "4.wav")  # pending

    h = question_history(store, "q1")
    assert [a.number for a in h.attempts] == [1, 2, 3, 4, 5]
    assert h.scores == [40, 80, 80, 70]
    assert h.best.number == 3  # a tie goes to the later attempt
    assert h.latest.number == 4  # the latest *scored* attempt
    assert h.last_practised == (T0 + days(4)).isoformat()  # the pending one counts as practice
    assert h.trend == pytest.approx(score_trend([40, 80, 80, 70]))
    d = h.to_dict()
    assert (d["attempts"], d["scored"], d["best_score"], d["latest_score"]) == (5, 4, 80, 70)
    assert d["trend_label"] == "improving" and d["history"][-1]["status"] == "pending"
    assert [x.question_id for x in question_histories(store)] == ["q1", "q2"]


def test_trend_is_the_slope_of_the_latest_scores():
    assert score_trend([50]) is None and trend_label(None) == "-"
    assert score_trend([10, 20, 30]) == pytest.approx(10.0)
    assert score_trend([0, 0, 90, 80, 70, 60, 50]) == pytest.approx(-10.0)  # only the last five
    assert trend_label(1.0) == "steady" and trend_label(-3) == "slipping" and trend_label(2) == "improving"


def test_same_question_id_in_two_decks_needs_a_deck(store):
    add(store, "a", "deck-a", "intro", T0, result("intro", 50))
    add(store, "b", "deck-b", "intro", T0 + days(1), result("intro", 60))
    with pytest.raises(QuestionNotFound, match="several decks.*--deck"):
        question_history(store, "intro")
    assert question_history(store, "intro", "deck-b").scores == [60]
    with pytest.raises(QuestionNotFound, match="no recordings of question 'nope'"):
        question_history(store, "nope")


def test_playback_plans_best_then_latest_and_checks_attempt_numbers(store, tmp_path):
    add(store, "s1", "deck", "q1", T0, result("q1", 90), audio=tmp_path / "a.wav")
    add(store, "s2", "deck", "q1", T0 + days(1), result("q1", 60), audio=tmp_path / "b.wav")
    h = question_history(store, "q1")
    assert [(label, n.number) for label, n in playback(h, "compare")] == [("Best", 1), ("Latest", 2)]
    assert [(label, n.number) for label, n in playback(h, 2)] == [("Attempt #2", 2)]
    assert pick_attempt(h, "best").attempt.score == 90
    with pytest.raises(QuestionNotFound, match="no attempt #3"):
        pick_attempt(h, 3)
    add(store, "s3", "deck", "q1", T0 + days(2), result("q1", 95), audio=tmp_path / "c.wav")
    (only,) = playback(question_history(store, "q1"), "compare")  # best is the latest: played once
    assert only[0] == "Best and latest" and only[1].number == 3


def test_attempt_without_recording_cannot_be_played(store):
    add(store, "s1", "deck", "q1", T0, result("q1", 90))
    with pytest.raises(QuestionNotFound, match="no recording"):
        pick_attempt(question_history(store, "q1"), "latest")


def test_resolve_deck_accepts_a_name_or_a_deck_file(store):
    add(store, "s1", "sample-en", "q1", T0, result("q1", 50))
    assert resolve_deck(store, None) is None
    assert resolve_deck(store, "sample-en") == "sample-en"
    assert resolve_deck(store, "questions/sample-en.yaml") == "sample-en"
    with pytest.raises(RehearseError, match="no practice of deck 'other' .*sample-en"):
        resolve_deck(store, "other")


# ---------------------------------------------------------------- per session


def test_session_summary_averages_spoken_answers_only(store):
    add(store, "s1", "deck", "q1", T0, result("q1", 80, pace=150, fillers_per_min=2.0, over_time=True))
    add(store, "s1", "deck", "q2", T0, result("q2", 60, pace=130, fillers_per_min=4.0))
    add(store, "s1", "deck", "q3", T0, result("q3", 0, no_speech=True, pace=None, fillers_per_min=None))
    add(store, "s2", "deck", "q1", T0 + days(1), None)
    s1, s2 = session_summaries(store, "deck")
    assert (s1.questions, s1.scored, s1.average_score, s1.pace, s1.pace_unit) == (3, 2, 70.0, 140.0, "wpm")
    assert (s1.fillers_per_minute, s1.over_time) == (3.0, 1)
    assert (s2.questions, s2.scored, s2.average_score, s2.pace) == (1, 0, None, None)
    assert s1.to_dict()["average_score"] == 70.0 and session_summaries(store, "other") == []


# ---------------------------------------------------------------- export


def test_export_csv_and_json_hold_every_attempt(store, tmp_path):
    said = "파이썬으로 만든 <b>서비스</b>, \"quoted\""
    add(store, "s1", "deck", "q1", T0, result("q1", 80, transcript=said), audio=tmp_path / "a.wav")
    add(store, "s1", "deck", "q2", T0, None)
    add(store, "s2", "deck", "q1", T0 + days(1), result("q1", 85, over_time=True))
    records = export_records(store)
    rows = list(csv.DictReader(io.StringIO(to_csv(records))))
    assert [(r["question_id"], r["attempt"], r["score"], r["status"]) for r in rows] == [
        ("q1", "1", "80", "done"), ("q2", "1", "", "pending"), ("q1", "2", "85", "done")]
    assert rows[0]["transcript"] == said
    first = rows[0]
    assert (first["key_points_covered"], first["key_points_total"], first["pace"]) == ("1", "2", "140.0")
    assert (rows[0]["over_time"], rows[2]["over_time"], rows[0]["audio_path"]) == (
        "false", "true", str(tmp_path / "a.wav"))
    data = json.loads(to_json(records))
    assert len(data) == 3 and data[0]["result"]["key_points"][0]["status"] == "covered"
    assert "파이썬" in to_json(records)  # not \\u-escaped
    assert export_records(store, "nope") == []
