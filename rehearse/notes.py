"""The notes import: prep notes as people keep them, to a deck.

:func:`import_notes` tells by content what a file is and hands it to its reader: text notes —
the seed's format, Markdown, ``Q.``/``A.`` notes, Notion exports — (:mod:`rehearse.textnotes`),
spreadsheets (:mod:`rehearse.sheets`) and Word files (:mod:`rehearse.worddoc`). Each yields
question drafts and the lines it could not place; :mod:`rehearse.drafts` builds the deck with the
same rules for ids, shared answers and key points as YAML decks. Files are read by
:mod:`rehearse.reader`, which also refuses, in one sentence, what is not notes (a PDF, an image,
an .hwp file).
"""

from __future__ import annotations

from pathlib import Path

from rehearse.drafts import Found, ImportResult, build
from rehearse.errors import DeckError, Message
from rehearse.reader import (
    MAX_FILE_BYTES,
    NOTES_SUFFIXES,
    YAML_SUFFIXES,
    Source,
    check_size,
    looks_like_yaml,
    normalise_text,
    read_source,
)
from rehearse.sheets import delimited_rows, delimiter, looks_like_table, read_rows, read_xlsx
from rehearse.textnotes import read_notes
from rehearse.worddoc import read_docx

__all__ = ["ImportResult", "find_questions", "import_notes"]

SHEET_SUFFIXES = {".csv", ".tsv"}
TEXT_SHAPES = ("a `# heading` with its answer under it", "a numbered item `1.` with its answer under it",
               "a `Q.`/`질문:` line with an `A.`/`답:` answer", "a Notion toggle (`<details>`, a `- …?` "
               "bullet with its answer indented under it)")
SHEET_SHAPES = ("a header naming a question column (질문, 문항, question) and an answer column "
                "(답변, 모범 답변, answer)", "with no header, a column of questions (ending in `?` or "
                "`요`) beside their answers")
SHOWN_LINES = 5  # first lines shown when nothing is found


def _is_path(value: str) -> bool:
    if "\n" in value or not value or len(value) > 4096:
        return False
    suffixes = NOTES_SUFFIXES | YAML_SUFFIXES | SHEET_SUFFIXES | {".xlsx", ".docx"}
    if value.lower().endswith(tuple(suffixes)):
        return True
    try:
        return Path(value).is_file()
    except (OSError, ValueError):
        return False


def _nothing_found(path: str, tried: tuple[str, ...], first: list[tuple[int, str]]) -> DeckError:
    shown = "".join(f"\n  {n:>4} | {x[:100]}" for n, x in first[:SHOWN_LINES])
    text = "no questions found; looked for a question as " + "; or ".join(tried) + ". The first lines read:"
    if not shown:
        return DeckError(Message(text + "\n       | (nothing: the file is empty)", "deck.empty"), path, 1)
    return DeckError(Message(text + shown, "deck.no_questions", lines=shown), path, 1)


def find_questions(source: Source) -> Found:
    """Find the questions in a notes file, whatever its shape.

    Args:
        source: the file as :func:`rehearse.reader.read_source` read it.

    Returns:
        The drafts, what could not be placed, and what the file was read as.

    Raises:
        DeckError: no question was found; the message names the shapes tried and shows the
            first lines read.
    """
    path, suffix = source.path, Path(source.path).suffix.lower()
    if source.kind == "xlsx":
        found, first = read_xlsx(source.data, path)
        if found is None or not found.drafts:
            raise _nothing_found(path, SHEET_SHAPES, first)
        return found
    if source.kind == "docx":
        found, first = read_docx(source.data, path)
        if not found.drafts:
            raise _nothing_found(path, TEXT_SHAPES + SHEET_SHAPES[:1], first)
        return found
    text = source.text
    check_size(text, path)
    tried = TEXT_SHAPES
    if suffix in SHEET_SUFFIXES or looks_like_table(text, suffix):
        sep = delimiter(text, suffix)
        kind = "TSV" if sep == "\t" else "CSV"
        sheet = read_rows(delimited_rows(text, path, sep), path,
                          f"spreadsheet ({kind}, {source.encoding or 'UTF-8'})")
        if sheet is not None and sheet.drafts:
            return sheet
        tried = SHEET_SHAPES + TEXT_SHAPES  # a .csv of notes that are not a table: read as text
    found = read_notes(text, path, shape="notes" if not source.encoding or source.encoding == "UTF-8"
                       else f"notes ({source.encoding})")
    if not found.drafts:
        first = [(n, x) for n, x in enumerate(text.split("\n"), 1) if x.strip()][:SHOWN_LINES]
        raise _nothing_found(path, tried, first)
    return found


def import_notes(path_or_text: str | Path, *, title: str | None = None,
                 language: str | None = None, text: str | None = None,
                 source: Source | None = None) -> ImportResult:
    """Turn prep notes (text, Markdown, Q./A., a spreadsheet, a Word file) into a deck.

    Args:
        path_or_text: a notes file, or the notes themselves (a string with a newline, or one
            that names no file).
        title: the deck's title; default: one the notes give (a single top heading that wraps
            everything, a title row, a Word title), else the file name.
        language: ``ko`` or ``en``; default: detected from Hangul in the text.
        text: the file's contents when the caller has already read ``path_or_text`` as text.
        source: the file as the caller has already read it (:func:`rehearse.reader.read_source`).

    Returns:
        The deck (ids, shared answers and key points resolved) and counts for the summary,
        with every line that could not be placed.

    Raises:
        DeckError: the file cannot be read, is a YAML deck, is not notes (a PDF, an image …),
            or holds no question at all.
    """
    if source is not None:
        path = source.path
    elif text is not None:
        path = str(path_or_text)
        source = Source(path, "text", b"", normalise_text(text))
    elif isinstance(path_or_text, Path) or _is_path(path_or_text):
        path = str(path_or_text)
        source = read_source(path)
        if source.kind == "text" and looks_like_yaml(path, source.text):
            raise DeckError(Message("this is a YAML deck already, not notes", "deck.is_yaml"), path, 1)
    else:
        path = "<notes>"
        source = Source(path, "text", b"", normalise_text(path_or_text))
        if len(source.text) > MAX_FILE_BYTES:
            raise DeckError(Message(f"notes are longer than {MAX_FILE_BYTES // 2**20} MB",
                                    "deck.notes_too_long", mb=MAX_FILE_BYTES // 2**20), path)
    return build(find_questions(source), path, title, language)
