"""Reading deck and notes files as text: size cap, binary check, encodings, line breaks.

Every reader of a user's file starts here, so a deck, a notes file and a spreadsheet agree on what
a line is (line numbers in messages match the file) and on the limits that keep memory bounded.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rehearse.errors import DeckError, Message

# Limits that keep memory bounded on absurd input (real decks: dozens of questions, < 1 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LINES = 200_000
YAML_SUFFIXES = {".yaml", ".yml"}
NOTES_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".rst"}


# C0 and C1 control characters but tab and line feed: a question holding ESC [31m would
# recolour (or retitle) the terminal it is shown on. They become U+FFFD: visible and harmless.
_CONTROLS = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)], "\ufffd")


def neutralise_controls(text: str) -> str:
    """Replace control characters (but tab and line feed) with U+FFFD."""
    return text.translate(_CONTROLS)


def tidy_block(text: str) -> str:
    """Normalise a block of text: control characters neutralised, Unicode composed (NFC), lines
    right-stripped, no leading/trailing or doubled blanks."""
    out: list[str] = []
    # NFC here too: a YAML escape ("\U0002F8FF") yields text the file-level NFC never saw,
    # and the same deck written back out would then load as different text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", neutralise_controls(text))
    # every line break YAML knows (U+2028, U+2029, NEL) ends a line, so a dumped deck reloads alike
    for line in text.splitlines():
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def check_size(text: str, path: str) -> None:
    """Refuse text with more lines than a deck or notes file ever has (memory stays bounded)."""
    if text.count("\n") >= MAX_LINES:
        raise DeckError(Message(f"more than {MAX_LINES:,} lines; a deck or notes file has a few thousand "
                                "at most", "deck.too_many_lines", lines=f"{MAX_LINES:,}"),
                        path, MAX_LINES + 1)


READS = ("text notes (.txt, .md), spreadsheets (.csv, .tsv, .xlsx), Word files (.docx) "
         "and YAML decks")
# (magic bytes, what the file is, how to get notes out of it); checked before anything is decoded
_NOT_NOTES = [
    (b"%PDF-", "a PDF", "copy its text into a .txt file, or open it in Word and save it as .docx"),
    (b"\x89PNG", "an image (PNG)", "type the notes into a .txt file"),
    (b"\xff\xd8\xff", "an image (JPEG)", "type the notes into a .txt file"),
    (b"GIF8", "an image (GIF)", "type the notes into a .txt file"),
    (b"{\\rtf", "a rich-text (.rtf) file", "save it as .docx or plain text (.txt)"),
]
# what each of those is, as a code the page words in its language (`rehearse.web.words`)
_FORMAT_CODES = {b"%PDF-": "pdf", b"\x89PNG": "image", b"\xff\xd8\xff": "image", b"GIF8": "image",
                 b"{\\rtf": "rtf", ".hwp": "hwp", ".doc": "doc", ".xls": "xls"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .hwp, .doc, .xls
_ZIP = b"PK\x03\x04"
_OLE_ADVICE = {
    ".hwp": ("a Hangul (.hwp) file", "in Hangul use 파일 > 다른 이름으로 저장하기 and choose "
             "Word 문서 (.docx) or 텍스트 문서 (.txt)"),
    ".doc": ("an old Word (.doc) file", "open it in Word and save it as .docx"),
    ".xls": ("an old Excel (.xls) file", "open it in Excel and save it as .xlsx or CSV"),
}


@dataclass
class Source:
    """A notes or deck file as read: its kind by content, and its text when it is text."""

    path: str
    kind: Literal["text", "xlsx", "docx"]
    data: bytes
    text: str = ""  # for kind "text": decoded, BOM removed, line breaks ``\n``, NFC
    encoding: str = ""  # for kind "text": "UTF-8", "UTF-16" or "CP949"


def read_source(path: str | Path) -> Source:
    """Read a deck or notes file and tell by its content what it is.

    Args:
        path: the file to read.

    Returns:
        A text file decoded (UTF-8 with or without BOM, UTF-16 with a BOM, or Korean CP949/EUC-KR
        as Excel and older Windows editors save it), or the bytes of an .xlsx or .docx file.

    Raises:
        DeckError: a missing, huge, binary or undecodable file; for a PDF, an image, an .hwp and
            other documents, one sentence saying which formats are read and how to export one.
    """
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # never more: a 2 GB file costs 10 MB
    except FileNotFoundError as e:
        raise DeckError(Message("no such file", "deck.no_file"), str(path)) from e
    except IsADirectoryError as e:
        raise DeckError(Message("is a folder, not a deck or notes file", "deck.folder"), str(path)) from e
    except OSError as e:
        raise DeckError(Message(f"cannot read the file ({e.strerror or e})", "deck.unreadable",
                                reason=str(e.strerror or e)), str(path)) from e
    if len(data) > MAX_FILE_BYTES:
        raise DeckError(Message(f"file is larger than {MAX_FILE_BYTES // 2**20} MB; a deck or notes file is "
                                "plain text", "deck.too_large", mb=MAX_FILE_BYTES // 2**20), str(path))
    path, suffix = str(path), Path(path).suffix.lower()
    for magic, what, advice in _NOT_NOTES:
        if data.startswith(magic):
            raise DeckError(_not_notes(what, advice, _FORMAT_CODES[magic]), path, 1)
    if data.startswith(_OLE):
        what, advice = _OLE_ADVICE.get(suffix, ("an Office or Hangul document in an old format",
                                                "save it as .docx, .xlsx or .txt"))
        raise DeckError(_not_notes(what, advice, _FORMAT_CODES.get(suffix, "office")), path, 1)
    if data.startswith(_ZIP):
        return Source(path, _zip_kind(data, path), data)
    encoding = "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # what Windows Notepad calls "Unicode"
    elif b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise DeckError(Message("binary data (a NUL byte): a deck or notes file is plain text",
                                "deck.binary"), path, line)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        text = _korean_legacy(data)
        if text is None:
            line = data.count(b"\n", 0, e.start) + 1
            raise DeckError(Message(f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8",
                                    "deck.not_utf8", byte=f"0x{data[e.start]:02x}"), path, line) from e
        encoding = "cp949"
    name = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp949": "CP949"}[encoding]
    return Source(path, "text", data, normalise_text(text), name)


def _korean_legacy(data: bytes) -> str | None:
    """The text of a CP949 (EUC-KR) file, or None when the bytes are not Korean in CP949.

    Excel's plain "CSV" on a Korean Windows, and older editors, save CP949. Bytes that merely
    happen to decode (Latin-1 "été" does not; most other 8-bit text does not either) are refused
    unless they give Hangul and nearly every non-ASCII character they give is Hangul or a symbol.
    """
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return None
    wide = [c for c in text if ord(c) > 0x7F]
    hangul = sum("\uac00" <= c <= "\ud7a3" or "\u3130" <= c <= "\u318f" for c in wide)
    # CP949's symbols (※, ①, 「」, arrows, full-width forms) go with Korean text too
    symbols = sum("\u2000" <= c <= "\u33ff" or "\uff00" <= c <= "\uffef" for c in wide)
    return text if hangul and hangul + symbols >= 0.8 * len(wide) else None


def _zip_kind(data: bytes, path: str) -> Literal["xlsx", "docx"]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise DeckError(Message(f"a damaged ZIP file, not notes: rehearse reads {READS}", "deck.bad_zip"),
                        path, 1) from e
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    what = "a Hangul (.hwpx) file" if any(n.startswith("Contents/") for n in names) else \
        "a ZIP file (or an Office format other than .docx and .xlsx)"
    advice = ("in Hangul use 파일 > 다른 이름으로 저장하기 and choose Word 문서 (.docx)"
              if what.startswith("a Hangul") else "save the notes as .docx, .xlsx or .txt")
    code = "hwpx" if what.startswith("a Hangul") else "zip"
    raise DeckError(_not_notes(what, advice, code), path, 1)


def _not_notes(what: str, advice: str, code: str) -> Message:
    """A file that is not notes (``code``: pdf, image, rtf, hwp, hwpx, doc, xls, office, zip)."""
    return Message(f"this is {what}, not notes: rehearse reads {READS}; {advice}", "deck.not_notes",
                   format=code)


def read_text(path: str | Path) -> str:
    """Read a deck or notes file that must be text (see :func:`read_source`).

    Args:
        path: the file to read.

    Returns:
        The text, BOM removed, every line break ``\\n``, Unicode in NFC form.
    """
    source = read_source(path)
    if source.kind != "text":
        raise DeckError(f"this is an .{source.kind} file, not text; import it with "
                        "`rehearse import`", str(path), 1)
    return source.text


def normalise_text(text: str) -> str:
    """Drop a BOM, make every line break ``\\n``, neutralise control characters, compose (NFC)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    # the breaks YAML also counts as lines, so line numbers agree everywhere
    text = text.translate({0x0D: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"})
    return unicodedata.normalize("NFC", neutralise_controls(text))


def looks_like_yaml(path: str | Path, text: str) -> bool:
    """True if the file is a YAML deck rather than free-form notes (by suffix, else content)."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return True
    if suffix in NOTES_SUFFIXES:
        return False
    return re.search(r"^questions[ \t]*:", text, re.MULTILINE) is not None
