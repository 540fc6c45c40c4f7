"""History: what the store says about past practice, per question and per session, and its export.

Everything here reads the `Store`; nothing writes. An attempt's number is its place among the
attempts at the same question of the same deck, oldest first (``#1`` is the first try), which is
what ``rehearse play --attempt N`` and ``rehearse history`` show.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearse.errors import QuestionNotFound, RehearseError
from rehearse.paths import safe_name
from rehearse.store import Attempt, Session, Store

if TYPE_CHECKING:
    from rehearse.deck import Deck
    from rehearse.score import Score

TREND_WINDOW = 5  # attempts: the trend is the slope over this many latest scores
TREND_FLAT = 2.0  # points per attempt: a slope smaller than this (either way) is "steady"


@dataclass
class NumberedAttempt:
    """An attempt with its number among the attempts at the same question (1 = first)."""

    number: int
    attempt: Attempt

    @property
    def scored(self) -> bool:
        """Whether the attempt was transcribed and scored (not pending, not failed)."""
        return self.attempt.status == "done" and self.attempt.score is not None

    @property
    def outcome(self) -> str | None:
        """``"answer"``; ``"no_speech"`` (no voice heard); ``"unclear"`` (voice, but no words
        made out); None while it is not scored."""
        if not self.scored:
            return None
        r = self.attempt.score_result
        return "unclear" if r and r.unclear else "no_speech" if r and r.no_speech else "answer"


@dataclass
class QuestionHistory:
    """Every attempt at one question of one deck, and what they add up to."""

    deck: str
    question_id: str
    question: str | None  # the phrasing asked most recently
    attempts: list[NumberedAttempt] = field(default_factory=list)

    @property
    def scores(self) -> list[int]:
        """Scores of the scored attempts, oldest first."""
        return [int(a.attempt.score) for a in self.attempts if a.scored]  # type: ignore[arg-type]

    @property
    def best(self) -> NumberedAttempt | None:
        """The highest-scoring attempt (the later one on a tie), or None before any is scored."""
        scored = [a for a in self.attempts if a.scored]
        return max(reversed(scored), key=lambda a: a.attempt.score) if scored else None

    @property
    def latest(self) -> NumberedAttempt | None:
        """The most recent scored attempt."""
        scored = [a for a in self.attempts if a.scored]
        return scored[-1] if scored else None

    @property
    def trend(self) -> float | None:
        """Least-squares slope of the last `TREND_WINDOW` scores, in points per attempt."""
        return score_trend(self.scores)

    @property
    def last_practised(self) -> str | None:
        """When the latest attempt (scored or not) started, ISO 8601."""
        return self.attempts[-1].attempt.started_at if self.attempts else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (what ``rehearse history --json`` prints per question)."""
        best, latest = self.best, self.latest
        return {
            "deck": self.deck,
            "question_id": self.question_id,
            "question": self.question,
            "attempts": len(self.attempts),
            "scored": len(self.scores),
            "best_score": best.attempt.score if best else None,
            "best_attempt": best.number if best else None,
            "latest_score": latest.attempt.score if latest else None,
            "latest_attempt": latest.number if latest else None,
            "latest_outcome": latest.outcome if latest else None,
            "trend": None if self.trend is None else round(self.trend, 2),
            "trend_label": trend_label(self.trend),
            "last_practised": self.last_practised,
            "scores": self.scores,
            "history": [
                {"attempt": a.number, "id": a.attempt.id, "session_id": a.attempt.session_id,
                 "started_at": a.attempt.started_at, "score": a.attempt.score,
                 "coverage": a.attempt.coverage, "duration_s": a.attempt.duration_s,
                 "status": a.attempt.status, "outcome": a.outcome}
                for a in self.attempts
            ],
        }


@dataclass
class SessionSummary:
    """One practice session at a glance."""

    id: str
    deck: str
    started_at: str
    ended_at: str | None
    questions: int  # attempts made (answered or not)
    scored: int  # attempts with a score and speech in them
    average_score: float | None
    pace: float | None  # mean over scored attempts, in `pace_unit`
    pace_unit: str | None  # "wpm" (English) or "spm" (Korean syllables per minute) …
    fillers_per_minute: float | None  # mean over scored attempts
    over_time: int  # attempts that ran past their time limit

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        d = dict(self.__dict__)
        for key in ("average_score", "pace", "fillers_per_minute"):
            if d[key] is not None:
                d[key] = round(d[key], 2)
        return d


def deck_label(path_or_name: str) -> str:
    """The stored deck name for a deck file path or name (the file's stem, as sessions store it).

    Args:
        path_or_name: ``questions/sample-en.yaml``, ``sample-en.yaml`` or ``sample-en``.

    Returns:
        The name the history uses (see `Deck.name`).
    """
    p = Path(path_or_name)
    return safe_name(p.stem if p.suffix.lower() in {".yaml", ".yml", ".txt", ".md"} else p.name)


