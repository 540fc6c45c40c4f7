"""The demo: the sample deck answered by espeak-ng, so a full session runs with no microphone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from rehearse.deck import Deck
from rehearse.errors import RehearseError, TTSError
from rehearse.paths import BUNDLED_QUESTIONS, workspace

SAMPLE_DECK = "sample-en.yaml"
DEMO_VOICE = "en-us"  # espeak-ng's American English: the voice Whisper understands best
DEMO_WPM = 125  # espeak-ng's rate setting; it comes out at 135–150 wpm, inside the 120–160 band


def sample_deck_path() -> Path:
    """The sample deck: the workspace's copy if it has one, else the bundled one."""
    for folder in (workspace().questions, BUNDLED_QUESTIONS):
        if (folder / SAMPLE_DECK).is_file():
            return folder / SAMPLE_DECK
    raise RehearseError(f"the sample deck {SAMPLE_DECK} is missing from {BUNDLED_QUESTIONS}")


def demo_answer(key_points: list[str]) -> str:
    """What the synthetic candidate says: every key point but the last, so feedback shows both."""
    said = key_points[:-1] if len(key_points) > 1 else key_points
    return " ".join(p.strip() for p in said)


def synthesise(text: str, path: Path, voice: str = DEMO_VOICE, wpm: int = DEMO_WPM) -> Path:
    """Speak ``text`` into a WAV file with espeak-ng.

    Args:
        text: what to say.
        path: the WAV file to write.
        voice: an espeak-ng voice name.
        wpm: speaking rate in words per minute.

    Returns:
        ``path``.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise TTSError("espeak-ng is not installed (Debian/Ubuntu: sudo apt-get install espeak-ng)")
    proc = subprocess.run([exe, "-v", voice, "-s", str(wpm), "-w", str(path), text],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not path.is_file():
        raise TTSError(f"espeak-ng failed: {proc.stderr.strip() or proc.returncode}")
    return path


def synthesise_answers(deck: Deck, folder: Path) -> list[Path]:
    """Write ``folder/<question-id>.wav`` for every question of the deck (the demo's answers)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [synthesise(demo_answer(q.key_points), folder / f"{q.id}.wav") for q in deck.walk()]
