"""The deck model: a :class:`Deck` of :class:`Question` objects, and the :class:`Problem` a check reports.

What every reader (YAML decks in :mod:`rehearse.deckcheck`, notes in :mod:`rehearse.notes`)
builds and every stage (practice, score, history, schedule) reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rehearse.errors import DeckError, Message, QuestionNotFound
from rehearse.paths import safe_name

LANGUAGES = {"ko": "Korean", "en": "English"}
DEFAULT_TIME_LIMIT = 120.0  # s per question
MAX_QUESTIONS = 10_000  # follow-ups included; keeps memory bounded on absurd input
DECK_KEYS = ("title", "language", "voice", "time_limit", "notes", "questions")
QUESTION_KEYS = ("id", "question", "variants", "answer", "answer_from", "key_points",
                 "follow_ups", "notes", "time_limit", "tags")


@dataclass
class Question:
    """One question as it is asked and scored."""

    id: str
    question: str
    answer: str = ""
    variants: list[str] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    follow_ups: list[Question] = field(default_factory=list)
    notes: str = ""
    time_limit: float | None = None  # s; None = the deck's default
    tags: list[str] = field(default_factory=list)
    answer_from: str | None = None  # id of the question whose answer this one shares
    line: int | None = None  # where the question starts in its file (1-based)


@dataclass
class Deck:
    """A deck of questions in one language."""

    title: str
    language: str
    questions: list[Question]
    voice: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT  # s, default per question
    path: Path | None = None
    notes: str = ""  # reference material for the whole deck: never spoken, never scored

    def find(self, question_id: str, begins: bool = False) -> Question:
        """Return the question (or follow-up) with this id; with ``begins``, also the one
        question whose id it begins (what a user types: ids made from long questions are long,
        우리-회사의-경쟁사는 for 우리-회사의-경쟁사는-누구라고-생각하나요)."""
        questions = list(self.walk())
        for q in questions:
            if q.id == question_id:
                return q
        where = f" in {self.path}" if self.path else ""
        begun = [q for q in questions if begins and question_id and q.id.startswith(question_id)]
        if len(begun) == 1:
            return begun[0]
        if begun:
            raise QuestionNotFound(f"'{question_id}' begins several question ids{where}: "
                                   + ", ".join(q.id for q in begun))
        known = ", ".join(q.id for q in questions)
        raise QuestionNotFound(f"no question '{question_id}'{where}; known ids: {known}")

    @property
    def name(self) -> str:
        """The name recordings and history use for this deck: its file's stem, else its title."""
        return safe_name(self.path.stem if self.path else self.title)

    def walk(self) -> list[Question]:
        """All questions in asking order, each followed by its follow-ups (at any depth)."""
        out: list[Question] = []

        def visit(questions: list[Question]) -> None:
            for q in questions:
                out.append(q)
                visit(q.follow_ups)

        visit(self.questions)
        return out


@dataclass
class Problem:
    """One thing wrong (or worth a look) in a deck file, like a compiler diagnostic."""

    path: str
    line: int | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return where + ("warning: " if self.severity == "warning" else "") + self.message


def too_many_questions(path: str, line: int | None) -> DeckError:
    """The error for a deck past :data:`MAX_QUESTIONS`."""
    return DeckError(Message(f"more than {MAX_QUESTIONS:,} questions; split the deck",
                             "deck.too_many_questions", count=f"{MAX_QUESTIONS:,}"), path, line)


def no_answer(question_id: str) -> Message:
    """The warning for a question with no answer to compare with."""
    return Message(f"question '{question_id}' has no answer; nothing to compare with", "deck.no_answer",
                   id=question_id)
