"""Pauses in an answer as it arrives: where `rehearse.stream` may cut it, or end a speculative pass.

`rehearse.voice`'s level rule decides, frame by frame, what is voice; a quiet run of at least
``comma_pause_s`` (or ``pause_s``, if shorter) is a `Pause`; the cut rules take those of
``pause_s``. Where there is no pause at all, `EnergyVad.quietest` finds the quietest 60 ms (a
forced cut).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rehearse.voice import FRAME_S, VoiceDetector, frame_length, frame_levels

if TYPE_CHECKING:
    from rehearse.streamopts import StreamOptions


@dataclass
class Pause:
    """A quiet run: where it starts and how long it is so far, in frames."""

    start: int  # frame
    frames: int
    frame: int  # samples per frame

    @property
    def cut(self) -> int:
        """The sample to cut at: the middle of the pause (of its first second, if it goes on)."""
        return (self.start + min(self.frames, round(1.0 / FRAME_S)) // 2) * self.frame

    def cut_after(self, lo: int) -> int | None:
        """Where to cut at or after sample ``lo``: `cut`, or ``lo`` itself if a long pause spans it."""
        if self.cut >= lo:
            return self.cut
        if lo <= (self.start + self.frames) * self.frame - self.frame * 5:  # 0.1 s of it left after
            return lo
        return None

    @property
    def seconds(self) -> float:
        return self.frames * FRAME_S


class EnergyVad:
    """`rehearse.voice`'s frame decisions over the answer so far; reports pauses as candidate cut points."""

    def __init__(self, options: StreamOptions, samplerate: int) -> None:
        self.opts = options
        self.samplerate = samplerate
        self.frame = frame_length(samplerate)
        self.detector = VoiceDetector()
        self.levels: list[float] = []  # dBFS per frame
        self.voiced: list[bool] = []
        self.pauses: list[Pause] = []  # every quiet run of at least ``comma_pause_s`` / ``pause_s``
        self._quiet_run = 0  # frames
        self._pause: Pause | None = None  # the pause going on now
        self._pause_frames = max(1, round(min(options.pause_s, options.comma_pause_s) / FRAME_S))

    def update(self, audio: np.ndarray, upto: int) -> None:
        """Measure every whole frame of ``audio[:upto]`` not measured yet."""
        first = len(self.levels)
        n = upto // self.frame - first
        if n <= 0:
            return
        levels = frame_levels(audio[first * self.frame:(first + n) * self.frame], self.samplerate)
        for i, level in enumerate(levels):
            voice = self.detector.hear(float(level))
            self.levels.append(float(level))
            self.voiced.append(voice)
            self._quiet_run = 0 if voice else self._quiet_run + 1
            if self._quiet_run == self._pause_frames:
                self._pause = Pause(first + i + 1 - self._quiet_run, self._quiet_run, self.frame)
                self.pauses.append(self._pause)
            elif self._quiet_run > self._pause_frames and self._pause is not None:
                self._pause.frames = self._quiet_run  # still growing (the worker may have dropped it)

    def voiced_s(self, start: int, end: int) -> float:
        """Seconds of voice between two sample positions."""
        return sum(self.voiced[start // self.frame:end // self.frame]) * FRAME_S

    def quietest(self, start: int, end: int) -> int:
        """The sample position of the quietest 60 ms between two positions (a forced cut)."""
        lo, hi = start // self.frame, end // self.frame
        levels = np.asarray(self.levels[lo:hi])
        if levels.size < 3:
            return end
        smooth = np.convolve(levels, np.ones(3) / 3, mode="same")
        return (lo + int(np.argmin(smooth))) * self.frame
