"""What every notes reader produces: question drafts, and the deck built from them.

Text notes (:mod:`rehearse.textnotes`), spreadsheets (:mod:`rehearse.sheets`) and Word files
(:mod:`rehearse.worddoc`) each turn their input into :class:`Draft` questions and a list of what
they could not place; :func:`build` makes the deck (ids, shared answers, key points) and the
counts ``rehearse import`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rehearse.deckmodel import LANGUAGES, MAX_QUESTIONS, Deck, Question, too_many_questions
from rehearse.errors import DeckError, Message
from rehearse.keypoints import derive_key_points, detect_language, indent_width, slugify, unique_id
from rehearse.reader import tidy_block


@dataclass(slots=True)
class Line:
    """One line of input with what it was recognised as."""

    n: int  # 1-based line number (a spreadsheet's row, a Word file's paragraph)
    raw: str
    kind: str  # blank | heading | rule | item | text | q | follow | a | note | skip | end
    indent: int = 0
    text: str = ""
    level: int = 0  # heading level
    number: tuple[int, ...] = ()  # item number: (2,) for "2.", (2, 1) for "2-1."


def text_lines(text: str, n: int) -> list[Line]:
    """The lines of a cell or paragraph as answer or notes text, all numbered ``n``."""
    return [Line(n, raw, "text", indent_width(raw), raw.strip()) if raw.strip() else
            Line(n, raw, "blank") for raw in text.split("\n")]


@dataclass
class Draft:
    """A question as a reader found it, before ids and key points."""

    question: str
    line: int
    indent: int
    tags: list[str]
    answer: list[Line] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)
    follow_ups: list[Draft] = field(default_factory=list)
    in_notes: bool = False
    shares: Draft | None = None  # the draft whose answer this one takes
    answered: bool = False  # an answer marker (A. / 답:) was seen
    marked: bool = False  # the question came from a marker line (Q. / 질문: / a toggle)
    key_points: list[str] | None = None  # the reader's own, e.g. a spreadsheet cell's lines

    def add(self, line: Line) -> None:
        (self.notes if self.in_notes else self.answer).append(line)

    def has_answer(self) -> bool:
        return any(x.kind != "blank" for x in self.answer)


@dataclass
class Found:
    """What one reader made of its input."""

    shape: str  # what was read, for the summary: "notes", "spreadsheet (CSV, CP949)" …
    drafts: list[Draft] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (line number, line)
    deck_notes: list[Line] = field(default_factory=list)
    title: str | None = None  # a title the input gives itself


class Drafter:
    """Makes drafts, refusing more than :data:`MAX_QUESTIONS` (memory stays bounded)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0

    def __call__(self, text: str, line: int, indent: int, tags: list[str]) -> Draft:
        self.count += 1
        if self.count > MAX_QUESTIONS:
            raise too_many_questions(self.path, line)
        return Draft(text, line, indent, list(tags))


@dataclass
class ImportResult:
    """What an import produced, for the summary ``rehearse import`` prints."""

    deck: Deck
    questions: int  # top-level questions (follow-ups not counted)
    follow_ups: int  # follow-up questions, at any depth
    shared_answers: int  # questions that take their answer from another (``answer_from``)
    notes_kept: int  # blocks of reference material kept as notes
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (line number, line)
    tags: list[str] = field(default_factory=list)  # every tag, in order of first use
    shape: str = "notes"  # what was read: "notes", "spreadsheet (CSV, UTF-8)", "Word file" …


def share(siblings: list[Draft]) -> None:
    """Consecutive questions with no answer of their own take the next answer."""
    pending: list[Draft] = []
    for d in siblings:
        share(d.follow_ups)
        if d.has_answer():
            for p in pending:
                p.shares = d
            pending = []
        elif d.follow_ups or d.notes:
            pending = []
        else:
            pending.append(d)


def block(lines: list[Line]) -> str:
    """Text of an answer or notes block, indentation kept relative to its least indented line."""
    filled = [x for x in lines if x.kind != "blank"]
    if not filled:
        return ""
    base = min(x.indent for x in filled)
    out = []
    for x in lines:
        if x.kind == "blank":
            out.append("")
        else:
            levels = (x.indent - base + 3) // 4  # a tab, or 2–4 spaces, is one level
            out.append("  " * levels + x.raw.strip().replace("\t", " "))
    return tidy_block("\n".join(out))


def walk(drafts: list[Draft]) -> list[Draft]:
    """Drafts in asking order, each followed by its follow-ups."""
    out: list[Draft] = []
    for d in drafts:
        out.append(d)
        out.extend(walk(d.follow_ups))
    return out


def build(found: Found, path: str, title: str | None, language: str | None) -> ImportResult:
    """Make the deck from a reader's drafts: ids, shared answers, key points, language.

    Args:
        found: the drafts and what could not be placed.
        path: the notes file (``<notes>`` for text given directly).
        title: the deck's title; default: the one the input gives, else the file name.
        language: ``ko`` or ``en``; default: detected from Hangul in the text.

    Returns:
        The deck and the counts for the summary.
    """
    used: set[str] = set()
    counters: dict[str, int] = {}
    made: dict[int, Question] = {}

    def convert(d: Draft) -> Question:
        q = Question(id=unique_id(slugify(d.question), used, counters), question=d.question,
                     answer=block(d.answer), notes=block(d.notes), tags=d.tags, line=d.line)
        made[id(d)] = q
        q.follow_ups = [convert(f) for f in d.follow_ups]
        return q

    questions = [convert(d) for d in found.drafts]
    title = title or found.title or (Path(path).stem if path != "<notes>" else "Imported notes")
    deck = Deck(title=title, language="", questions=questions, notes=block(found.deck_notes))
    drafts = walk(found.drafts)
    for d in drafts:
        q = made[id(d)]
        q.key_points = list(d.key_points) if d.key_points else derive_key_points(q.answer)
    for d in drafts:
        if d.shares is not None:
            q, target = made[id(d)], made[id(d.shares)]
            q.answer_from, q.answer, q.key_points = target.id, target.answer, target.key_points
    flat = deck.walk()
    text = " ".join(f"{q.question} {q.answer}" for q in flat)
    deck.language = (language or detect_language(text)).lower()
    if deck.language not in LANGUAGES:
        raise DeckError(Message(f"unknown language '{language}' (use one of: {', '.join(LANGUAGES)})",
                                "deck.unknown_language", language=language), path)
    tags = list(dict.fromkeys(t for q in flat for t in q.tags))
    return ImportResult(
        deck=deck,
        questions=len(deck.questions),
        follow_ups=len(flat) - len(deck.questions),
        shared_answers=sum(q.answer_from is not None for q in flat),
        notes_kept=sum(bool(q.notes) for q in flat) + bool(deck.notes),
        unplaced=sorted(found.unplaced),
        tags=tags,
        shape=found.shape,
    )
