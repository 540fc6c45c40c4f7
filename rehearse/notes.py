"""The notes import: free-form prep notes (or Markdown) to a deck.

:func:`import_notes` follows these rules (``docs/decks.md`` has them with examples):

- ``#`` … ``######`` headings start sections. A heading whose body holds numbered items, or
  that has sub-headings, is a group: its title becomes a tag of the questions in it (text
  before its first item makes the heading a question too). Any other heading is itself a
  question and its body is the answer.
- ``1.`` / ``1)`` items are questions; the lines under them are the answer. An item indented
  deeper than the previous item is part of that answer (a list inside an answer).
- ``2-1.`` is a follow-up of item 2 (``2-1-1.`` of ``2-1``), with its own answer.
- Consecutive items with no answer of their own share the next item's answer.
- A rule line (``=====``, ``---``, ``***``) ends the answer: what follows, up to the next
  heading or item, is kept as the question's notes (never spoken, never scored).
- Indentation (tabs or spaces) inside an answer is kept relative to the answer, so ``- ``
  bullets with lines under them become key points. Blank lines and trailing spaces are noise.
- Text before the first heading or item cannot be placed; it is reported with its line.

Files are read by :mod:`rehearse.reader`; key points and ids follow :mod:`rehearse.keypoints`,
the same rules YAML decks use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.deckmodel import LANGUAGES, MAX_QUESTIONS, Deck, Question, too_many_questions
from rehearse.errors import DeckError
from rehearse.keypoints import derive_key_points, detect_language, indent_width, slugify, unique_id
from rehearse.reader import (
    MAX_FILE_BYTES,
    NOTES_SUFFIXES,
    YAML_SUFFIXES,
    check_size,
    looks_like_yaml,
    normalise_text,
    read_text,
    tidy_block,
)

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_ITEM = re.compile(r"(\d{1,3}(?:-\d{1,3}){0,3})[.)](?:\s+|$)")
_RULE_CHARS = set("=-*_")


@dataclass
class ImportResult:
    """What an import produced, for the summary ``rehearse import`` prints."""

    deck: Deck
    questions: int  # top-level questions (follow-ups not counted)
    follow_ups: int  # follow-up questions, at any depth
    shared_answers: int  # questions that take their answer from another (``answer_from``)
    notes_kept: int  # blocks of reference material kept as notes
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (line number, line)


@dataclass(slots=True)
class _Line:
    n: int  # 1-based line number
    raw: str
    kind: str  # blank | heading | rule | item | text
    indent: int = 0
    text: str = ""
    level: int = 0  # heading level
    number: tuple[int, ...] = ()  # item number: (2,) for "2.", (2, 1) for "2-1."


@dataclass
class _Section:
    title: str | None
    level: int
    line: int
    body: list[_Line] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)


@dataclass
class _Draft:
    question: str
    line: int
    indent: int
    tags: list[str]
    answer: list[_Line] = field(default_factory=list)
    notes: list[_Line] = field(default_factory=list)
    follow_ups: list[_Draft] = field(default_factory=list)
    in_notes: bool = False
    shares: _Draft | None = None  # the draft whose answer this one takes

    def add(self, line: _Line) -> None:
        (self.notes if self.in_notes else self.answer).append(line)

    def has_answer(self) -> bool:
        return any(x.kind != "blank" for x in self.answer)


def _classify(lines: list[str]) -> list[_Line]:
    out: list[_Line] = []
    fenced = False
    for n, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not stripped:
            out.append(_Line(n, raw, "blank"))
            continue
        line = _Line(n, raw, "text", indent_width(raw), stripped.replace("\t", " "))
        out.append(line)
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or stripped.startswith(("```", "~~~")):
            continue
        compact = stripped.replace(" ", "")
        if (m := _HEADING.match(raw)) and stripped.startswith("#"):
            title = stripped.lstrip("#").strip()
            closed = title.rstrip("#")
            if closed != title and (not closed or closed[-1].isspace()):
                title = closed.rstrip()  # "## Why? ##": the closing hashes are not the title
            line.kind, line.level, line.text = "heading", len(m.group(1)), title
        elif len(compact) >= 3 and len(set(compact)) == 1 and compact[0] in _RULE_CHARS:
            line.kind = "rule"
        elif (m := _ITEM.match(stripped)) and stripped[m.end():].strip():
            line.kind, line.text = "item", stripped[m.end():].strip().replace("\t", " ")
            line.number = tuple(int(x) for x in m.group(1).split("-"))
    return out


def _sections(lines: list[_Line]) -> _Section:
    root = _Section(None, 0, 1)
    stack = [root]
    for line in lines:
        if line.kind == "heading":
            while stack[-1].level >= line.level:
                stack.pop()
            section = _Section(line.text or None, line.level, line.n)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].body.append(line)
    return root


class _Importer:
    """Turns the section tree into question drafts, remembering what it could not place."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.unplaced: list[tuple[int, str]] = []
        self.deck_notes: list[_Line] = []
        self.count = 0

    def draft(self, text: str, line: int, indent: int, tags: list[str]) -> _Draft:
        self.count += 1
        if self.count > MAX_QUESTIONS:
            raise too_many_questions(self.path, line)
        return _Draft(text, line, indent, list(tags))

    def section(self, sec: _Section, tags: list[str], wrapper: bool = False) -> list[_Draft]:
        plain_items = [x for x in sec.body if x.kind == "item" and len(x.number) == 1]
        is_group = sec.title is None or bool(plain_items) or bool(sec.children)
        inner_tags = tags + [sec.title] if sec.title and is_group and not wrapper else tags
        heading = None if not sec.title else (_Draft(sec.title, sec.line, -1, list(tags)) if is_group
                                               else self.draft(sec.title, sec.line, -1, tags))
        current, last_item, orphan_notes = heading, None, False
        items: list[_Draft] = []
        by_number: dict[tuple[int, ...], _Draft] = {}
        for line in sec.body:
            if line.kind == "rule":
                if current is not None:
                    current.in_notes = True
                else:
                    orphan_notes = True
                continue
            if line.kind == "item" and len(line.number) == 1 and (
                    last_item is None or line.indent <= last_item.indent):
                current = last_item = self.draft(line.text, line.n, line.indent, inner_tags)
                items.append(current)
                by_number[line.number] = current
                continue
            if line.kind == "item" and len(line.number) > 1:
                parent = by_number.get(line.number[:-1]) or last_item or heading
                current = self.draft(line.text, line.n, line.indent, [])
                by_number[line.number] = current
                if parent is None:
                    last_item = current
                    current.tags = list(inner_tags)
                    items.append(current)
                else:
                    parent.follow_ups.append(current)
                continue
            if current is not None:
                current.add(line)
            elif orphan_notes:
                self.deck_notes.append(line)
            elif line.kind != "blank":
                self.unplaced.append((line.n, line.raw))
        if heading is not None and is_group and not (heading.has_answer() or heading.follow_ups):
            self.deck_notes.extend(heading.notes)
            heading = None
        drafts = ([heading] if heading else []) + items
        _share(drafts)
        for child in sec.children:
            drafts.extend(self.section(child, inner_tags))
        return drafts


