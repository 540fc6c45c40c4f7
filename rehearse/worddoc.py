"""Word files (.docx): headings, numbered and bullet lists, bold question lines, and tables.

Each paragraph becomes a line of text notes (a heading ``#``, a numbered list item ``1.``, a
bullet ``- ``, a bold paragraph a ``Q.`` question, list levels as indentation) read by the same
rules as text notes (:mod:`rehearse.textnotes`); a table is read like a spreadsheet
(:mod:`rehearse.sheets`), its questions after the text's. Messages number paragraphs (a table row
counts as one).
"""

from __future__ import annotations

import io
import re
from typing import Any

from rehearse.drafts import Drafter, Found, walk
from rehearse.errors import DeckError, Message
from rehearse.reader import normalise_text
from rehearse.sheets import Row, read_rows
from rehearse.textnotes import classify, looks_like_question, read_notes

_HEADING_STYLE = re.compile(r"(?:heading|제목)\s*(\d)", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _list_formats(document: Any) -> dict[tuple[str, str], str]:
    """(numId, level) -> number format ("decimal", "bullet" …) from the numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for a in numbering.iter(f"{_W}abstractNum"):
        levels = {}
        for lvl in a.iter(f"{_W}lvl"):
            fmt = lvl.find(f"{_W}numFmt")
            levels[lvl.get(f"{_W}ilvl")] = fmt.get(f"{_W}val") if fmt is not None else "decimal"
        abstract[a.get(f"{_W}abstractNumId")] = levels
    out = {}
    for num in numbering.iter(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        for level, fmt in abstract.get(ref.get(f"{_W}val") if ref is not None else None, {}).items():
            out[(num.get(f"{_W}numId"), level)] = fmt
    return out


def _is_bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    return bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)


def _line(paragraph: Any, formats: dict[tuple[str, str], str], counters: dict[Any, int]) -> str:
    """A paragraph as a line of text notes."""
    text = normalise_text(paragraph.text).strip()
    if not text:
        return ""
    style = paragraph.style.name if paragraph.style is not None else ""
    if m := _HEADING_STYLE.match(style):
        return "#" * min(int(m.group(1)), 6) + " " + text.replace("\n", " ")
    num_pr = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
    if num_pr is not None and num_pr.numId is not None:
        num_id, level = str(num_pr.numId.val), str(num_pr.ilvl.val if num_pr.ilvl is not None else 0)
        indent = "    " * int(level)
        if formats.get((num_id, level), "decimal") == "bullet":
            return f"{indent}- {text}"
        if level == "0" and looks_like_question(text):
            return f"Q. {text}"  # a numbered question reads the same beside bold ones
        counters[(num_id, level)] = counters.get((num_id, level), 0) + 1
        for key in [k for k in counters if k[0] == num_id and int(k[1]) > int(level)]:
            del counters[key]  # a deeper list starts again under each item
        return f"{indent}{counters[(num_id, level)]}. {text}"
    if style.lower().startswith("list bullet"):
        return f"- {text}"
    if style.lower().startswith("list number"):
        if looks_like_question(text):
            return f"Q. {text}"
        counters[style] = counters.get(style, 0) + 1
        return f"{counters[style]}. {text}"
    if _is_bold(paragraph) and "\n" not in text:
        kind = classify([text])[0].kind
        if kind in ("text", "toggle") and not text.endswith((":", "：")):
            return f"Q. {text}"  # a bold line is how Word users mark a question
    return text


def _table_rows(table: Any, start: int) -> list[Row]:
    rows = []
    for i, row in enumerate(table.rows):
        cells, seen = [], set()
        for cell in row.cells:  # a merged cell is repeated: keep it once
            cells.append("" if id(cell._tc) in seen else normalise_text(cell.text).strip())
            seen.add(id(cell._tc))
        rows.append(Row(start + i, cells))
    return rows


def read_docx(data: bytes, path: str) -> tuple[Found, list[tuple[int, str]]]:
    """Questions from a Word file.

    Args:
        data: the .docx file's bytes.
        path: the file, for errors.

    Returns:
        The drafts (text first, then tables), and the first lines read (for an error).
    """
    import docx  # python-docx, lazy: only Word files need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds on a damaged file
        raise DeckError(Message(f"this .docx cannot be read ({type(e).__name__}); open it in Word and save "
                                "it again", "deck.bad_docx", detail=type(e).__name__), path, 1) from e
    formats = _list_formats(document)
    counters: dict[Any, int] = {}
    lines: list[str] = []
    numbers: list[int] = []
    tables: list[tuple[list[Row], str | None, int]] = []
    title, heading, heading_n, n = None, None, 0, 0
    for block in document.iter_inner_content():
        n += 1
        if hasattr(block, "rows"):
            rows = _table_rows(block, n)
            n += max(len(rows) - 1, 0)
            tables.append((rows, heading, heading_n))
            continue
        style = block.style.name if block.style is not None else ""
        if style.lower() == "title" and title is None:
            title = normalise_text(block.text).strip() or None
            continue
        line = _line(block, formats, counters)
        if line.startswith("#"):
            heading, heading_n = line.lstrip("#").strip(), n
        for part in line.split("\n"):
            lines.append(part)
            numbers.append(n)
    found = read_notes("\n".join(lines), path, numbers, shape="Word file (.docx)")
    found.title = found.title or title
    drafter = Drafter(path)
    drafter.count = len(walk(found.drafts))
    for rows, under, under_n in tables:
        table = read_rows(rows, path, found.shape, tags=[under] if under else [], drafter=drafter)
        if table is None:  # not a table of questions: its text is reported, not lost
            found.unplaced += [(r.n, " | ".join(c for c in r.cells if c)) for r in rows
                               if any(r.cells)]
            continue
        # the heading over a table is the table's tag, not a question with no answer
        found.drafts = [d for d in found.drafts if not (
            d.line == under_n and not d.has_answer() and not d.follow_ups and not d.notes)]
        found.drafts += table.drafts
        found.unplaced += table.unplaced
    first = [(n, x) for n, x in zip(numbers, lines, strict=True) if x.strip()][:5]
    if not first and tables:
        first = [(r.n, " | ".join(c for c in r.cells if c)) for r in tables[0][0]][:5]
    return found, first
