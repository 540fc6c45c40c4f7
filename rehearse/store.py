"""Store: every session and attempt in SQLite (``recordings/history.sqlite``).

Named, ordered migrations are applied on every open and recorded in ``_migrations``, so a
database made by any earlier version is brought up to date in place.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rehearse.errors import DiskError, Message, RehearseError
from rehearse.score import Score
from rehearse.transcript import Transcript

#: What the store asks for the current time: a callable returning an aware (or local) datetime.
Clock = Callable[[], datetime]

BUSY_TIMEOUT_MS = 10_000  # another rehearse process may be writing: wait rather than fail
SQLITE_FULL = 13  # "database or disk is full" (sqlite3.SQLITE_FULL from Python 3.11 on)


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run a migration's statements inside `migrate`'s transaction.

    ``executescript`` would commit that transaction first, so a kill (or a second process)
    mid-migration could leave half a schema that no later open can finish.
    """
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def m001_initial(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            deck TEXT NOT NULL,
            deck_path TEXT,
            language TEXT,
            started_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL REFERENCES sessions(id),
            deck TEXT NOT NULL,
            question_id TEXT NOT NULL,
            question TEXT,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            audio_path TEXT,
            duration_s REAL,
            transcript TEXT,
            score INTEGER,
            coverage REAL,
            result_json TEXT,
            engine TEXT,
            model TEXT,
            status TEXT NOT NULL DEFAULT 'done'
        );
        CREATE INDEX attempts_question ON attempts(deck, question_id);
        CREATE INDEX attempts_session ON attempts(session_id);
        """
    )


def m002_history_indexes(db: sqlite3.Connection) -> None:
    # history, due and report read attempts by time and sessions by deck; without these every
    # `rehearse history` scans the whole table once per deck
    _script(
        db,
        """
        CREATE INDEX IF NOT EXISTS attempts_started ON attempts(deck, started_at);
        CREATE INDEX IF NOT EXISTS sessions_deck ON sessions(deck, started_at);
        """
    )


#: Applied in order; append only, never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_initial, m002_history_indexes]


def real_time() -> datetime:
    """The current time (the default clock)."""
    return datetime.now(timezone.utc)


def now_iso(clock: Clock = real_time) -> str:
    """The clock's time (default: now) as a local ISO 8601 string with the UTC offset."""
    return clock().astimezone().isoformat(timespec="seconds")


@dataclass
class Attempt:
    """One stored attempt at a question."""

    id: int
    session_id: str
    deck: str
    question_id: str
    question: str | None
    started_at: str
    ended_at: str | None
    audio_path: str | None
    duration_s: float | None
    transcript: str | None
    score: int | None
    coverage: float | None
    result: dict | None
    engine: str | None
    model: str | None
    status: str

    @property
    def score_result(self) -> Score | None:
        """The stored result as a `Score` (``None`` until the attempt is scored)."""
        return Score.from_dict(self.result) if self.result else None


@dataclass
class Session:
    """One stored practice session."""

    id: str
    deck: str
    deck_path: str | None
    language: str | None
    started_at: str
    ended_at: str | None


