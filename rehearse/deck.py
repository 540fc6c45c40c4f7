"""Decks: loading a YAML deck or a notes file into the resolved model, and checking either.

The format is documented in ``docs/decks.md``. The model lives in :mod:`rehearse.deckmodel`,
YAML validation in :mod:`rehearse.deckcheck`, output in :mod:`rehearse.deckdump`, and free-form
notes are turned into decks by :mod:`rehearse.notes`; :func:`load_deck` accepts either and always
returns a fully resolved :class:`Deck`: every question has an id, its answer (shared answers
resolved) and key points.
"""

from __future__ import annotations

from pathlib import Path

from rehearse.deckcheck import check_yaml
from rehearse.deckdump import deck_to_json, dump_deck_yaml
from rehearse.deckmodel import (
    DECK_KEYS,
    DEFAULT_TIME_LIMIT,
    LANGUAGES,
    QUESTION_KEYS,
    Deck,
    Problem,
    Question,
    no_answer,
)
from rehearse.errors import DeckError, Message
from rehearse.notes import import_notes
from rehearse.reader import MAX_FILE_BYTES, looks_like_yaml, read_source

__all__ = [
    "DECK_KEYS", "DEFAULT_TIME_LIMIT", "LANGUAGES", "MAX_FILE_BYTES", "QUESTION_KEYS", "Deck",
    "Problem", "Question", "check_deck", "deck_to_json", "dump_deck_yaml", "load_deck",
]


def load_deck(path: str | Path) -> Deck:
    """Load a deck: a YAML deck, or a notes file imported on the fly.

    Args:
        path: a ``.yaml`` deck, or notes: text (``.txt``, ``.md``, or anything that is not a
            YAML deck), a spreadsheet (``.csv``, ``.tsv``, ``.xlsx``) or a Word file (``.docx``).

    Returns:
        The deck with ids, shared answers and key points resolved; ``deck.path`` is set.

    Raises:
        DeckError: on the first error, as ``path:line: message``.
    """
    source = read_source(path)
    if source.kind != "text" or not looks_like_yaml(path, source.text):
        deck = import_notes(path, source=source).deck
        deck.path = Path(path)
        return deck
    deck, problems = check_yaml(source.text, str(path))
    for p in problems:
        if p.severity == "error":
            raise DeckError(p.message, p.path, p.line)
    if deck is None or not deck.questions:  # never reached: an error is reported for these
        raise DeckError(Message("the deck has no questions", "deck.no_questions_list"), str(path), 1)
    deck.path = Path(path)
    return deck


def check_deck(path: str | Path) -> list[Problem]:
    """Validate a deck (or notes file) and report every problem, in file order.

    Args:
        path: the deck or notes file.

    Returns:
        Problems with ``severity`` ``"error"`` (the deck cannot be used) or ``"warning"``
        (e.g. an empty answer); an empty list when all is well.
    """
    try:
        source = read_source(path)
    except DeckError as e:
        return [Problem(str(path), e.line, e.bare_message)]
    if source.kind == "text" and looks_like_yaml(path, source.text):
        return check_yaml(source.text, str(path))[1]
    try:
        result = import_notes(path, source=source)
    except DeckError as e:
        return [Problem(str(path), e.line, e.bare_message)]
    problems = [Problem(str(path), n, Message(f"could not place this line: {line.strip()[:60]}",
                                              "deck.unplaced", text=line.strip()[:60]), "warning")
                for n, line in result.unplaced]
    problems += [Problem(str(path), q.line, no_answer(q.id), "warning")
                 for q in result.deck.walk() if not q.answer]
    return sorted(problems, key=lambda p: p.line or 0)
