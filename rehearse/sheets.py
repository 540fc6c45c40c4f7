"""Spreadsheets of questions: .csv, .tsv and .xlsx — the "면접 질문 리스트" kept in Excel or Sheets.

Columns are found by their header (질문/문항/question, 답변/모범 답변/answer, 구분/분류/category,
비고/메모/notes, 꼬리질문/follow-up and its answer) or, with no header, by content: the column
whose cells read as questions, and the longest text beside it as the answer. Each row is a
question; ``docs/decks.md`` has the details.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from rehearse.drafts import Draft, Drafter, Found, Line, text_lines
from rehearse.errors import DeckError, Message
from rehearse.reader import normalise_text
from rehearse.textnotes import is_marker, looks_like_question

_ROLES: dict[str, tuple[str, ...]] = {  # header names, compared without spaces or punctuation
    "number": ("번호", "no", "#", "순번", "연번", "num", "number"),
    "follow_answer": ("꼬리질문답변", "꼬리질문답", "후속질문답변", "추가질문답변", "followupanswer",
                      "followupanswers"),
    "follow": ("꼬리질문", "예상꼬리질문", "후속질문", "추가질문", "followup", "followups",
               "followupquestion", "followupquestions"),
    "answer": ("답변", "모범답변", "답", "예시답변", "나의답변", "내답변", "준비한답변", "답변내용",
               "a", "answer", "answers", "myanswer", "modelanswer", "sampleanswer", "response"),
    "question": ("질문", "문항", "질문내용", "면접질문", "예상질문", "질문리스트", "q", "question",
                 "questions", "interviewquestion"),
    "tags": ("구분", "분류", "카테고리", "유형", "항목", "주제", "category", "type", "section", "tag",
             "tags", "topic"),
    "notes": ("비고", "메모", "참고", "참고사항", "notes", "note", "memo", "comment", "comments",
              "remarks", "tip", "tips"),
}
_BY_NAME = {name: role for role, names in _ROLES.items() for name in names}
_HINTS = [  # a header that merely contains one of these
    ("follow_answer", ("꼬리질문답", "후속질문답", "followupans")), ("follow", ("꼬리", "후속", "followup")),
    ("answer", ("답", "answer")), ("question", ("질문", "문항", "question")),
    ("notes", ("비고", "메모", "note")), ("tags", ("분류", "구분", "categor")),
]
_FOLLOW_ROW = re.compile(r"(?:[ㄴ└↳]|꼬리\s*질문\s*[:.)]?|(?i:follow[\s-]?up\s*[:.)]?)"
                         r"|Q\s*\d{0,3}\s*-\s*\d{1,3}[.:)]?)\s*")
_CELL_BULLET = re.compile(r"\s*(?:[-*•·▪◦]|\d{1,2}[.)])\s+")
HEADER_SCAN = 10  # rows searched for a header


@dataclass
class Row:
    """One row: its line (CSV) or row number, its cells, and the cells a merge filled in."""

    n: int
    cells: list[str]
    merged: dict[int, int] = field(default_factory=dict)  # column -> row number of the merge's top


def _norm(header: str) -> str:
    return re.sub(r"[\s.:()\[\]/_*\-]+", "", header.lower())


def _role(header: str) -> str | None:
    name = _norm(header)
    if not name:
        return None
    if name in _BY_NAME:
        return _BY_NAME[name]
    if len(name) > 20 or looks_like_question(header):  # a cell of text, not a header
        return None
    for role, parts in _HINTS:
        if any(p in name for p in parts):
            return role
    return None


def _header(rows: list[Row]) -> tuple[int, dict[int, str]] | None:
    """The header row's index and each column's role, when a row names a question column."""
    for i, row in enumerate(rows[:HEADER_SCAN]):
        if any(is_marker(cell.strip()) for cell in row.cells):  # "Q. …<tab>A. …" is Q./A. text
            continue
        roles = {j: r for j, cell in enumerate(row.cells) if cell and (r := _role(cell))}
        if "question" in roles.values() and sum(bool(c.strip()) for c in row.cells) >= 2:
            return i, roles
    return None


def _by_content(rows: list[Row]) -> dict[int, str] | None:
    """Column roles of a sheet with no header: questions, the longest text beside them, a category."""
    width = max((len(r.cells) for r in rows), default=0)
    wide = sum(sum(bool(c.strip()) for c in r.cells) >= 2 for r in rows)
    if len(rows) < 2 or width < 2 or wide * 3 < len(rows) * 2:  # mostly rows of two cells or more
        return None
    filled = [[r.cells[j] for r in rows if j < len(r.cells) and r.cells[j]] for j in range(width)]
    asks = [sum(map(looks_like_question, col)) / len(col) if col else 0.0 for col in filled]
    q = max(range(width), key=lambda j: (asks[j], -j))
    if asks[q] < 0.5 or len(filled[q]) < max(1, len(rows) // 3):
        return None
    roles = {q: "question"}
    others = [j for j in range(width) if j != q and len(filled[j]) * 3 >= len(rows)]
    numbers = [j for j in others if all(re.fullmatch(r"\d{1,4}\.?", c) for c in filled[j])]
    roles.update({j: "number" for j in numbers})
    texts = [j for j in others if j not in numbers]
    if texts:
        a = max(texts, key=lambda j: sum(map(len, filled[j])) / len(filled[j]))
        roles[a] = "answer"
        for j in texts:
            short = sum(map(len, filled[j])) / len(filled[j]) <= 20
            if j != a and j < q and short and "tags" not in roles.values():
                roles[j] = "tags"
    return roles


def _lines(cell: str) -> list[str]:
    """A cell's lines, bullets and numbers dropped."""
    return [_CELL_BULLET.sub("", x, count=1).strip() for x in cell.split("\n") if x.strip()]


