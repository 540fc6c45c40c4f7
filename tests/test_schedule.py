"""Scheduling: the rating mapping, FSRS replay with a fixed clock, and the order of questions."""

from __future__ import annotations

import random

import pytest
from histdata import T0, add, days, result

from rehearse.deck import Deck, Question
from rehearse.errors import RehearseError
from rehearse.schedule import (
    MAX_INTERVAL_DAYS,
    Rating,
    due_lists,
    order_questions,
    rate,
    schedules,
)
from rehearse.score import Score
from rehearse.store import Store


@pytest.mark.parametrize(
    ("res", "expected"),
    [
        (None, Rating.AGAIN),
        (result("q", 0, no_speech=True), Rating.AGAIN),
        (result("q", 30, 0.39), Rating.AGAIN),
        (result("q", 50, 0.40), Rating.HARD),
        (result("q", 69, 0.69), Rating.HARD),
        (result("q", 70, 0.70), Rating.GOOD),
        (result("q", 89, 0.89, fillers_per_min=0.0), Rating.GOOD),
        (result("q", 95, 0.95, fillers_per_min=0.5), Rating.EASY),
        (result("q", 95, 0.95, fillers_per_min=3.0), Rating.GOOD),  # Easy needs clean delivery
        (result("q", 95, 0.95, over_time=True), Rating.GOOD),
        (result("q", 80, 0.80, over_time=True), Rating.HARD),
        (result("q", 80, 0.80, fillers_per_min=6.0), Rating.HARD),
        (result("q", 95, 0.95, fillers_per_min=12.0, over_time=True), Rating.HARD),  # never below Hard
        (result("q", 50, 0.50, fillers_per_min=12.0, over_time=True), Rating.HARD),
        (result("q", 20, 0.20, fillers_per_min=None), Rating.AGAIN),
    ],
)
def test_rating_mapping(res, expected):
    assert rate(res).rating == expected


def test_rating_reasons_and_score_fallback():
    r = rate(result("q", 80, 0.8, over_time=True, fillers_per_min=6.0))
    assert r.reasons == ["coverage 80%", "over the time limit", "6.0 fillers/min"]
    no_coverage = Score.from_dict({"score": 92})  # a result stored without coverage: the score stands in
    assert rate(no_coverage).rating == Rating.EASY
    assert rate(None, score=55).rating == Rating.HARD


def _deck() -> Deck:
    return Deck("Deck", "en", [
        Question("q1", "One?", tags=["core"]),
        Question("q2", "Two?", follow_ups=[Question("q2a", "Two, more?")], tags=["core"]),
        Question("q3", "Three?", tags=["personal"]),
        Question("q4", "Four?", tags=["core"]),
    ])


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "history.sqlite")
    # q1: Good twice → in review, due days later; q2: Again a day ago; q4: Hard a day ago;
    # q2a: Good once (learning: due ten minutes later); q3: never practised
    add(s, "s1", "Deck", "q1", T0 - days(3), result("q1", 85))
    add(s, "s2", "Deck", "q1", T0 - days(1), result("q1", 85))
    add(s, "s2", "Deck", "q2", T0 - days(1), result("q2", 20))
    add(s, "s2", "Deck", "q2a", T0 - days(1), result("q2a", 80))
    add(s, "s2", "Deck", "q4", T0 - days(1), result("q4", 55))
    add(s, "s2", "Deck", "q3", T0 - days(1), None)  # pending: not a review yet
    yield s
    s.close()


