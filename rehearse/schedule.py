"""Schedule: which questions to practise next, by FSRS spaced repetition over the stored attempts.

Every scored attempt becomes one FSRS review (the ``fsrs`` package) at the time it was made; the
card of a question is rebuilt by replaying its attempts in order, so the schedule is a pure
function of the history (nothing extra is stored, and it can never drift from what was practised).

How an attempt's result becomes a rating (``rate``):

===========================================================  ==========
result                                                        rating
===========================================================  ==========
no speech (silence, or Whisper's stock phrases), or no score  Again
voice, but no words made out (``Score.unclear``)              Again
key-point coverage < 40 %                                     Again
coverage 40–70 %                                              Hard
coverage 70–90 %                                              Good
coverage ≥ 90 %                                               Easy
===========================================================  ==========

Then delivery: a Good or Easy rating drops one step for each of "over the time limit" and "≥ 5
fillers a minute" (where coaches say fillers start to hurt), never below Hard since the content was
there; and Easy also needs ≤ 1 filler a minute (the coaching target), else it is Good.

Ordering (``order_questions(..., due=True)``): first the questions that are due and were practised
before, weakest first (lowest last rating, then lowest last score, then lowest retrievability);
then questions never practised, in deck order; then the rest, soonest due first. A follow-up stays
right after its parent question.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from rehearse.errors import Message
from rehearse.history import parse_time, question_histories

if TYPE_CHECKING:
    from rehearse.deck import Deck, Question
    from rehearse.score import Score
    from rehearse.store import Store

AGAIN_BELOW = 0.40  # coverage below this: the answer is not there yet
HARD_BELOW = 0.70  # coverage below this: much of it is missing
EASY_FROM = 0.90  # coverage from this: (nearly) everything was said
FILLERS_CLEAN_PER_MIN = 1.0  # fillers a minute: the coaching target, needed for Easy
FILLERS_HURT_PER_MIN = 5.0  # fillers a minute: where they start to hurt, lowers the rating
DESIRED_RETENTION = 0.9  # FSRS: the chance of still knowing an answer when it comes due
MAX_INTERVAL_DAYS = 30  # an interview is weeks away, not years: never wait longer than this


class Rating(IntEnum):
    """FSRS's four grades (same values as ``fsrs.Rating``)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass
class Rated:
    """An attempt's rating and the reasons for it."""

    rating: Rating
    reasons: list[str] = field(default_factory=list)


def rate(result: Score | None, score: int | None = None) -> Rated:
    """Turn a stored score result into an FSRS rating (see the module table).

    Args:
        result: the attempt's stored result (`Attempt.score_result`); None for an attempt that
            was never scored.
        score: the attempt's 0–100 score, used when there is no result.

    Returns:
        The rating and the reasons in words.
    """
    if result is None and score is None:
        return Rated(Rating.AGAIN, [Message("not scored", "due.not_scored")])
    if result is not None and result.no_speech:
        return Rated(Rating.AGAIN, [Message("no speech", "due.no_speech")])
    if result is not None and result.unclear:
        return Rated(Rating.AGAIN, [Message("no words made out", "due.unclear")])
    # a result read from a row without coverage has score / 100 (`Score.from_dict`)
    coverage = result.coverage if result is not None else (score or 0) / 100
    reasons: list[str] = [Message(f"coverage {coverage:.0%}", "due.coverage", coverage=coverage)]
    if coverage < AGAIN_BELOW:
        return Rated(Rating.AGAIN, reasons)
    if coverage < HARD_BELOW:
        return Rated(Rating.HARD, reasons)
    per_minute = float(result.fillers.per_minute or 0.0) if result is not None else 0.0
    over_time = result is not None and result.over_time
    rating = Rating.EASY if coverage >= EASY_FROM else Rating.GOOD
    if over_time:
        reasons.append(Message("over the time limit", "due.over_time"))
        rating = Rating(max(Rating.HARD, rating - 1))
    if per_minute >= FILLERS_HURT_PER_MIN:
        reasons.append(Message(f"{per_minute:.1f} fillers/min", "due.fillers", per_minute=per_minute))
        rating = Rating(max(Rating.HARD, rating - 1))
    elif rating == Rating.EASY and per_minute > FILLERS_CLEAN_PER_MIN:
        reasons.append(Message(f"{per_minute:.1f} fillers/min", "due.fillers", per_minute=per_minute))
        rating = Rating.GOOD
    return Rated(rating, reasons)


