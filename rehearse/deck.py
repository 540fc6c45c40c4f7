"""Decks: YAML question files (loading, validation, the normalised model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rehearse.errors import DeckError, QuestionNotFound

LANGUAGES = {"ko": "Korean", "en": "English"}


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


@dataclass
class Deck:
    """A deck of questions in one language."""

    title: str
    language: str
    questions: list[Question]
    voice: str | None = None
    time_limit: float = 120.0  # s, default per question
    path: Path | None = None

    def find(self, question_id: str) -> Question:
        """Return the question (or follow-up) with this id."""
        for q in self.walk():
            if q.id == question_id:
                return q
        known = ", ".join(q.id for q in self.walk())
        where = f" in {self.path}" if self.path else ""
        raise QuestionNotFound(f"no question '{question_id}'{where}; known ids: {known}")

    def walk(self) -> list[Question]:
        """All questions in asking order, each followed by its follow-ups."""
        out: list[Question] = []
        for q in self.questions:
            out.append(q)
            out.extend(q.follow_ups)
        return out


def load_deck(path: str | Path) -> Deck:
    """Load and validate a deck file (placeholder: the full loader lives in this module)."""
    raise DeckError("not implemented yet", str(path))