def _key_points(cell: str) -> list[str] | None:
    """A multi-line cell keeps its lines as key points."""
    lines = _lines(cell)
    return lines if len(lines) > 1 else None


def _letter(j: int) -> str:
    return chr(ord("A") + j) if j < 26 else f"column {j + 1}"


def read_rows(rows: list[Row], path: str, shape: str, tags: list[str] | None = None,
              drafter: Drafter | None = None) -> Found | None:
    """Questions from a sheet's rows.

    Args:
        rows: the non-empty rows, in order.
        path: the file, for errors.
        shape: what the input is, for the summary.
        tags: tags every question gets (a sheet's or a section's name).
        drafter: the drafter to count questions with (shared across a file's sheets).

    Returns:
        The drafts, or None when no column holds questions (by header or by content).
    """
    rows = [r for r in rows if any(c.strip() for c in r.cells)]
    found = Found(shape)
    header = _header(rows)
    if header is not None:
        start, roles = header
        names = {j: rows[start].cells[j] for j in range(len(rows[start].cells))}
        for r in rows[:start]:  # a title row above the header ("2024 하반기 면접 준비")
            cells = list(dict.fromkeys(c for c in r.cells if c.strip()))  # a merge repeats it
            if found.title is None and len(cells) == 1:
                found.title = cells[0].strip()
            else:
                found.unplaced.append((r.n, " | ".join(cells)))
        body = rows[start + 1:]
    else:
        roles_found = _by_content(rows)
        if roles_found is None:
            return None
        roles, names, body = roles_found, {}, rows
    draft = drafter or Drafter(path)
    last: Draft | None = None  # the last question (not a follow-up)
    recent: Draft | None = None  # the last question or follow-up
    by_row: dict[int, Draft] = {}
    row_tags: list[str] = []  # a category holds for the rows under it
    unused_tags: tuple[int, str] | None = None  # a category row no question has used yet
    for r in body:
        cells: dict[str, list[tuple[int, str]]] = {role: [] for role in _ROLES}
        extra = []
        for j, cell in enumerate(r.cells):
            cell = cell.strip()
            if not cell:
                continue
            role = roles.get(j)
            if role is None:
                extra.append(f"{names.get(j) or _letter(j)}: {cell}")
            else:
                cells[role].append((j, cell))
        question = " ".join(c for _, c in cells["question"])
        answer = "\n".join(c for _, c in cells["answer"])
        notes = [c for _, c in cells["notes"]] + extra
        follow_answer = "\n".join(c for _, c in cells["follow_answer"])
        if follow_answer and not cells["follow"]:  # an answer to no follow-up: keep it as a note
            notes.append(f"{names.get(cells['follow_answer'][0][0]) or 'follow-up answer'}: {follow_answer}")
        if cells["tags"]:
            if unused_tags is not None:
                found.unplaced.append(unused_tags)
            row_tags = [c.replace("\n", " ") for _, c in cells["tags"]]
            unused_tags = (r.n, " | ".join(row_tags))
        shown = " | ".join(c for c in r.cells if c.strip())
        if question and not re.search(r"[^\W\d_]", question):  # a number, not a question
            found.unplaced.append((r.n, shown))
            continue
        asked = [draft(text, r.n, 0, []) for _, cell in cells["follow"] for text in _lines(cell)]
        if asked and follow_answer:  # several follow-ups and one answer: they share it
            asked[-1].answer = text_lines(follow_answer, r.n)
            for f in asked[:-1]:
                f.shares = asked[-1]
        if not question:
            if last is not None and asked:  # more follow-ups in a row of their own
                last.follow_ups += asked
            if recent is not None and (answer or notes):  # an answer that goes on in the next row
                if answer:
                    recent.answer += [Line(r.n, "", "blank")] * bool(recent.answer) + text_lines(answer, r.n)
                    if recent.key_points is not None:
                        recent.key_points += _lines(answer)
                recent.notes += text_lines("\n".join(notes), r.n) if notes else []
            elif answer or notes or (asked and last is None):
                found.unplaced.append((r.n, shown))
            continue
        follow = _FOLLOW_ROW.match(question)
        if follow and last is not None:
            d = draft(question[follow.end():].strip() or question, r.n, 0, [])
            last.follow_ups.append(d)
        else:
            d = draft(question, r.n, 0, row_tags + list(tags or []))
            found.drafts.append(d)
            last, unused_tags = d, None
        by_row[r.n] = recent = d
        d.answer = text_lines(answer, r.n) if answer else []
        d.key_points = _key_points(answer)
        d.notes = text_lines("\n".join(notes), r.n) if notes else []
        shared = [r.merged[j] for j, _ in cells["answer"] if j in r.merged]
        if shared and shared[0] in by_row:  # one answer cell merged over several questions
            d.shares, d.answer, d.key_points = by_row[shared[0]], [], None
        d.follow_ups += asked
    if unused_tags is not None:
        found.unplaced.append(unused_tags)
    return found