@dataclass
class QuestionSchedule:
    """Where one question stands in the spaced-repetition schedule."""

    question_id: str
    question: str
    state: str  # "new" (never scored), "learning", "review" or "relearning"
    due: datetime | None  # None for a new question (due now)
    reviews: int = 0  # scored attempts replayed into the card
    last_practised: datetime | None = None
    last_rating: Rating | None = None
    last_reasons: list[str] = field(default_factory=list)
    latest_score: int | None = None
    retrievability: float | None = None  # FSRS: chance the answer is still known now, 0–1
    stability: float | None = None  # FSRS: days for retrievability to fall to 90 %

    def is_due(self, now: datetime) -> bool:
        """Whether the question should be practised at ``now``."""
        return self.due is None or self.due <= now

    def why(self, now: datetime) -> str:
        """A short reason in words: ``due 2 days ago: last Hard (coverage 55%)``."""
        if self.due is None:
            return "never practised"
        when = f"due {_span(now - self.due)} ago" if self.due <= now else f"due in {_span(self.due - now)}"
        last = ""
        if self.last_rating is not None:
            name = self.last_rating.name.capitalize()
            last = f": last {name}" + (f" ({', '.join(self.last_reasons)})" if self.last_reasons else "")
        return when + last

    def to_dict(self, now: datetime) -> dict[str, Any]:
        """A JSON-ready view (what ``rehearse due --json`` prints)."""
        return {
            "question_id": self.question_id, "question": self.question, "state": self.state,
            "due": self.due.isoformat() if self.due else None, "is_due": self.is_due(now),
            "reviews": self.reviews,
            "last_practised": self.last_practised.isoformat() if self.last_practised else None,
            "last_rating": self.last_rating.name.lower() if self.last_rating else None,
            "latest_score": self.latest_score,
            "retrievability": None if self.retrievability is None else round(self.retrievability, 3),
            "why": self.why(now),
        }