def test_schedules_replay_attempts_with_a_fixed_clock(store):
    deck = _deck()
    by_id = {s.question_id: s for s in schedules("Deck", deck.walk(), store, now=T0)}
    q1, q2, q2a, q3, q4 = (by_id[k] for k in ("q1", "q2", "q2a", "q3", "q4"))
    assert (q3.state, q3.due, q3.is_due(T0), q3.why(T0)) == ("new", None, True, "never practised")
    assert q3.last_practised is not None  # the pending attempt is practice, not a review
    assert q1.state == "review" and q1.reviews == 2 and not q1.is_due(T0)
    assert T0 < q1.due <= T0 - days(1) + days(MAX_INTERVAL_DAYS)
    assert q2.last_rating == Rating.AGAIN and q2.is_due(T0) and q2.due == T0 - days(1) + days(1 / 1440)
    assert q2a.is_due(T0) and q4.last_rating == Rating.HARD and q4.is_due(T0)
    assert q2.why(T0) == "due 23 hours ago: last Again (coverage 20%)"
    assert q1.why(T0).startswith("due in ") and 0 < q1.retrievability < 1
    # the same history and clock always give the same schedule (no fuzzing)
    again = {s.question_id: s.due for s in schedules("Deck", deck.walk(), store, now=T0)}
    assert again == {k: v.due for k, v in by_id.items()}


def test_due_order_puts_due_and_weak_first_then_new_then_later(store):
    deck = _deck()
    order = [q.id for q in order_questions(deck, deck.walk(), store, due=True, now=T0)]
    # q2 (Again; its follow-up q2a stays with it), q4 (Hard), then new q3, then q1 (not due)
    assert order == ["q2", "q2a", "q4", "q3", "q1"]
    # weeks later q1 is due too: practised questions that are due still come before new ones
    later = [q.id for q in order_questions(deck, deck.walk(), store, due=True, now=T0 + days(40))]
    assert later.index("q1") < later.index("q3")
    limited = order_questions(deck, deck.walk(), store, due=True, limit=2, now=T0)
    assert [q.id for q in limited] == ["q2", "q2a"]


def test_without_due_the_deck_order_is_kept(store):
    deck = _deck()
    qs = deck.walk()
    assert order_questions(deck, qs, store) == qs and order_questions(deck, qs, store) is not qs
    assert [q.id for q in order_questions(deck, qs, store, limit=3)] == ["q1", "q2", "q2a"]


def test_tag_keeps_tagged_questions_and_their_follow_ups(store):
    deck = _deck()
    assert [q.id for q in order_questions(deck, deck.walk(), store, tag="CORE")] == ["q1", "q2", "q2a", "q4"]
    assert [q.id for q in order_questions(deck, deck.walk(), store, tag="personal")] == ["q3"]
    with pytest.raises(RehearseError, match="no question has the tag 'nope' .*core, personal"):
        order_questions(deck, deck.walk(), store, tag="nope")


def test_shuffle_is_a_permutation_that_keeps_follow_ups_after_their_parent(store):
    deck = _deck()
    seen = set()
    for seed in range(20):
        ids = [q.id for q in order_questions(deck, deck.walk(), store, shuffle=True, rng=random.Random(seed))]
        assert sorted(ids) == ["q1", "q2", "q2a", "q3", "q4"]
        assert ids.index("q2a") == ids.index("q2") + 1
        seen.add(tuple(ids))
    assert len(seen) > 5
    # with --due, shuffling only breaks ties: the order by urgency is unchanged here
    ids = [q.id for q in order_questions(deck, deck.walk(), store, due=True, shuffle=True,
                                         rng=random.Random(1), now=T0)]
    assert ids == ["q2", "q2a", "q4", "q3", "q1"]


def test_due_lists_from_a_deck_file_or_from_history_alone(store, tmp_path):
    deck_file = tmp_path / "Deck.yaml"
    deck_file.write_text("title: Deck\nlanguage: en\nquestions:\n"
                         "  - {id: q1, question: One?, answer: one}\n"
                         "  - {id: q5, question: Five?, answer: five}\n", encoding="utf-8")
    (d,) = due_lists(store, str(deck_file), now=T0)
    assert d.deck_found and [s.question_id for s in d.items] == ["q5", "q1"]  # new, then not due
    # the stored sessions have no deck file: only questions practised before are known
    (d,) = due_lists(store, "Deck", now=T0)
    assert not d.deck_found and [s.question_id for s in d.items][:3] == ["q2", "q4", "q2a"]
    assert [x.deck for x in due_lists(store, None, now=T0)] == ["Deck"]
