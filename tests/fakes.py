"""Fake parts for fast session tests: a speaker that only remembers, and a transcriber that
hears a prepared text for each answer (by the question id the answer's file is named after)."""

from __future__ import annotations

from pathlib import Path

from rehearse.deck import Deck
from rehearse.paths import safe_name
from rehearse.stream import IncrementalTranscriber
from rehearse.transcribe import TranscribeOptions
from rehearse.transcript import Transcript


class FakeSpeaker:
    """Says nothing; keeps what it was asked to say."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.ahead: list[str] = []

    def prepare(self, language: str, voice: str | None) -> str | None:
        return None

    def say(self, text: str) -> str | None:
        self.said.append(text)
        return None

    def say_ahead(self, text: str) -> None:
        self.ahead.append(text)


class FakeTranscriber:
    """Hears ``texts[question id]`` in every answer to that question (an answer file is named
    after its question: ``<safe id>.wav`` or ``<safe id>-2.wav``)."""

    def __init__(self, texts: dict[str, str], deck: Deck, options: TranscribeOptions) -> None:
        self.by_file = {safe_name(qid): text for qid, text in texts.items()}
        self.deck = deck
        self.options = options
        self.prompt: str | None = None
        self.heard: list[Path] = []

    @classmethod
    def factory(cls, texts: dict[str, str]):
        """A `rehearse.parts.TranscriberFactory` hearing ``texts``; its transcribers are kept."""
        made: list[FakeTranscriber] = []

        def make(deck: Deck, options: TranscribeOptions) -> FakeTranscriber:
            made.append(cls(texts, deck, options))
            return made[-1]

        make.made = made  # type: ignore[attr-defined]
        return make

    def check(self) -> None:
        return None

    def warm_up(self) -> None:
        return None

    def ready(self) -> None:
        return None

    def stream(self, samplerate: int) -> IncrementalTranscriber | None:
        return None

    def transcribe(self, path: Path, incremental: IncrementalTranscriber | None) -> Transcript:
        import soundfile as sf

        self.heard.append(path)
        stem = path.stem
        text = self.by_file.get(stem) or self.by_file.get(stem.rsplit("-", 1)[0], "")
        return Transcript.from_text(text, self.deck.language, duration_s=sf.info(str(path)).duration)
