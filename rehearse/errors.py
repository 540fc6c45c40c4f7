"""The project's own errors.

Core modules raise these with context (``raise ... from e``); the CLI turns each into one clear
sentence on stderr and the exit code below. Anything else escaping the core is a bug.
"""

from __future__ import annotations


class RehearseError(Exception):
    """Base class: a problem the user can act on, described in one sentence."""

    exit_code = 1


class DeckError(RehearseError):
    """A deck or notes file that cannot be read; the message starts with ``path:line:``."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.bare_message = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class QuestionNotFound(RehearseError):
    """A question id that the deck does not have."""

    exit_code = 2


class DeviceError(RehearseError):
    """No usable audio input or output device, or the device failed."""

    exit_code = 3


class ModelError(RehearseError):
    """Whisper weights are missing, corrupt or cannot be provisioned."""

    exit_code = 4


class AudioFileError(RehearseError):
    """An audio file that cannot be read or decoded."""

    exit_code = 5


class TTSError(RehearseError):
    """The text-to-speech engine is missing or failed."""

    exit_code = 6


class TranscriptionError(RehearseError):
    """Whisper failed on an answer (the audio is kept)."""

    exit_code = 7


class DiskError(RehearseError):
    """The disk is full, or refused a write; what was written before it is kept."""

    exit_code = 8
