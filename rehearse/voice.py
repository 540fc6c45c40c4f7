"""What counts as voice: one rule for the recorder's end of an answer, the voice gate before
Whisper and the incremental transcriber's cuts, so that a quiet microphone passes all or none.

A 20 ms frame is voice when it is `VOICE_MARGIN_DB` above a running noise floor and louder than
`MIN_VOICE_DB`. The floor follows the quietest frames: it falls at once and rises by at most
`FLOOR_RISE_DB_S`, so steady noise (a fan, hum, hiss) becomes the floor within seconds while the
pauses between words keep it under the speech.

The end of an answer asks a different question, whether the speaker is still talking, and the
level rule answers it badly where the noise itself varies like speech: over other people talking
20 dB under the answer it never ended one (bench/bench_endpoint.py). `EndOfAnswer` therefore
uses Silero VAD (`SpeechDetector`, the ONNX model faster-whisper ships, on onnxruntime) where it
can run, and the level rule otherwise. The stream's cuts and the voice gate still use the level
rule: Silero would put fewer cuts inside words in noise (0-1 against 3-60 per 4 answers at
20-5 dB SNR), but it hears no voice in the tone bursts the stream's tests stand on, and a tone
is not speech; moving them is the next step.
"""

from __future__ import annotations

import functools
import threading

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


SPEECH_ON = 0.5  # Silero's probability from which a window is speech ...
SPEECH_OFF = 0.35  # ... and under which speech stops (its own defaults)


@functools.lru_cache(maxsize=1)
def _silero_session():
    """Silero VAD v6 (the ONNX model faster-whisper ships) on onnxruntime; None without them."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or spec.origin is None:
        return None
    model = Path(spec.origin).parent / "assets" / "silero_vad_v6.onnx"
    try:
        import onnxruntime
    except ImportError:
        return None
    if not model.is_file():
        return None
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = opts.intra_op_num_threads = 1
    opts.log_severity_level = 4  # nothing on the terminal
    return onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"], sess_options=opts)


class SpeechDetector:
    """Speech, not just sound: Silero VAD's decision for each 32 ms window, its state carried from
    block to block; each `FRAME_S` frame takes the decision of the window its middle falls in (the
    last one decided, for the few ms not yet decided). 16 kHz only (the model's rate).

    Tried and left out (bench/bench_endpoint.py): only frames over `MIN_VOICE_DB`, or within 12 dB
    of the speaker's own level, to tell the speaker from people further off: neither ended an
    answer over babble at 10 dB SNR, and both put more cut points inside words.
    """

    WINDOW = 512  # samples per Silero window at 16 kHz
    CONTEXT = 64  # samples of the previous window it is given

    def __init__(self, session) -> None:
        self.session = session
        self.h = np.zeros((1, 1, 128), np.float32)
        self.c = np.zeros((1, 1, 128), np.float32)
        self.context = np.zeros(self.CONTEXT, np.float32)
        self.pending = np.zeros(0, np.float32)
        self.speaking = False
        self.decided: list[bool] = []  # per window
        self.seen = 0  # samples given to `frames`

    def frames(self, samples: np.ndarray, samplerate: int) -> np.ndarray:
        """Speech or not for every whole `FRAME_S` frame of the next samples."""
        samples = np.asarray(samples, np.float32).reshape(-1)
        self.pending = np.concatenate([self.pending, samples])
        while self.pending.size >= self.WINDOW:
            window, self.pending = self.pending[:self.WINDOW], self.pending[self.WINDOW:]
            x = np.concatenate([self.context, window])[None, :]
            prob, self.h, self.c = self.session.run(None, {"input": x, "h": self.h, "c": self.c})
            self.context = window[-self.CONTEXT:]
            p = float(np.asarray(prob).reshape(-1)[0])
            self.speaking = p >= SPEECH_ON or (self.speaking and p >= SPEECH_OFF)
            self.decided.append(self.speaking)
        frame = frame_length(samplerate)
        out = np.zeros(samples.size // frame, bool)
        for i in range(out.size):
            k = min((self.seen + i * frame + frame // 2) // self.WINDOW, len(self.decided) - 1)
            out[i] = k >= 0 and self.decided[k]
        self.seen += samples.size
        return out


def end_detector(samplerate: int) -> SpeechDetector | VoiceDetector:
    """What ends an answer: `SpeechDetector` where Silero can run (faster-whisper installed, 16 kHz),
    else `VoiceDetector`.

    bench/bench_endpoint.py (4 espeak-ng answers in two voices, a 2.5 s pause to think in each,
    silence_s 4): with pink or fan-like noise at 20-5 dB SNR or a -55 dBFS microphone both end every
    answer between its last word and silence_s + 0.5 s after it; with babble (six other voices)
    at 20 dB SNR the level rule never ends any (other voices vary as much as speech does) and
    Silero ends all; at 10 and 5 dB neither ends any (Silero hears the others as speech, which
    they are). It costs ~10 ms of CPU per second of audio (the level rule 0.5). See
    bench/README.md for the table.
    """
    session = _silero_session() if samplerate == 16_000 else None
    return SpeechDetector(session) if session is not None else VoiceDetector()


class EndOfAnswer:
    """The recorder's end of an answer: it has begun once `MIN_VOICE_S` of voice were heard, and
    ends after ``silence_s`` without voice following that.

    Feed it the recording block by block (`hear`); ``last_voice`` is where the voice stopped.

    Args:
        samplerate: of the blocks (Hz).
        silence_s: seconds of silence after speech that end the answer (0: never).
        detector: decides voice frame by frame (anything with `VoiceDetector.frames`); default
            `end_detector`.
    """

    def __init__(self, samplerate: int, silence_s: float, detector: VoiceDetector | None = None) -> None:
        self.samplerate = samplerate
        self.silence_s = silence_s
        self.detector = detector
        self._loading: threading.Thread | None = None
        if detector is None:  # onnxruntime takes ~0.5-1.5 s to load: meanwhile the stream starts
            self._loading = threading.Thread(target=self._load, name="rehearse-vad-load", daemon=True)
            self._loading.start()
        self.frame = frame_length(samplerate)
        self.samples = 0  # heard so far
        self.voiced_frames = 0
        self.last_voice = 0  # the sample after the last frame of voice
        self.started = False  # `MIN_VOICE_S` of voice heard

    def _load(self) -> None:
        try:
            self.detector = end_detector(self.samplerate)
        except Exception:  # a broken onnxruntime: the level rule still ends answers
            self.detector = VoiceDetector()

    def hear(self, block: np.ndarray) -> bool:
        """Take the next block; True once the answer has ended on silence."""
        if self._loading is not None:  # the blocks wait in the recorder's queue meanwhile
            self._loading.join()
            self._loading = None
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


def is_answer_voice(seconds: float | None) -> bool:
    """Whether ``seconds`` of voice (`voiced_s`) make an answer: at least `MIN_VOICE_S` (a sigh
    of 0.2 s does not); None (not measured) does not."""
    return seconds is not None and seconds >= MIN_VOICE_S


def heard_voice(samples: np.ndarray, samplerate: int) -> bool:
    """Whether an answer holds any voice: at least `MIN_VOICE_S` of it.

    Whisper given silence or steady noise invents text, and with an initial prompt it first
    retries at higher temperatures for 26-39 s (bench/PROMPTS.md); an answer without voice skips it.
    """
    return is_answer_voice(voiced_s(samples, samplerate))
