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
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(text: str, max_len: int = 80) -> str:
    """Turn any id or title into one safe path component (Korean letters are kept).

    Args:
        text: an id, title or other user-supplied string.
        max_len: longest result, in characters.

    Returns:
        A non-empty name with no separators, no control characters, no leading dot and no
        reserved device name, so it can never point outside the folder it is joined to.
    """
    name = unicodedata.normalize("NFC", text)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("-", name).strip("-._")
    name = name[:max_len].rstrip("-._")
    if not name:
        name = "untitled"
    if name.lower() in _RESERVED:
        name = f"_{name}"
    return name