def _span(delta: timedelta) -> str:
    s = abs(delta.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if s >= size:
            n = int(s // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "moments"


def _scheduler():
    from fsrs import Scheduler

    # no fuzzing: the same history must always give the same order (and testable due dates)
    return Scheduler(desired_retention=DESIRED_RETENTION, maximum_interval=MAX_INTERVAL_DAYS,
                     enable_fuzzing=False)


def _utc(t: datetime) -> datetime:
    return t.astimezone(timezone.utc)  # a naive time is local time, as `datetime.astimezone` takes it


def schedules(deck: str, questions: list[Question], store: Store,
              now: datetime | None = None) -> list[QuestionSchedule]:
    """The schedule of each question, in the order given.

    Args:
        deck: the stored deck name (`Deck.name`).
        questions: the questions to place.
        store: the history database.
        now: the time to schedule at (default: the store's clock, normally the current time).

    Returns:
        One `QuestionSchedule` per question.
    """
    from fsrs import Card
    from fsrs import Rating as FsrsRating

    now = _utc(now or store.clock())
    scheduler = _scheduler()
    by_id = {h.question_id: h for h in question_histories(store, deck)}
    state_names = {1: "learning", 2: "review", 3: "relearning"}
    out = []
    for q in questions:
        h = by_id.get(q.id)
        scored = [n.attempt for n in h.attempts if n.scored] if h else []
        item = QuestionSchedule(q.id, q.question, "new", None)
        if h and h.attempts:
            item.last_practised = _utc(parse_time(h.attempts[-1].attempt.started_at))
        if scored:
            card = Card(card_id=1)
            for a in scored:
                rated = rate(a.score_result, a.score)
                at = _utc(parse_time(a.started_at))
                if card.last_review is not None and at < card.last_review:
                    at = card.last_review  # clock skew between machines: never review backwards
                card, _ = scheduler.review_card(card, FsrsRating(int(rated.rating)), review_datetime=at)
            item.state = state_names.get(int(card.state), "review")
            item.due = _utc(card.due)
            item.reviews = len(scored)
            item.last_rating, item.last_reasons = rated.rating, rated.reasons
            item.latest_score = scored[-1].score
            item.retrievability = scheduler.get_card_retrievability(card, max(now, card.last_review))
            item.stability = card.stability
        out.append(item)
    return out


def urgency(item: QuestionSchedule, now: datetime) -> tuple[float, ...]:
    """Sort key: due-and-weak first, then new, then the rest by due date (see the module doc)."""
    if item.due is None:
        return (1.0, 0.0, 0.0, 0.0)
    if item.is_due(now):
        return (0.0, float(item.last_rating or 0), float(item.latest_score or 0),
                float(item.retrievability or 0.0))
    return (2.0, item.due.timestamp(), 0.0, 0.0)


def due_order(items: list[QuestionSchedule], now: datetime | None = None) -> list[QuestionSchedule]:
    """Schedules sorted by `urgency` (stable: equal ones keep their order)."""
    now = _utc(now or datetime.now(timezone.utc))
    return sorted(items, key=lambda s: urgency(s, now))


def _tops(deck: Deck) -> dict[str, Question]:
    """Each question id (follow-ups at any depth included) → its top-level question."""
    top: dict[str, Question] = {}
    for q in deck.questions:
        stack = [q]
        while stack:
            item = stack.pop()
            top[item.id] = q
            stack.extend(item.follow_ups)
    return top


def _groups(deck: Deck, questions: list[Question]) -> list[list[Question]]:
    """Questions grouped with their follow-ups (by top-level question), in first-seen order."""
    top = _tops(deck)
    groups: dict[str, list[Question]] = {}
    for q in questions:
        groups.setdefault(top[q.id].id if q.id in top else q.id, []).append(q)
    return list(groups.values())


def _has_tag(top: dict[str, Question], q: Question, tag: str) -> bool:
    """A question has a tag when it or the top-level question it follows up has it."""
    tags = [*q.tags, *(top[q.id].tags if q.id in top else [])]
    return any(t.casefold() == tag.casefold() for t in tags)


def order_questions(
    deck: Deck,
    questions: list[Question],
    store: Store,
    *,
    due: bool = False,
    limit: int | None = None,
    shuffle: bool = False,
    tag: str | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> list[Question]:
    """The questions of a session in asking order, for ``practice --due/--limit/--shuffle/--tag``.

    Args:
        deck: the loaded deck.
        questions: the candidates (e.g. `rehearse.practice.select_questions`).
        store: the history database.
        due: ask due and weakest questions first (FSRS; see the module doc).
        limit: ask at most this many questions.
        shuffle: random order (follow-ups stay after their parent; with ``due``, it breaks ties).
        tag: keep only questions with this tag (a follow-up inherits its top question's tags).
        now: the time for ``due`` (default: the store's clock).
        rng: the randomness for ``shuffle`` (default: a fresh `random.Random`).

    Returns:
        A new list; ``questions`` is not changed.

    Raises:
        RehearseError: ``tag`` matches none of the questions.
    """
    top = _tops(deck)
    chosen = [q for q in questions if tag is None or _has_tag(top, q, tag)]
    if tag is not None and questions and not chosen:
        from rehearse.errors import RehearseError

        known = sorted({t for q in deck.walk() for t in q.tags})
        raise RehearseError(f"no question has the tag '{tag}' "
                            f"(tags in this deck: {', '.join(known) if known else 'none'})")
    groups = _groups(deck, chosen)
    if shuffle:
        (rng or random.Random()).shuffle(groups)
    if due:
        name = deck.name
        clock = _utc(now or store.clock())
        keys = {s.question_id: urgency(s, clock) for s in schedules(name, chosen, store, clock)}
        groups.sort(key=lambda g: min(keys[q.id] for q in g))
    ordered = [q for g in groups for q in g]
    return ordered[:limit] if limit is not None else ordered


@dataclass
class DeckDue:
    """The schedule of one deck, most urgent first."""

    deck: str  # the stored deck name
    items: list[QuestionSchedule]
    deck_found: bool  # False: the deck file is gone, only practised questions are known


def due_lists(store: Store, spec: str | None = None, now: datetime | None = None) -> list[DeckDue]:
    """What is due in one deck (a file, or a stored name) or in every practised deck.

    Args:
        store: the history database.
        spec: a deck file, a stored deck name, or None for every deck with history.
        now: the time (default: the store's clock).

    Returns:
        One `DeckDue` per deck, its items in `due_order`.
    """
    from pathlib import Path

    from rehearse.deck import Question, load_deck
    from rehearse.history import question_histories, resolve_deck, stored_deck
    from rehearse.paths import safe_name

    now = _utc(now or store.clock())

    targets: list[tuple[str, Deck | None]]
    if spec is not None and Path(spec).is_file():
        deck = load_deck(spec)
        targets = [(safe_name(Path(spec).stem), deck)]
    else:
        names = [resolve_deck(store, spec)] if spec is not None else store.decks()
        targets = [(name, stored_deck(store, name)) for name in names if name is not None]
    out = []
    for name, deck in targets:
        if deck is not None:
            questions = deck.walk()
        else:
            questions = [Question(h.question_id, h.question or h.question_id)
                         for h in question_histories(store, name)]
        out.append(DeckDue(name, due_order(schedules(name, questions, store, now), now), deck is not None))
    return out
