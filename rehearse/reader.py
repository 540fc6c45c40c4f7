"""Reading deck and notes files as text: size cap, binary check, encodings, line breaks.

Every reader of a user's file starts here, so a deck, a notes file and a spreadsheet agree on what
a line is (line numbers in messages match the file) and on the limits that keep memory bounded.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from rehearse.errors import DeckError

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
    for line in text.split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def check_size(text: str, path: str) -> None:
    """Refuse text with more lines than a deck or notes file ever has (memory stays bounded)."""
    if text.count("\n") >= MAX_LINES:
        raise DeckError(f"more than {MAX_LINES:,} lines; a deck or notes file has a few thousand "
                        "at most", path, MAX_LINES + 1)


def read_text(path: str | Path) -> str:
    """Read a deck or notes file as text (UTF-8, or UTF-16 with a BOM); refuse binary or huge.

    Args:
        path: the file to read.

    Returns:
        The text, BOM removed, every line break ``\\n``, Unicode in NFC form.
    """
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # never more: a 2 GB file costs 10 MB
    except FileNotFoundError as e:
        raise DeckError("no such file", str(path)) from e
    except IsADirectoryError as e:
        raise DeckError("is a folder, not a deck or notes file", str(path)) from e
    except OSError as e:
        raise DeckError(f"cannot read the file ({e.strerror or e})", str(path)) from e
    if len(data) > MAX_FILE_BYTES:
        raise DeckError(f"file is larger than {MAX_FILE_BYTES // 2**20} MB; "
                        "a deck or notes file is plain text", str(path))
    encoding, path = "utf-8-sig", str(path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # what Windows Notepad calls "Unicode"
    elif b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise DeckError("binary data (a NUL byte): a deck or notes file is plain text", path, line)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DeckError(f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8",
                        path, line) from e
    return normalise_text(text)


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
