"""The result type every transcription engine returns (and the scorer reads)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Word:
    """One word with its timing in seconds from the start of the answer."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Segment:
    """One Whisper segment."""

    start: float  # s
    end: float  # s
    text: str
    words: list[Word] = field(default_factory=list)
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 1.0


@dataclass
class Transcript:
    """A transcribed answer.

    ``duration_s`` is the length of the audio that was transcribed (None when the transcript
    came from a text file), ``engine`` and ``model`` say what produced it. ``voiced_s`` is how
    much of that audio was voice by `rehearse.voice`'s rule (None when it was not measured), so
    that an answer Whisper made no words of can be told from a silent one.
    """

    text: str
    language: str
    segments: list[Segment] = field(default_factory=list)
    duration_s: float | None = None
    engine: str = "text"
    model: str = ""
    voiced_s: float | None = None

    @classmethod
    def from_text(cls, text: str, language: str, duration_s: float | None = None) -> Transcript:
        """A transcript typed or pasted by the user (no timings)."""
        return cls(text=text.strip(), language=language, duration_s=duration_s)
