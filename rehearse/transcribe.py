"""Transcribe: answers to text with openai-whisper (loaded once, cached)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.errors import ModelError, TranscriptionError
from rehearse.transcript import Segment, Transcript, Word

DEFAULT_MODEL = "base"


@dataclass
class TranscribeOptions:
    """How Whisper is run on an answer."""

    model: str = DEFAULT_MODEL  # a model name ("base") or a path to a checkpoint (.pt)
    beam_size: int | None = None  # None = greedy: 3x faster than beam 5 on a 2-core CPU
    word_timestamps: bool = True  # pauses and time to first word need them
    initial_prompt: str | None = None  # e.g. fillers and the deck's jargon
    threads: int | None = None  # torch threads; None = every core


def model_spec() -> str:
    """The model asked for by ``REHEARSE_MODEL``, else the default name."""
    return os.environ.get("REHEARSE_MODEL") or DEFAULT_MODEL


@functools.lru_cache(maxsize=2)
def load_model(name_or_path: str):
    """Load an openai-whisper model once per process (name or checkpoint path)."""
    from rehearse.models import alignment_heads, resolve_model

    checkpoint = resolve_model(name_or_path)
    # OpenMP threads otherwise spin on both cores after each decoding step and starve the audio
    # threads (question playback underruns); must be set before torch loads its OpenMP runtime
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import whisper

        model = whisper.load_model(str(checkpoint), device="cpu")
    except (RuntimeError, OSError, KeyError, EOFError, ValueError) as e:
        raise ModelError(f"{checkpoint}: not a usable Whisper checkpoint ({e})") from e
    # whisper sets alignment heads only for models it downloads itself; word timings need them
    heads = alignment_heads(Path(checkpoint).stem)
    if heads is not None:
        model.set_alignment_heads(heads)
    return model


def transcribe(
    audio: np.ndarray, language: str, options: TranscribeOptions | None = None
) -> Transcript:
    """Transcribe 16 kHz mono audio in the deck's language.

    Args:
        audio: float32 samples at 16 kHz.
        language: the deck's language code, forced (never detected).
        options: model and decoding settings.

    Returns:
        The transcript with segments and, when asked, word timings.
    """
    opts = options or TranscribeOptions()
    model = load_model(opts.model)
    import torch

    torch.set_num_threads(opts.threads or os.cpu_count() or 1)
    duration = audio.size / 16_000
    if audio.size == 0:
        return Transcript(text="", language=language, duration_s=0.0, engine="openai-whisper",
                          model=opts.model)
    try:
        result = model.transcribe(
            audio.astype(np.float32, copy=False),
            language=language,
            task="transcribe",
            fp16=False,
            condition_on_previous_text=False,
            beam_size=opts.beam_size,
            word_timestamps=opts.word_timestamps,
            initial_prompt=opts.initial_prompt,
            verbose=None,
        )
    except (RuntimeError, ValueError, IndexError) as e:
        raise TranscriptionError(f"Whisper failed on this answer: {e}") from e
    segments = [
        Segment(
            start=float(s["start"]),
            end=float(s["end"]),
            text=s["text"].strip(),
            words=[
                Word(w["word"].strip(), float(w["start"]), float(w["end"]),
                     float(w.get("probability", 1.0)))
                for w in s.get("words", [])
            ],
            no_speech_prob=float(s.get("no_speech_prob", 0.0)),
            avg_logprob=float(s.get("avg_logprob", 0.0)),
            compression_ratio=float(s.get("compression_ratio", 1.0)),
        )
        for s in result.get("segments", [])
    ]
    return Transcript(
        text=result.get("text", "").strip(),
        language=language,
        segments=segments,
        duration_s=duration,
        engine="openai-whisper",
        model=opts.model,
    )
