"""What counts as voice: one rule for the recorder's end of an answer, the voice gate before
Whisper and the incremental transcriber's cuts, so that a quiet microphone passes all or none.

A 20 ms frame is voice when it is `VOICE_MARGIN_DB` above a running noise floor and louder than
`MIN_VOICE_DB`. The floor follows the quietest frames: it falls at once and rises by at most
`FLOOR_RISE_DB_S`, so steady noise (a fan, hum, hiss) becomes the floor within seconds while the
pauses between words keep it under the speech.
"""

from __future__ import annotations

import numpy as np

FRAME_S = 0.02  # s per level measurement
MIN_VOICE_DB = -60.0  # dBFS; quieter is never voice (speech from a quiet microphone is ~-55)
# dB over the noise floor that is voice. Silence, white noise and mains hum vary by under 2 dB from
# frame to frame, pink noise by up to 9 (8 s of it: 0.2-0.4 s of frames over 8 dB, none over 10);
# speech, even 26 dB down or over noise, spends seconds above 10 (tests/test_voice.py).
VOICE_MARGIN_DB = 10.0
FLOOR_RISE_DB_S = 2.5  # dB/s the noise-floor estimate may rise (it falls at once)
MIN_VOICE_S = 0.3  # s of voice an answer needs before Whisper is asked to transcribe it
SILENT_DB = -120.0  # dBFS reported for digital silence
# what `rehearse doctor` advises on: a microphone that is voice by the rule above, but barely
QUIET_PEAK_DB = -30.0  # dBFS; a speech peak under this is too quiet for a reliable transcript
CLEAR_VOICE_MARGIN_DB = 15.0  # dB; a voice less far above the room's noise is hard to tell apart


def frame_levels(samples: np.ndarray, samplerate: int) -> np.ndarray:
    """RMS level in dBFS of every whole `FRAME_S` frame of ``samples``."""
    frame = frame_length(samplerate)
    n = samples.size // frame
    if n == 0:
        return np.zeros(0)
    frames = samples[: n * frame].reshape(n, frame)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    return np.maximum(SILENT_DB, 20.0 * np.log10(rms + 1e-12))


def frame_length(samplerate: int) -> int:
    """Samples per `FRAME_S` frame."""
    return max(1, int(FRAME_S * samplerate))


class VoiceDetector:
    """Decides frame by frame whether a stream of levels is voice (the module's rule).

    Feed it the levels of consecutive frames (`frame_levels`); it keeps the noise floor between
    calls, so it can follow a recording block by block.


    Args:
        floor_db: the noise floor to start from, when it is known (a whole answer: its quietest
            tenth); None starts at `MIN_VOICE_DB`, so that a recording that begins mid-word is voice.
    """

    def __init__(self, floor_db: float | None = None, margin_db: float = VOICE_MARGIN_DB,
                 min_voice_db: float = MIN_VOICE_DB) -> None:
        self.margin_db = margin_db
        self.min_voice_db = min_voice_db
        self.rise = FLOOR_RISE_DB_S * FRAME_S  # dB per frame
        self.floor: float | None = floor_db  # dBFS

    def hear(self, level_db: float) -> bool:
        """Whether the next frame, at ``level_db`` dBFS, is voice."""
        # starts no higher than the quietest voice, so an answer recorded from mid-word is voice
        floor = self.min_voice_db if self.floor is None else self.floor + self.rise
        self.floor = min(level_db, floor)
        return level_db > max(self.floor + self.margin_db, self.min_voice_db)

    def hear_all(self, levels: np.ndarray) -> np.ndarray:
        """`hear` for each level in turn; the voice decisions as a boolean array."""
        return np.fromiter((self.hear(float(v)) for v in levels), dtype=bool, count=len(levels))

    def frames(self, samples: np.ndarray, samplerate: int) -> np.ndarray:
        """Voice or not for every whole `FRAME_S` frame of the next samples."""
        return self.hear_all(frame_levels(samples, samplerate))


class EndOfAnswer:
    """The recorder's end of an answer: it has begun once `MIN_VOICE_S` of voice were heard, and
    ends after ``silence_s`` without voice following that.

    Feed it the recording block by block (`hear`); ``last_voice`` is where the voice stopped.

    Args:
        samplerate: of the blocks (Hz).
        silence_s: seconds of silence after speech that end the answer (0: never).
        detector: decides voice frame by frame (`VoiceDetector`, or anything with its ``frames``).
    """

    def __init__(self, samplerate: int, silence_s: float, detector: VoiceDetector | None = None) -> None:
        self.samplerate = samplerate
        self.silence_s = silence_s
        self.detector = detector or VoiceDetector()
        self.frame = frame_length(samplerate)
        self.samples = 0  # heard so far
        self.voiced_frames = 0
        self.last_voice = 0  # the sample after the last frame of voice
        self.started = False  # `MIN_VOICE_S` of voice heard

    def hear(self, block: np.ndarray) -> bool:
        """Take the next block; True once the answer has ended on silence."""
        heard = self.detector.frames(block, self.samplerate)
        self.samples += block.size
        self.voiced_frames += int(np.count_nonzero(heard))
        if heard.any():  # the end of the block's last frame of voice
            self.last_voice = self.samples - block.size + (int(np.flatnonzero(heard)[-1]) + 1) * self.frame
        self.started = self.started or self.voiced_frames * FRAME_S >= MIN_VOICE_S
        return bool(self.started and self.silence_s and self.silence >= self.silence_s)

    @property
    def silence(self) -> float:
        """Seconds since the last voice."""
        return (self.samples - self.last_voice) / self.samplerate


def voiced_s(samples: np.ndarray, samplerate: int) -> float:
    """Seconds of voice in a whole answer, by the module's rule, the floor starting from the
    answer's quietest tenth (steady noise is the floor from the first frame)."""
    levels = frame_levels(samples, samplerate)
    if levels.size == 0:
        return 0.0
    detector = VoiceDetector(floor_db=float(np.percentile(levels, 10)))
    return float(np.count_nonzero(detector.hear_all(levels))) * FRAME_S


def heard_voice(samples: np.ndarray, samplerate: int) -> bool:
    """Whether an answer holds any voice: at least `MIN_VOICE_S` of it.

    Whisper given silence or steady noise invents text, and with an initial prompt it first
    retries at higher temperatures for 26-39 s (bench/PROMPTS.md); an answer without voice skips it.
    """
    return voiced_s(samples, samplerate) >= MIN_VOICE_S