def resolve_deck(store: Store, spec: str | None) -> str | None:
    """Turn a DECK argument into a stored deck name; None stays None (all decks).

    Raises:
        RehearseError: no practice of that deck is recorded.
    """
    if spec is None:
        return None
    known = store.decks()
    for name in (spec, deck_label(spec)):
        if name in known:
            return name
    have = ", ".join(known) if known else "none yet"
    raise RehearseError(f"no practice of deck '{spec}' is recorded (decks with history: {have})")


def number_attempts(attempts: list[Attempt]) -> list[NumberedAttempt]:
    """Number attempts per (deck, question), oldest first; the order of the input is kept."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for a in sorted(attempts, key=lambda a: a.id):
        key = (a.deck, a.question_id)
        seen[key] = seen.get(key, 0) + 1
        out.append(NumberedAttempt(seen[key], a))
    order = {a.id: i for i, a in enumerate(attempts)}
    return sorted(out, key=lambda n: order[n.attempt.id])


def question_histories(store: Store, deck: str | None = None) -> list[QuestionHistory]:
    """Per question: every attempt, numbered, in the order questions were first practised.

    Args:
        store: the history database.
        deck: a stored deck name, or None for every deck.

    Returns:
        One `QuestionHistory` per (deck, question id) that has attempts.
    """
    groups: dict[tuple[str, str], QuestionHistory] = {}
    for n in number_attempts(store.attempts(deck=deck)):
        a = n.attempt
        h = groups.setdefault((a.deck, a.question_id), QuestionHistory(a.deck, a.question_id, None))
        h.attempts.append(n)
        h.question = a.question or h.question
    return list(groups.values())


def question_history(store: Store, question_id: str, deck: str | None = None) -> QuestionHistory:
    """The history of one question; the deck may be omitted when only one deck has that id.

    Raises:
        QuestionNotFound: no attempts at that question, or the id is in several decks.
    """
    found = [h for h in question_histories(store, deck) if h.question_id == question_id]
    if not found:
        where = f" of deck '{deck}'" if deck else ""
        raise QuestionNotFound(f"no recordings of question '{question_id}'{where} yet; practise first")
    if len(found) > 1:
        decks = ", ".join(h.deck for h in found)
        raise QuestionNotFound(f"question '{question_id}' was practised in several decks ({decks}); "
                               "choose one with --deck")
    return found[0]


def pick_attempt(history: QuestionHistory, which: str | int) -> NumberedAttempt:
    """Choose one attempt with a recording: ``"best"``, ``"latest"`` or an attempt number.

    Raises:
        QuestionNotFound: no such attempt, or it has no recording.
    """
    playable = [a for a in history.attempts if a.attempt.audio_path]
    if which == "latest":  # the latest recording, even one whose transcription never finished
        chosen = playable[-1] if playable else None
    elif which == "best":
        chosen = history.best
    else:
        chosen = next((a for a in history.attempts if a.number == int(which)), None)
        if chosen is None:
            raise QuestionNotFound(f"question '{history.question_id}' has no attempt #{which} "
                                   f"(attempts: 1–{len(history.attempts)})")
    if chosen is None:
        what = "scored attempt" if which == "best" else "recording"
        raise QuestionNotFound(f"question '{history.question_id}' has no {what} yet")
    if not chosen.attempt.audio_path:
        raise QuestionNotFound(f"attempt #{chosen.number} of '{history.question_id}' has no recording")
    return chosen


def playback(history: QuestionHistory, which: str | int) -> list[tuple[str, NumberedAttempt]]:
    """What ``rehearse play`` plays, in order, each with its announcement.

    Args:
        history: the question's history.
        which: ``"latest"``, ``"best"``, ``"compare"`` (best, then latest) or an attempt number.

    Returns:
        (label, attempt) pairs; ``compare`` gives one pair when the best attempt is the latest.
    """
    if which == "compare":
        best, latest = pick_attempt(history, "best"), pick_attempt(history, "latest")
        if best.attempt.id == latest.attempt.id:
            return [("Best and latest", best)]
        return [("Best", best), ("Latest", latest)]
    if which in ("best", "latest"):
        return [(str(which).capitalize(), pick_attempt(history, which))]
    return [(f"Attempt #{int(which)}", pick_attempt(history, which))]


def stored_deck(store: Store, deck_name: str) -> Deck | None:
    """The deck file the latest session of a deck read, loaded; None when it is gone or broken."""
    from rehearse.deck import load_deck

    for s in reversed(store.sessions(deck_name)):
        if s.deck_path and Path(s.deck_path).is_file():
            try:
                return load_deck(s.deck_path)
            except RehearseError:
                return None
    return None


def score_trend(scores: list[int], window: int = TREND_WINDOW) -> float | None:
    """Least-squares slope of the last ``window`` scores in points per attempt (None below two)."""
    ys = scores[-window:]
    n = len(ys)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(ys) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(ys))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def trend_label(slope: float | None) -> str:
    """``improving``, ``slipping``, ``steady`` or ``-`` (fewer than two scores)."""
    if slope is None:
        return "-"
    if slope >= TREND_FLAT:
        return "improving"
    if slope <= -TREND_FLAT:
        return "slipping"
    return "steady"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise_session(session: Session, attempts: list[Attempt]) -> SessionSummary:
    """Average score, pace and fillers of one session's attempts (no-speech answers left out)."""
    results = {a.id: a.score_result for a in attempts}
    spoken = [a for a in attempts if a.status == "done" and a.score is not None
              and not ((r := results[a.id]) and r.no_words)]
    scored = [r for a in spoken if (r := results[a.id])]
    paces = [float(r.pace.value) for r in scored if r.pace.value is not None]
    units = {r.pace.unit for r in scored if r.pace.value is not None and r.pace.unit}
    fillers = [float(r.fillers.per_minute) for r in scored if r.fillers.per_minute is not None]
    return SessionSummary(
        id=session.id,
        deck=session.deck,
        started_at=session.started_at,
        ended_at=session.ended_at,
        questions=len(attempts),
        scored=len(spoken),
        average_score=_mean([float(a.score) for a in spoken if a.score is not None]),
        pace=_mean(paces),
        pace_unit=units.pop() if len(units) == 1 else None,
        fillers_per_minute=_mean(fillers),
        over_time=sum(1 for r in results.values() if r and r.over_time),
    )


