"""History store: migrations and the attempt lifecycle on real SQLite files."""

from __future__ import annotations

import sqlite3

from rehearse.store import MIGRATIONS, Store, migrate
from rehearse.transcript import Transcript


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
    store.complete_attempt(aid, t, 77, 0.5, {"score": 77, "key_points": []})
    store.end_session("s1")
    store.close()
    again = Store(tmp_path / "history.sqlite")
    (a,) = again.attempts(deck="deck", question_id="q1")
    assert (a.status, a.score, a.transcript, a.engine, a.model) == ("done", 77, "hello 안녕",
                                                                    "openai-whisper", "base")
    assert a.result == {"score": 77, "key_points": []}
    mode = again.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
