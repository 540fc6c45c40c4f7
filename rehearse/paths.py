"""Where files live: the one place that decides it.

The workspace holds ``questions/`` and ``recordings/`` (recordings, the history database, the
spoken-question cache). It is ``$REHEARSE_HOME`` when set, else the current directory.
Whisper weights live apart from the workspace, in ``$REHEARSE_MODELS`` or
``~/.cache/rehearse/models``, so that every workspace (and every test) shares one download.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository's bundled decks (present in a source checkout / editable install).
BUNDLED_QUESTIONS = PACKAGE_DIR.parent / "questions"


@dataclass(frozen=True)
class Workspace:
    """Resolved locations of everything rehearse reads and writes."""

    root: Path
    questions: Path
    recordings: Path
    history_db: Path
    tts_cache: Path
    models: Path

    @property
    def level_test_mark(self) -> Path:
        """Present once `rehearse doctor` has tested the microphone's level in this workspace."""
        return self.recordings / ".level-tested"


def workspace() -> Workspace:
    """Return the workspace locations, honouring ``REHEARSE_HOME`` and ``REHEARSE_MODELS``."""
    root = Path(os.environ.get("REHEARSE_HOME") or Path.cwd()).expanduser().resolve()
    recordings = root / "recordings"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    models = Path(os.environ.get("REHEARSE_MODELS") or cache / "rehearse" / "models")
    return Workspace(
        root=root,
        questions=root / "questions",
        recordings=recordings,
        history_db=recordings / "history.sqlite",
        tts_cache=recordings / ".tts-cache",
        models=models.expanduser().resolve(),
    )


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
# Windows device names, reserved with any extension too ("con.txt"); ¹²³ count as digits there
_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
             *(f"{dev}{n}" for dev in ("com", "lpt") for n in [*"0123456789", "¹", "²", "³"])}
MAX_NAME_BYTES = 200  # UTF-8 bytes of one name: file systems allow 255, ".wav.part" and "-2" need room


def safe_name(text: str, max_len: int = 80) -> str:
    """Turn any id or title into one safe path component (Korean letters are kept).

    Args:
        text: an id, title or other user-supplied string.
        max_len: longest result, in characters (and never more than `MAX_NAME_BYTES` bytes).

    Returns:
        A non-empty name with no separators, no control characters, no leading dot and no
        reserved device name, so it can never point outside the folder it is joined to.
    """
    name = unicodedata.normalize("NFC", text)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("-", name).strip("-._")
    name = name[:max_len]
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:  # 4-byte letters (CJK extensions)
        name = name[:-1]
    name = name.rstrip("-._")
    if not name:
        name = "untitled"
    if name.split(".")[0].lower() in _RESERVED:
        name = f"_{name}"
    return name


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem-2``, ``stem-3`` … when taken: two ids with the same safe
    name (``a/b`` and ``a-b``, or two long ids alike in their first 80 characters) never share
    a recording."""
    path, n = folder / f"{stem}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    return path


_NOT_ON_WINDOWS = set('<>:"|?*')  # characters Windows refuses in a name (":" would name a drive)


def is_plain_name(text: str) -> bool:
    """True when ``text`` + ".wav" names one file inside any folder, on Linux, macOS and Windows.

    Not plain: separators (``/``, ``\\``), a drive (``c:x``), the characters Windows refuses, control
    characters, a leading dot, surrounding spaces, a trailing dot (Windows drops it), a device name
    (``CON``, ``nul.txt``: Windows opens the device whatever the folder), or over `MAX_NAME_BYTES`.
    """
    return (text == text.strip() and not text.startswith(".") and not text.endswith(".")
            and len(text.encode("utf-8", "replace")) <= MAX_NAME_BYTES
            and not any(c in text for c in "/\\\0") and not _NOT_ON_WINDOWS.intersection(text)
            and all(unicodedata.category(c)[0] != "C" for c in text)
            and text.split(".")[0].strip().lower() not in _RESERVED)


def answer_file(folder: Path, question_id: str) -> Path:
    """The ``--answers-from`` file of a question: ``folder/<id>.wav``, else ``folder/<safe name>.wav``.

    An id that is not a plain file name (``../x``, ``a/b``, control characters, 500 characters)
    is only looked up under its safe name, the name its recording gets: a hostile id never
    reads a file outside ``folder``.

    Returns:
        The file found, or the safe-name path (which does not exist) to name in a message.
    """
    safe = folder / f"{safe_name(question_id)}.wav"
    for path in ([folder / f"{question_id}.wav"] if is_plain_name(question_id) else []) + [safe]:
        if path.is_file():
            return path
    return safe
