"""Property tests for the notes import: generated Q./A. notes, Notion exports and spreadsheets.

Every generated line that carries text carries a unique word; after the import each word is in
the deck (a question, answer, note, tag or the title) or in a reported line. Nothing raises but
DeckError, and only for a file with no question at all.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehearse.deck import load_deck
from rehearse.errors import DeckError
from rehearse.notes import import_notes

# {t} is where a line's word goes; lines without it carry no text of their own
TEMPLATES = [
    "Q. {t}", "Q: {t}?", "Q1. {t}", "질문: {t}", "문. {t}", "[Q] {t}", "**Q.** {t}", "Question 2: {t}",
    "### Q. {t}", "- Q. {t}", "A. {t}", "A: {t}", "답: {t}", "답변: {t}", "[A] {t}", "→ {t}",
    "**A:** {t}", "Answer: {t}", "  - A. {t}", "꼬리질문: {t}", "follow-up: {t}", "Q-1. {t}", "※ {t}",
    "참고: {t}", "Note: {t}", "> [!NOTE] {t}", "> {t}", "[{t}]", "# {t}", "## {t}", "1. {t}",
    "2-1. {t}", "- {t}", "- {t}인가요?", "**{t}?**", "{t}", "{t} Q {t}", "<summary>{t}</summary>",
    "<details><summary>Q. {t}</summary>", "<aside>{t}</aside>", "<details>", "</details>", "<aside>",
    "</aside>", "---", "=====", "", "Q.", "A.", "```",
]
INDENTS = ["", "", "", "\t", "  ", "    ", "\t\t"]

_lines = st.lists(st.tuples(st.sampled_from(INDENTS), st.sampled_from(TEMPLATES)), max_size=40)


def _fill(rows: list[tuple[str, str]]) -> tuple[str, list[str]]:
    words, out = [], []
    for i, (indent, template) in enumerate(rows):
        word = f"w{i:03d}z"
        if "{t}" in template:
            words.append(word)
        out.append(indent + template.replace("{t}", word))
    return "\n".join(out), words


def _everything(result) -> str:
    deck = result.deck
    parts = [deck.title, deck.notes] + [text for _, text in result.unplaced]
    for q in deck.walk():
        parts += [q.question, q.answer, q.notes, *q.tags]
    return "\n".join(parts)


def _assert_every_word_kept(result, words: list[str]) -> None:
    kept = _everything(result)
    lost = [w for w in words if w not in kept]
    assert not lost, lost
    assert all(q.question.strip() for q in result.deck.walk())


@settings(max_examples=300, deadline=None)
@given(rows=_lines)
def test_every_line_of_generated_notes_is_placed_or_reported(rows):
    text, words = _fill(rows)
    try:
        result = import_notes(text)
    except DeckError as e:
        assert str(e).startswith("<notes>:1: no questions found")
        return
    _assert_every_word_kept(result, words)
    lines = text.count("\n") + 1
    assert all(1 <= n <= lines for n, _ in result.unplaced)
    assert all(q.line is not None and 1 <= q.line <= lines for q in result.deck.walk())


ROLES = ["번호", "구분", "질문", "모범 답변", "꼬리질문", "꼬리질문 답변", "비고", "Question", "Answer",
         "Category", "Notes", "Follow-up", "기타"]


@st.composite
def _sheets(draw):
    header = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=6, unique=True))
    has_header = draw(st.booleans())
    count = draw(st.integers(0, 12))
    cells = st.sampled_from(["", "", "{t}", "{t}?", "{t}\n{t}", "- {t}\n- {t}", "{t}, {t}", 'say "{t}"',
                             "ㄴ {t}?", "12"])
    rows = [[draw(cells) for _ in header] for _ in range(count)]
    return header, has_header, rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=_sheets(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949"]),
       suffix=st.sampled_from([".csv", ".tsv"]))
def test_every_cell_of_a_generated_spreadsheet_is_placed_or_reported(tmp_path, sheet, encoding, suffix):
    header, has_header, rows = sheet
    words: list[str] = []
    body = []
    for row in rows:
        filled = []
        for role, cell in zip(header, row, strict=True):
            if role == "번호" and cell:
                cell = str(len(body) + 1)  # a number column holds numbers, nothing to keep
            while "{t}" in cell:
                words.append(f"w{len(words):03d}z")
                cell = cell.replace("{t}", words[-1], 1)
            filled.append(cell)
        body.append(filled)
    out = io.StringIO()
    csv.writer(out, delimiter="\t" if suffix == ".tsv" else ",").writerows(
        ([header] if has_header else []) + body)
    path = tmp_path / f"sheet{suffix}"
    path.write_bytes(out.getvalue().encode(encoding))
    try:
        result = import_notes(path)
    except DeckError as e:
        assert e.line is not None and "no questions found" in str(e), str(e)
        return
    if has_header and "질문" in header or "Question" in header:
        assert result.shape.startswith("spreadsheet")
    _assert_every_word_kept(result, words)
    assert load_deck(path).questions  # the same file loads as a deck


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.tsv", "x.xlsx", "x.docx", "x.hwp"]))
def test_any_bytes_under_any_notes_name_are_a_deck_error_at_most(tmp_path, data, name):
    path = Path(tmp_path) / name
    path.write_bytes(data)
    try:
        import_notes(path)
    except DeckError as e:
        assert e.line is not None or "larger than" in str(e)