def _share(siblings: list[_Draft]) -> None:
    """Consecutive questions with no answer of their own take the next answer."""
    pending: list[_Draft] = []
    for d in siblings:
        _share(d.follow_ups)
        if d.has_answer():
            for p in pending:
                p.shares = d
            pending = []
        elif d.follow_ups or d.notes:
            pending = []
        else:
            pending.append(d)


def _block(lines: list[_Line]) -> str:
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


def _is_path(value: str) -> bool:
    if "\n" in value or not value or len(value) > 4096:
        return False
    if value.lower().endswith(tuple(NOTES_SUFFIXES | YAML_SUFFIXES)):
        return True
    try:
        return Path(value).is_file()
    except (OSError, ValueError):
        return False


def import_notes(path_or_text: str | Path, *, title: str | None = None,
                 language: str | None = None, text: str | None = None) -> ImportResult:
    """Turn free-form notes (the seed's format, or plain Markdown) into a deck.

    Args:
        path_or_text: a notes file, or the notes themselves (a string with a newline, or one
            that names no file).
        title: the deck's title; default: a single top heading that wraps everything, else
            the file name.
        language: ``ko`` or ``en``; default: detected from Hangul in the text.
        text: the file's contents when the caller has already read ``path_or_text``.

    Returns:
        The deck (ids, shared answers and key points resolved) and counts for the summary,
        with every line that could not be placed.

    Raises:
        DeckError: the file cannot be read, is a YAML deck, or holds no question at all.
    """
    if text is not None:
        path, text = str(path_or_text), normalise_text(text)
    elif isinstance(path_or_text, Path) or _is_path(path_or_text):
        path = str(path_or_text)
        text = read_text(path)
        if looks_like_yaml(path, text):
            raise DeckError("this is a YAML deck already, not notes", path, 1)
    else:
        path, text = "<notes>", normalise_text(path_or_text)
        if len(text) > MAX_FILE_BYTES:
            raise DeckError(f"notes are longer than {MAX_FILE_BYTES // 2**20} MB", path)
    check_size(text, path)
    root = _sections(_classify(text.split("\n")))
    importer = _Importer(path)
    wrapper = (len(root.children) == 1 and bool(root.children[0].children)
               and all(x.kind == "blank" for x in root.body))
    if wrapper and title is None:
        title = root.children[0].title
    # a single heading wrapping everything is the deck's title, not a tag of every question
    drafts = importer.section(root.children[0], [], True) if wrapper else importer.section(root, [])
    if not drafts:
        raise DeckError("no questions found: a question is a `# heading` with its answer "
                        "under it, or a numbered item `1.` with its answer under it", path, 1)
    deck = _build(drafts, importer, path, title, language)
    walked = deck.walk()
    return ImportResult(
        deck=deck,
        questions=len(deck.questions),
        follow_ups=len(walked) - len(deck.questions),
        shared_answers=sum(q.answer_from is not None for q in walked),
        notes_kept=sum(bool(q.notes) for q in walked) + bool(deck.notes),
        unplaced=sorted(importer.unplaced),
    )


