"""Text notes to question drafts: the seed's format, Markdown, Q./A. notes and Notion exports.

The rules (``docs/decks.md`` has them with examples):

- ``#`` … ``######`` headings, and ``[section]`` / ``【section】`` lines, start sections. A
  heading whose body holds questions, or that has sub-headings, is a group: its title becomes a
  tag of the questions in it (text before its first question makes the heading a question too).
  Any other heading is itself a question and its body is the answer.
- ``1.`` / ``1)`` items are questions; the lines under them are the answer. An item indented
  deeper than the previous item is part of that answer (a list inside an answer).
- ``2-1.`` is a follow-up of item 2 (``2-1-1.`` of ``2-1``), with its own answer.
- ``Q.`` ``Q:`` ``Q1.`` ``질문:`` ``문.`` ``[Q]`` ``Question:`` lines (also bold, in a bullet or a
  heading) are questions; ``A.`` ``A:`` ``답:`` ``답변:`` ``[A]`` ``Answer:`` ``→`` start their
  answer, which runs (across blank lines) to the next question. In a section with such questions,
  numbered lines are answer text. ``Q-1.`` ``꼬리질문:`` ``follow-up:`` lines, and a question
  indented under another, are follow-ups.
- Notion exports: a ``<details><summary>`` toggle is a question with its content as the answer
  (a toggle inside it is a follow-up); a ``- `` bullet that reads as a question, with lines
  indented under it, is a question too; ``<aside>`` callouts and ``> [!NOTE]`` blocks are notes.
- Consecutive questions with no answer of their own share the next question's answer.
- A rule line (``=====``, ``---``, ``***``) ends the answer: what follows, up to the next
  question, is kept as the question's notes (never spoken, never scored). ``※``, ``참고:`` and
  ``Note:`` lines (and the lines indented under them) are notes too.
- Indentation (tabs or spaces) inside an answer is kept relative to the answer, so ``- ``
  bullets with lines under them become key points. Blank lines and trailing spaces are noise.
- Text before the first question cannot be placed; it is reported with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rehearse.drafts import Draft, Drafter, Found, Line, share
from rehearse.keypoints import indent_width

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_ITEM = re.compile(r"(\d{1,3}(?:-\d{1,3}){0,3})[.)](?:\s+|$)")
_RULE_CHARS = set("=-*_")
_BULLET = re.compile(r"[-*+•]\s+")
_END = r"\s*\d{0,3}\s*[.:)．：]"  # "Q.", "Q1:", "질문 2)" …
_FOLLOW = re.compile(
    r"(?:\[\s*(?:꼬리\s*질문|후속\s*질문|추가\s*질문|(?i:follow[\s-]?up))\s*\]"
    r"|Q\s*\d{0,3}\s*-\s*\d{1,3}(?:\s*[.:)．：]|\s+)"
    rf"|(?:꼬리\s*질문|후속\s*질문|추가\s*질문|(?i:follow[\s-]?ups?(?:\s+questions?)?)){_END})\s*")
_QUESTION = re.compile(
    rf"(?:\[\s*(?:Q|질문|문)\s*\d{{0,3}}\s*\]|(?:Q|질문|문){_END}|(?i:question){_END}|Q\d{{1,3}}(?=\s))\s*")
_ANSWER = re.compile(
    rf"(?:\[\s*(?:A|답|답변)\s*\d{{0,3}}\s*\]|(?:A|답|답변|(?:모범|예시|나의|내)\s*답변){_END}"
    rf"|(?i:answer){_END}|A\d{{1,3}}(?=\s)|(?:→|->|=>|⇒|➡)(?=\s*\S))\s*")
_ARROWS = ("→", "->", "=>", "⇒", "➡")
_NOTE = re.compile(r"(?:※|💡|📌|\[\s*(?:참고|메모|(?i:note|tip))\s*\]|\(참고\)"
                   r"|(?:참고|메모|(?i:note|nb|tip))\s*[:)．：])")
_SECTION = re.compile(r"(?:\[([^\[\]]{1,40})\]|【([^【】]{1,40})】)")
_SUMMARY = re.compile(r"<summary>(.*?)(?:</summary>|$)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,200}>")
# a question as people write one: a question mark, or a Korean request or question ending
_ASKS = re.compile(r"(?:[?？]|해\s*주세요|주세요|하세요|십시오|습니까|니까|나요|까요|가요|는지|은지|인지"
                   r"|는가|인가|을까|할까|했나|어때)[.!?？)\s]*$")


def looks_like_question(text: str) -> bool:
    """True for text that reads as a question: ``…?`` or a Korean question/request ending."""
    # the end is enough, and a search over a whole long line of "? ? ?" would be quadratic
    return bool(_ASKS.search(text.replace("**", "").strip()[-60:]))


def is_marker(text: str) -> bool:
    """True for text that starts with a question, follow-up or answer marker (``Q.``, ``답:`` …)."""
    text = _unwrap(text)
    return any(p.match(text) for p in (_QUESTION, _FOLLOW, _ANSWER))


def _unwrap(text: str) -> str:
    """``- **Q.** text`` → ``Q. text``: a bullet and bold markers around a marker line."""
    if m := _BULLET.match(text):
        text = text[m.end():]
    if text.startswith(("**", "__")):
        text = text.replace("**", "").replace("__", "").strip()
    return text


def _marker(line: Line, text: str) -> bool:
    """Recognise a follow-up, question, answer or note marker at the start of ``text``."""
    for kind, pattern in (("follow", _FOLLOW), ("q", _QUESTION), ("a", _ANSWER)):
        if m := pattern.match(text):
            line.kind, line.text = kind, text[m.end():].strip()
            return True
    if _NOTE.match(text):
        line.kind = "note"
        return True
    return False


def classify(lines: list[str], numbers: list[int] | None = None) -> list[Line]:
    """Recognise what each line is.

    Args:
        lines: the text's lines.
        numbers: each line's number for messages (default 1, 2, 3 …).

    Returns:
        One :class:`Line` per input line.
    """
    out: list[Line] = []
    fenced = aside = callout = False
    details = 0  # <details> nesting
    for i, raw in enumerate(lines):
        n = numbers[i] if numbers else i + 1
        stripped = raw.strip()
        if not stripped:
            out.append(Line(n, raw, "blank"))
            continue
        line = Line(n, raw, "text", indent_width(raw), stripped.replace("\t", " "))
        out.append(line)
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or stripped.startswith(("```", "~~~")):
            continue
        lower = stripped.lower()
        if aside or lower.startswith("<aside"):  # a Notion callout: notes
            aside = "</aside>" not in lower
            line.kind, line.raw = "note", _TAG.sub("", stripped).strip()
            if not line.raw:
                line.kind = "skip"
            continue
        if callout and stripped.startswith(">"):
            line.kind, line.raw = "note", stripped.lstrip("> ").strip() or " "
            continue
        callout = False
        if re.match(r">\s*\[!\w+\]", stripped):  # "> [!NOTE]": a Markdown callout
            callout = True
            line.kind, line.raw = "note", re.sub(r">\s*\[!\w+\][-+]?\s*", "", stripped) or " "
            if not line.raw.strip():
                line.kind = "skip"
            continue
        if lower.startswith(("<details", "<summary")):
            details += lower.startswith("<details")
            m = _SUMMARY.search(stripped)
            text = _unwrap(_TAG.sub("", m.group(1)).strip()) if m else ""
            if text:
                if not _marker(line, text) or line.kind not in ("q", "follow"):
                    line.kind, line.text = "q", text
                line.kind, line.level = "q", max(details, 1)  # a toggle: level = its depth
            else:
                line.kind = "skip"
            continue
        if lower.startswith("</details"):
            details = max(details - 1, 0)
            line.kind = "end"
            continue
        if lower in ("</summary>", "<p>", "</p>"):
            line.kind = "skip"
            continue
        compact = stripped.replace(" ", "")
        if (m := _HEADING.match(raw)) and stripped.startswith("#"):
            title = stripped.lstrip("#").strip()
            closed = title.rstrip("#")
            if closed != title and (not closed or closed[-1].isspace()):
                title = closed.rstrip()  # "## Why? ##": the closing hashes are not the title
            line.kind, line.level, line.text = "heading", len(m.group(1)), title
            unwrapped = _unwrap(title)
            if _QUESTION.match(unwrapped) or _FOLLOW.match(unwrapped):
                _marker(line, unwrapped)  # "### Q. …": a question, not a section
                line.level = 0
        elif len(compact) >= 3 and len(set(compact)) == 1 and compact[0] in _RULE_CHARS:
            line.kind = "rule"
        elif (m := _ITEM.match(stripped)) and stripped[m.end():].strip():
            line.kind, line.text = "item", stripped[m.end():].strip().replace("\t", " ")
            line.number = tuple(int(x) for x in m.group(1).split("-"))
            rest = _unwrap(line.text)
            if _QUESTION.match(rest) or _FOLLOW.match(rest):  # "1. Q. …"
                _marker(line, rest)
        elif _marker(line, _unwrap(line.text)):
            pass
        elif (m := _SECTION.fullmatch(line.text)) and line.indent < 4:
            line.kind, line.level, line.text = "heading", 7, (m.group(1) or m.group(2)).strip()
        elif (_BULLET.match(line.text) or line.text.startswith(("**", "__"))) and \
                looks_like_question(line.text):
            line.kind, line.text = "toggle", _unwrap(line.text)
    for i, line in enumerate(out):  # a bullet is a toggle only with lines indented under it
        if line.kind == "toggle" and _BULLET.match(line.raw.strip()):
            after = next((x for x in out[i + 1:i + 50] if x.kind != "blank"), None)
            if after is None or after.indent <= line.indent:
                line.kind, line.text = "text", line.raw.strip().replace("\t", " ")
    return out


@dataclass
class _Section:
    title: str | None
    level: int
    line: int
    raw: str = ""
    body: list[Line] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)


def _sections(lines: list[Line]) -> _Section:
    root = _Section(None, 0, 1)
    stack = [root]
    for line in lines:
        if line.kind == "heading":
            while stack[-1].level >= line.level:
                stack.pop()
            section = _Section(line.text or None, line.level, line.n, line.raw)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].body.append(line)
    return root


class _Importer:
    """Turns the section tree into question drafts, remembering what it could not place."""

    def __init__(self, path: str) -> None:
        self.draft = Drafter(path)
        self.unplaced: list[tuple[int, str]] = []
        self.deck_notes: list[Line] = []

    def section(self, sec: _Section, tags: list[str], wrapper: bool = False) -> list[Draft]:
        qa = any(x.kind in ("q", "follow") for x in sec.body)  # numbered lines are answer text
        first = next((x for x in sec.body if x.kind != "blank"), None)
        leads = [x for x in sec.body if x.kind == "q" or (x.kind == "item" and len(x.number) == 1
                                                         and not qa)]
        if first is not None and first.kind == "toggle":
            leads.append(first)
        is_group = sec.title is None or bool(leads) or bool(sec.children)
        inner_tags = tags + [sec.title] if sec.title and is_group and not wrapper else tags
        heading = None if not sec.title else (Draft(sec.title, sec.line, -1, list(tags)) if is_group
                                               else self.draft(sec.title, sec.line, -1, tags))
        current, last_item, last_q, orphan_notes = heading, None, None, False
        note_indent: int | None = None  # lines indented under a "※" line are notes too
        toggles: list[Draft] = []  # open <details> questions, outermost first
        toggle_parent: dict[int, Draft | None] = {}  # questions from toggle bullets: their parent
        items: list[Draft] = []
        by_number: dict[tuple[int, ...], Draft] = {}
        for line in sec.body:
            kind = line.kind
            if kind == "toggle" and (current is None or (current is heading and is_group)
                                     or current.marked):
                kind = "q"
            elif kind == "toggle" or (kind == "item" and qa):
                kind = "text"
            while (current is not None and id(current) in toggle_parent and kind != "blank"
                   and line.indent <= current.indent):  # a line outside a toggle bullet ends it
                current = toggle_parent[id(current)]
            if note_indent is not None and kind != "blank":
                if kind == "text" and line.indent > note_indent and current is not None:
                    current.notes.append(line)
                    continue
                note_indent = None
            if kind == "skip":
                continue
            if kind == "end":
                if toggles:
                    toggles.pop()
                current = toggles[-1] if toggles else (None if current is not heading else current)
                continue
            if kind == "rule":
                if current is not None:
                    current.in_notes = True
                else:
                    orphan_notes = True
                continue
            if kind in ("q", "follow"):
                if line.level and line.kind == "q":  # a <details> toggle
                    parent = toggles[line.level - 2] if 1 < line.level <= len(toggles) + 1 else None
                    del toggles[line.level - 1:]
                elif kind == "follow":
                    parent = last_q or last_item or heading
                else:
                    parent = last_q if last_q is not None and line.indent > last_q.indent else None
                current = self.draft(line.text, line.n, line.indent, [] if parent else inner_tags)
                current.marked = True
                if parent is None:
                    items.append(current)
                    last_item = last_q = current
                else:
                    parent.follow_ups.append(current)
                if line.level and line.kind == "q":
                    toggles.append(current)
                if line.kind == "toggle":
                    toggle_parent[id(current)] = parent
                continue
            if kind == "a":
                if current is None:
                    self.unplaced.append((line.n, line.raw))
                    continue
                arrow = _unwrap(line.raw.strip()).startswith(_ARROWS)
                if current.answered or current.in_notes or (arrow and current.has_answer()):
                    # more answer text; an arrow inside an answer is part of it
                    text = line.raw.strip() if arrow else line.text
                    current.add(Line(line.n, text, "text", line.indent, text))
                    continue
                if current.marked and current.has_answer():  # lines between Q. and A.
                    more = " ".join(x.text for x in current.answer if x.kind != "blank")
                    current.question = f"{current.question} {more}".strip()
                    current.answer = []
                current.answered = True
                if line.text:
                    current.answer.append(Line(line.n, line.text, "text", line.indent, line.text))
                continue
            if kind == "note":
                if current is not None:
                    current.notes.append(line)
                    note_indent = line.indent
                else:
                    self.deck_notes.append(line)
                continue
            if kind == "item" and len(line.number) == 1 and (
                    last_item is None or line.indent <= last_item.indent):
                current = last_item = self.draft(line.text, line.n, line.indent, inner_tags)
                items.append(current)
                by_number[line.number] = current
                continue
            if kind == "item" and len(line.number) > 1:
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
            elif kind != "blank":
                self.unplaced.append((line.n, line.raw))
        if heading is not None and is_group and not (heading.has_answer() or heading.follow_ups):
            self.deck_notes.extend(heading.notes)
            heading = None
        drafts = self._untitled(([heading] if heading else []) + items)
        share(drafts)
        for child in sec.children:
            drafts.extend(self.section(child, inner_tags))
        if sec.title and is_group and not wrapper and not drafts:  # a group of no questions
            self.unplaced.append((sec.line, sec.raw))
        return drafts

    def _untitled(self, drafts: list[Draft]) -> list[Draft]:
        """A bare ``Q.`` line takes its question from the next line; with none it is reported."""
        kept = []
        for d in drafts:
            d.follow_ups = self._untitled(d.follow_ups)
            if not d.question:
                filled = [x for x in d.answer if x.kind != "blank"]
                if not filled:  # what it held stays: its notes for the deck, its follow-ups
                    self.unplaced.append((d.line, "(a question marker with no question)"))
                    self.deck_notes.extend(d.notes)
                    kept.extend(d.follow_ups)
                    continue
                d.question = filled[0].text
                d.answer = d.answer[d.answer.index(filled[0]) + 1:]
            kept.append(d)
        return kept


def read_notes(text: str, path: str, numbers: list[int] | None = None,
               shape: str = "notes") -> Found:
    """Find the questions in text notes.

    Args:
        text: the notes, line breaks ``\\n``.
        path: the file, for errors.
        numbers: each line's number for messages (default: its line number).
        shape: what the input is, for the summary.

    Returns:
        The drafts, the lines that could not be placed and the deck's own notes; ``title`` is
        set when one heading wraps the whole file.
    """
    root = _sections(classify(text.split("\n"), numbers))
    importer = _Importer(path)
    top = root.children[0] if len(root.children) == 1 else None
    lead = next((x for x in top.body if x.kind not in ("blank", "skip", "note", "end")), None) \
        if top else None
    # one heading over everything: over sub-headings, or (a Notion page's title) over questions
    wrapper = top is not None and all(x.kind == "blank" for x in root.body) and (
        bool(top.children) or (lead is not None and lead.kind in ("q", "follow", "toggle")))
    # a single heading wrapping everything is the deck's title, not a tag of every question
    drafts = importer.section(root.children[0], [], True) if wrapper else importer.section(root, [])
    return Found(shape, drafts, importer.unplaced, importer.deck_notes,
                 root.children[0].title if wrapper else None)