class Store:
    """The history database; a context manager that closes it.

    Args:
        path: the SQLite file (created with its folder when missing).
        clock: where every stored time comes from (default: the real time); a test or a replay
            passes its own.
    """

    def __init__(self, path: Path, clock: Clock = real_time) -> None:
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _to_wal(self.db)
            self.db.execute("PRAGMA foreign_keys = ON")
            migrate(self.db, clock)
        except sqlite3.DatabaseError as e:
            raise RehearseError(f"{path}: the history database cannot be opened ({e})") from e
        self.path = path

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> str:
        """The store's clock as a stored time string (see `now_iso`)."""
        return now_iso(self.clock)

    @contextlib.contextmanager
    def _writing(self, what: str, then: str = "try again") -> Iterator[None]:
        """One write transaction; a full disk (or a database that refuses the write) becomes one
        sentence naming the database, ``what`` could not be saved, and ``then`` what to do."""
        try:
            with self.db:
                yield
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorcode", None) == SQLITE_FULL or "disk is full" in str(e):
                raise DiskError(Message(f"{self.path}: the disk is full; {what} could not be saved; "
                                        f"free some space and {then}", "disk.full_history",
                                        path=self.path)) from e
            raise RehearseError(f"{self.path}: {what} could not be saved ({e})") from e

    def start_session(self, session_id: str, deck: str, deck_path: str | None, language: str) -> None:
        """Record that a session began."""
        with self._writing("the new session"):
            self.db.execute(
                "INSERT INTO sessions (id, deck, deck_path, language, started_at) VALUES (?,?,?,?,?)",
                (session_id, deck, deck_path, language, self.now()),
            )

    def end_session(self, session_id: str) -> None:
        """Record that a session ended.

        Sessions end in a ``finally``: when an error is already on its way out (a recording
        stopped by a full disk), the session's end time is given up rather than let a second
        "disk is full" hide the one that names the recording.
        """
        ending_on = sys.exc_info()[1]
        try:
            with self._writing("the session's end time"):
                self.db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (self.now(), session_id))
        except DiskError:
            if ending_on is None:
                raise

    def add_attempt(
        self,
        *,
        session_id: str,
        deck: str,
        question_id: str,
        question: str,
        started_at: str,
        audio_path: str | None,
        duration_s: float | None,
        status: str = "pending",
    ) -> int:
        """Store a recorded attempt (pending until its transcript is in); returns its id."""
        with self._writing("the new attempt"):
            cur = self.db.execute(
                """INSERT INTO attempts (session_id, deck, question_id, question, started_at,
                   ended_at, audio_path, duration_s, status) VALUES (?,?,?,?,?,?,?,?,?)""",
                (session_id, deck, question_id, question, started_at, self.now(), audio_path,
                 duration_s, status),
            )
        return int(cur.lastrowid)

    def mark_recorded(self, attempt_id: int, duration_s: float) -> None:
        """The attempt's audio is complete: it now waits for its transcript."""
        with self._writing(f"the end of attempt #{attempt_id}'s recording", "run `rehearse recover`"):
            self.db.execute(
                "UPDATE attempts SET duration_s = ?, ended_at = ?, status = 'pending' WHERE id = ?",
                (duration_s, self.now(), attempt_id),
            )

    def set_status(self, attempt_id: int, status: str) -> None:
        """Set an attempt's status ("recording", "pending", "done", "lost")."""
        with self._writing(f"attempt #{attempt_id}'s status"):
            self.db.execute("UPDATE attempts SET status = ? WHERE id = ?", (status, attempt_id))

    def delete_attempt(self, attempt_id: int) -> None:
        """Forget an attempt that holds no audio at all."""
        with self._writing(f"the removal of attempt #{attempt_id}"):
            self.db.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

    def complete_attempt(
        self, attempt_id: int, transcript: Transcript, score: int, coverage: float, result: dict
    ) -> None:
        """Add the transcript and score to an attempt, marking it done, in one transaction."""
        with self._writing(f"the transcript and score of attempt #{attempt_id}", "run `rehearse recover`"):
            self.db.execute(
                """UPDATE attempts SET transcript = ?, score = ?, coverage = ?, result_json = ?,
                   engine = ?, model = ?, status = 'done' WHERE id = ?""",
                (transcript.text, score, coverage, json.dumps(result, ensure_ascii=False),
                 transcript.engine, transcript.model, attempt_id),
            )

    def attempts(
        self, deck: str | None = None, question_id: str | None = None, status: str | None = None
    ) -> list[Attempt]:
        """Attempts, oldest first, optionally for one deck, question and status."""
        sql = "SELECT * FROM attempts WHERE 1=1"
        args: list[str] = []
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if deck is not None:
            sql += " AND deck = ?"
            args.append(deck)
        if question_id is not None:
            sql += " AND question_id = ?"
            args.append(question_id)
        rows = self.db.execute(sql + " ORDER BY id", args).fetchall()
        return [_attempt(r) for r in rows]

    def session_attempts(self, session_id: str) -> list[Attempt]:
        """The attempts of one session, in the order they were made."""
        rows = self.db.execute("SELECT * FROM attempts WHERE session_id = ? ORDER BY id",
                               (session_id,)).fetchall()
        return [_attempt(r) for r in rows]

    def attempt(self, attempt_id: int) -> Attempt | None:
        """One attempt by id, or None."""
        row = self.db.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        return _attempt(row) if row else None

    def sessions(self, deck: str | None = None) -> list[Session]:
        """Sessions, oldest first, optionally of one deck."""
        sql, args = "SELECT * FROM sessions", ()
        if deck is not None:
            sql, args = sql + " WHERE deck = ?", (deck,)
        rows = self.db.execute(sql + " ORDER BY started_at, id", args).fetchall()
        return [Session(**dict(r)) for r in rows]

    def session(self, session_id: str) -> Session | None:
        """One session by id, or None."""
        row = self.db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return Session(**dict(row)) if row else None

    def decks(self) -> list[str]:
        """Names of the decks that have sessions, alphabetically."""
        rows = self.db.execute("SELECT DISTINCT deck FROM sessions UNION SELECT DISTINCT deck FROM attempts")
        return sorted(r[0] for r in rows)


def _to_wal(db: sqlite3.Connection) -> None:
    """Put the database in WAL mode, waiting up to the busy timeout for other processes.

    SQLite answers "database is locked" at once, without its busy handler, when the change of
    journal mode could deadlock: several processes opening a new database at the same moment.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _attempt(row: sqlite3.Row) -> Attempt:
    data = dict(row)
    raw = data.pop("result_json")
    return Attempt(result=json.loads(raw) if raw else None, **data)


def migrate(db: sqlite3.Connection, clock: Clock = real_time) -> list[str]:
    """Apply every migration not yet applied (stamped with ``clock``'s time); returns their names.

    All of them run in one ``BEGIN IMMEDIATE`` transaction: a second process opening the same
    new database waits (busy timeout) and then finds them applied, and a kill mid-migration
    leaves the database as it was before.
    """
    names = [fn.__name__ for fn in MIGRATIONS]
    try:
        if {r[0] for r in db.execute("SELECT name FROM _migrations")} >= set(names):
            return []  # the usual case: up to date, no write lock taken
    except sqlite3.OperationalError:  # no _migrations table yet: a new database
        pass
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {r[0] for r in db.execute("SELECT name FROM _migrations")}
        applied = []
        for fn in MIGRATIONS:
            if fn.__name__ in done:
                continue
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", (fn.__name__, now_iso(clock)))
            applied.append(fn.__name__)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return applied