def session_summaries(store: Store, deck: str | None = None) -> list[SessionSummary]:
    """Every session (of one deck, or all), oldest first, summarised."""
    return [summarise_session(s, store.session_attempts(s.id)) for s in store.sessions(deck)]


# ---------------------------------------------------------------- export

#: Columns of ``rehearse export --csv``, in order; the JSON export has these plus the full result.
EXPORT_COLUMNS = (
    "id", "session_id", "deck", "question_id", "attempt", "question", "started_at", "ended_at",
    "status", "duration_s", "score", "coverage", "key_points_covered", "key_points_total",
    "pace", "pace_unit", "pace_band", "fillers", "fillers_per_minute", "over_time", "no_speech",
    "unclear", "engine", "model", "audio_path", "transcript",
)


def export_records(store: Store, deck: str | None = None) -> list[dict[str, Any]]:
    """Every attempt as a flat record (see `EXPORT_COLUMNS`) plus ``result``: the stored score.

    Args:
        store: the history database.
        deck: a stored deck name, or None for all.

    Returns:
        Records in the order attempts were made.
    """
    records = []
    for n in number_attempts(store.attempts(deck=deck)):
        a, r = n.attempt, n.attempt.score_result
        rec = {
            "id": a.id, "session_id": a.session_id, "deck": a.deck, "question_id": a.question_id,
            "attempt": n.number, "question": a.question, "started_at": a.started_at,
            "ended_at": a.ended_at, "status": a.status, "duration_s": a.duration_s,
            "score": a.score, "coverage": a.coverage, "engine": a.engine, "model": a.model,
            "audio_path": a.audio_path, "transcript": a.transcript, **_result_columns(r),
        }
        records.append({**{k: rec[k] for k in EXPORT_COLUMNS}, "result": r.to_dict() if r else None})
    return records


def _result_columns(r: Score | None) -> dict[str, Any]:
    """The export columns that come from the stored result (all None while there is none)."""
    if r is None:
        return dict.fromkeys(("key_points_covered", "key_points_total", "pace", "pace_unit", "pace_band",
                              "fillers", "fillers_per_minute", "over_time", "no_speech", "unclear"))
    points = r.key_points
    return {
        "key_points_covered": sum(1 for p in points if p.covered) if points else None,
        "key_points_total": len(points) if points else None,
        "pace": r.pace.value, "pace_unit": r.pace.unit or None, "pace_band": r.pace.band,
        "fillers": r.fillers.count, "fillers_per_minute": r.fillers.per_minute,
        "over_time": r.over_time, "no_speech": r.no_speech, "unclear": r.unclear,
    }


def to_csv(records: list[dict[str, Any]]) -> str:
    """Records as CSV text with a header row (booleans as true/false, missing values empty)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow({k: _csv_value(rec.get(k)) for k in EXPORT_COLUMNS})
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_json(records: list[dict[str, Any]]) -> str:
    """Records as a JSON array (UTF-8 text, Korean kept as is)."""
    return json.dumps(records, ensure_ascii=False, indent=2)


def parse_time(iso: str) -> datetime:
    """Parse a stored ISO 8601 timestamp; one without an offset is taken as local time."""
    t = datetime.fromisoformat(iso)
    return t if t.tzinfo is not None else t.astimezone()