def _build(drafts: list[_Draft], importer: _Importer, path: str, title: str | None,
           language: str | None) -> Deck:
    used: set[str] = set()
    counters: dict[str, int] = {}
    made: dict[int, Question] = {}

    def convert(d: _Draft) -> Question:
        q = Question(id=unique_id(slugify(d.question), used, counters), question=d.question,
                     answer=_block(d.answer), notes=_block(d.notes), tags=d.tags, line=d.line)
        made[id(d)] = q
        q.follow_ups = [convert(f) for f in d.follow_ups]
        return q

    questions = [convert(d) for d in drafts]
    deck = Deck(title=title or (Path(path).stem if path != "<notes>" else "Imported notes"),
                language="", questions=questions, notes=_block(importer.deck_notes))
    flat = deck.walk()
    for q in flat:
        q.key_points = derive_key_points(q.answer)
    for d in _walk(drafts):
        if d.shares is not None:
            q, target = made[id(d)], made[id(d.shares)]
            q.answer_from, q.answer, q.key_points = target.id, target.answer, target.key_points
    text = " ".join(f"{q.question} {q.answer}" for q in flat)
    deck.language = (language or detect_language(text)).lower()
    if deck.language not in LANGUAGES:
        raise DeckError(f"unknown language '{language}' (use one of: {', '.join(LANGUAGES)})",
                        path)
    return deck


def _walk(drafts: list[_Draft]) -> list[_Draft]:
    out: list[_Draft] = []
    for d in drafts:
        out.append(d)
        out.extend(_walk(d.follow_ups))
    return out
