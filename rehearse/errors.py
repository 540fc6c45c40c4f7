"""The project's own errors.

Core modules raise these with context (``raise ... from e``); the CLI turns each into one clear
sentence on stderr and the exit code below. Anything else escaping the core is a bug.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """A sentence for the user that also carries a stable id and its values.

    ``str()`` of it is the English sentence the command line prints; a front end that speaks
    another language (the web page in Korean) words it from ``key`` and ``params`` instead.
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, text: str, key: str, /, **params: Any) -> Message:
        self = super().__new__(cls, text)
        self.key = key
        self.params = params
        return self

    def __reduce__(self) -> tuple:
        return (_message, (str(self), self.key, self.params))


def _message(text: str, key: str, params: dict[str, Any]) -> Message:
    return Message(text, key, **params)


class RehearseError(Exception):
    """Base class: a problem the user can act on, described in one sentence.

    Given a `Message`, its ``key`` and ``params`` are kept (else ``key`` is None).
    """

    exit_code = 1

    def __init__(self, message: str = "", *args: Any) -> None:
        super().__init__(message, *args)
        self.key: str | None = getattr(message, "key", None)
        self.params: dict[str, Any] = dict(getattr(message, "params", {}))


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
        self.key = getattr(message, "key", None)
        self.params = dict(getattr(message, "params", {}))


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