def delimiter(text: str, suffix: str) -> str:
    """The field separator: a tab for .tsv, else whichever of tab, comma, semicolon the header uses."""
    if suffix == ".tsv":
        return "\t"
    first = next((x for x in text.split("\n") if x.strip()), "")
    counts = {d: first.count(d) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def delimited_rows(text: str, path: str, sep: str) -> list[Row]:
    """The rows of CSV/TSV text, each numbered by the line it starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append(Row(start, cells))  # the text is normalised already
            start = reader.line_num + 1
    except csv.Error as e:
        raise DeckError(Message(f"this CSV cannot be read ({e})", "deck.bad_csv", detail=str(e)),
                        path, start) from e
    return rows


def looks_like_table(text: str, suffix: str) -> bool:
    """True when text notes are really a delimited table whose header names a question column."""
    sep = delimiter(text, suffix)
    head = "\n".join(text.split("\n", HEADER_SCAN)[:HEADER_SCAN])
    if sep not in head:
        return False
    try:
        rows = [Row(i, cells) for i, cells in enumerate(csv.reader(io.StringIO(head), delimiter=sep))]
    except csv.Error:
        return False
    return _header(rows) is not None


def read_xlsx(data: bytes, path: str) -> tuple[Found | None, list[tuple[int, str]]]:
    """Questions from every sheet of an .xlsx workbook (merged cells filled in).

    Returns:
        The drafts (None when no sheet has a question column), and the first rows read (row
        number, cells), for the error that says why nothing was found.
    """
    import openpyxl  # lazy: only spreadsheets need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged file
        raise DeckError(Message(f"this .xlsx cannot be read ({type(e).__name__}); open it in Excel and "
                                "save it again, or save it as CSV", "deck.bad_xlsx", detail=type(e).__name__),
                        path, 1) from e
    sheets = []
    for sheet in book.worksheets:
        grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        rows = [Row(i + 1, cells) for i, cells in enumerate(grid)]
        for merge in sheet.merged_cells.ranges:
            top = grid[merge.min_row - 1][merge.min_col - 1] if merge.min_row <= len(grid) else ""
            for i in range(merge.min_row, min(merge.max_row, len(grid)) + 1):
                for j in range(merge.min_col, merge.max_col + 1):
                    if (i, j) != (merge.min_row, merge.min_col) and j - 1 < len(rows[i - 1].cells):
                        rows[i - 1].cells[j - 1] = top
                        if i != merge.min_row:
                            rows[i - 1].merged[j - 1] = merge.min_row
        sheets.append((sheet.title, rows))
    drafter = Drafter(path)
    results = []
    for name, rows in sheets:
        found = read_rows(rows, path, "spreadsheet (.xlsx)", drafter=drafter)
        if found is not None and found.drafts:
            results.append((name, found))
    first = [(r.n, " | ".join(c for c in r.cells if c)) for _, rows in sheets for r in rows
             if any(r.cells)][:5]
    if not results:
        return None, first
    total = results[0][1]
    if len(results) > 1:  # several sheets of questions: each sheet's name is a tag
        total = Found("spreadsheet (.xlsx)", title=results[0][1].title)
        for name, found in results:
            for d in found.drafts:
                d.tags.append(name)
            total.drafts += found.drafts
            total.unplaced += [(n, f"{name}: {text}") for n, text in found.unplaced]
    return total, first


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value)).strip()
