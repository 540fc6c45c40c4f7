"""Spoken answers for the benchmarks: espeak-ng sentences joined with pauses of chosen lengths,
with where each word is (from the clean audio), so an end or a cut can be checked against them.

Each sentence is synthesised on its own and trimmed to its voice, so the pauses between them are
exactly the ones asked for (espeak-ng's own pause after a full stop is ~0.5 s, always the same).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 16_000
WORD_DB = -30.0  # dB under the answer's speech level: a 10 ms frame this loud is inside a word


@dataclass
class Spoken:
    """A synthesised answer: 16 kHz mono audio and where its words are."""

    text: str
    voice: str
    audio: np.ndarray
    sentence_ends_s: list[float]  # when each sentence's last word ends
    pauses_s: list[float] = field(default_factory=list)  # the pause after each sentence but the last

    @property
    def duration_s(self) -> float:
        return self.audio.size / RATE

    @property
    def last_word_s(self) -> float:
        return self.sentence_ends_s[-1]


def speech_level_db(audio: np.ndarray) -> float:
    """RMS in dBFS of the frames inside words (the loudest 10 ms frames down to `WORD_DB`)."""
    levels = levels_10ms(audio)
    top = np.percentile(levels, 95)
    inside = levels[levels > top + WORD_DB]
    rms = np.sqrt(np.mean(10 ** (inside / 10)))
    return float(10 * np.log10(rms ** 2 + 1e-20))


def levels_10ms(audio: np.ndarray) -> np.ndarray:
    n = audio.size // 160
    frames = audio[: n * 160].reshape(n, 160).astype(np.float64)
    return 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-20)


def inside_words(audio: np.ndarray) -> np.ndarray:
    """Per 10 ms frame of a clean answer: inside a word (within `WORD_DB` of its loudest frames)."""
    levels = levels_10ms(audio)
    return levels > np.percentile(levels, 95) + WORD_DB


def _trimmed(path: Path) -> np.ndarray:
    from rehearse.audio import read_audio

    audio = read_audio(path)
    words = np.flatnonzero(inside_words(audio))
    return audio[max(0, words[0] * 160 - 320): (words[-1] + 1) * 160 + 320]


def speak(sentences: list[str], voice: str, wpm: int, pauses_s: list[float], lead_s: float = 0.5,
          tail_s: float = 0.0) -> Spoken:
    """``sentences`` read by espeak-ng ``voice`` at ``wpm``, ``pauses_s[i]`` of silence after
    sentence i, ``lead_s`` before the first and ``tail_s`` after the last."""
    from rehearse.demo import synthesise

    assert len(pauses_s) >= len(sentences) - 1
    parts = [np.zeros(int(lead_s * RATE), np.float32)]
    ends, t = [], lead_s
    with tempfile.TemporaryDirectory(prefix="rehearse-bench-speak-") as tmp:
        for i, sentence in enumerate(sentences):
            audio = _trimmed(synthesise(sentence, Path(tmp) / f"{i}.wav", voice=voice, wpm=wpm))
            parts.append(audio)
            t += audio.size / RATE
            ends.append(t - 0.02)  # `_trimmed` keeps 20 ms after the last loud frame
            if i < len(sentences) - 1:
                parts.append(np.zeros(int(pauses_s[i] * RATE), np.float32))
                t += int(pauses_s[i] * RATE) / RATE
    parts.append(np.zeros(int(tail_s * RATE), np.float32))
    return Spoken(" ".join(sentences), voice, np.concatenate(parts), ends,
                  list(pauses_s[:len(sentences) - 1]))


def natural_pauses(n: int, seed: int, lo: float = 0.3, hi: float = 0.9) -> list[float]:
    """``n`` sentence pauses drawn evenly from ``lo``-``hi`` s (seeded)."""
    rng = random.Random(seed)
    return [round(rng.uniform(lo, hi), 2) for _ in range(n)]
