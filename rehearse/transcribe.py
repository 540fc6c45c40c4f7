"""Transcribe: answers to text, with one of two engines behind one function.

``openai-whisper`` (the default) runs the PyTorch checkpoint that ``rehearse models install``
converts; ``faster-whisper`` (``pip install 'rehearse[fast]'``) runs the CTranslate2 directory kept
beside it, quantised to int8 on the CPU. Measured on 2 cores (product.md): 66.6 s of English in
9.0 s and 707 MB with openai-whisper, 6.8 s and 353 MB with faster-whisper. Both return the same
`Transcript` with segments and word timings, so nothing after this module knows which one ran.

A loaded model is cached per process; the cache is guarded by a lock, so the background warm-up
and the incremental-transcription worker asking at once still load it once.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from rehearse import heap
from rehearse.decoding import bounded_decode, silence_on_failed_non_speech_faster
from rehearse.errors import ModelError, TranscriptionError
from rehearse.transcript import Segment, Transcript, Word

DEFAULT_MODEL = "base"
OPENAI_WHISPER = "openai-whisper"
FASTER_WHISPER = "faster-whisper"
ENGINES = (OPENAI_WHISPER, FASTER_WHISPER)
DEFAULT_ENGINE = OPENAI_WHISPER
SAMPLE_RATE = 16_000  # Hz: both engines take 16 kHz mono float32
WINDOW_MARGIN_S = 2.0  # s of the padding kept after the audio in a shortened window (`window_floor_s`)
# the languages the shortened window was measured on; the others keep Whisper's 30 s window. Not
# Korean: no Korean speech Whisper can make out is at hand to measure it on (espeak-ng's is not),
# and short windows are reported to cost Korean accuracy (CTranslate2's tracker, large-v3-turbo
# with 1-3.5 s windows and no floor)
WINDOW_LANGUAGES = frozenset({"en"})
# languages whose stretches take their context's words as a timed prefix (`TranscribeOptions.prefix`):
# measured on English only (bench/bench_prefix.py); elsewhere the context is decoded again
PREFIX_LANGUAGES = frozenset({"en"})
FASTER_COMPUTE_TYPE = "int8"  # weights quantised at load: a quarter of float32's memory on the CPU


def takes_prefix(engine: str, language: str) -> bool:
    """Whether ``engine`` takes a stretch's context words as given (`TranscribeOptions.prefix`) in
    ``language``, so that more context costs little more than its encoding."""
    return engine == OPENAI_WHISPER and language in PREFIX_LANGUAGES


def whole_window(options: TranscribeOptions, language: str) -> bool:
    """Whether every call costs Whisper's whole 30 s window however short its audio (faster-
    whisper's encoder takes nothing else; openai-whisper outside `WINDOW_LANGUAGES`)."""
    return (options.engine == FASTER_WHISPER or options.window_floor_s is None
            or language not in WINDOW_LANGUAGES)


@dataclass
class TranscribeOptions:
    """How Whisper is run on an answer."""

    model: str = DEFAULT_MODEL  # a model name ("base"), a checkpoint (.pt) or a CTranslate2 folder
    engine: str = DEFAULT_ENGINE  # "openai-whisper" or "faster-whisper"
    beam_size: int | None = None  # None = greedy: 3x faster than beam 5 on a 2-core CPU
    word_timestamps: bool = True  # pauses and time to first word need them
    initial_prompt: str | None = None  # e.g. fillers and the deck's jargon
    threads: int | None = None  # CPU threads for the engine; None = every core
    # decode again at higher temperatures when a result looks like a repetition loop or a guess
    # (Whisper's own rule; up to five more decodes). False: one greedy decode, bounded in time
    fallback: bool = True
    # a window Whisper rates as not speech (no_speech_prob > NO_SPEECH_MIN) whose greedy decode
    # fails its checks is decoded again at higher temperatures only with this (Whisper's own
    # behaviour for a repetition loop); without it the window is silence at once, as Whisper
    # already takes such a window whose decode is merely improbable (`_failed_non_speech`)
    retry_non_speech: bool = False
    # set by another thread to give the decode up at its next token (openai-whisper; it raises
    # `Cancelled`): the end of an answer no longer needs a stretch the passes already decoded
    cancel: threading.Event | None = field(default=None, compare=False, repr=False)
    # s: audio shorter than Whisper's 30 s window is encoded in a window of its own length plus
    # `WINDOW_MARGIN_S`, this long at least, instead of padded to 30 s (openai-whisper; None: 30 s
    # always). The encoder is most of a short stretch's cost, and cross-attention shrinks with it.
    # Measured (bench/bench_window.py, 77 espeak-ng pieces of 3-20 s cut from bench_feedback.py's
    # answers, and 54 of held-out text, greedy, the filler prompt): see bench/README.md,
    # "bench_window.py". Whisper was trained on 30 s windows only; under ~10 s it is less sure
    # where speech ends (whisper.cpp's audio_ctx, the same trade). Only for `WINDOW_LANGUAGES`.
    window_floor_s: float | None = 10.0
    # the words already decoded in the audio's first `prefix_s` seconds (a stretch's context,
    # `rehearse.stream`): given to the decoder as the text so far, as one timed segment (openai-
    # whisper's prefix) instead of decoded again token by token (~30 ms a token on 2 cores); the
    # decoder goes on from there, the words are aligned with the new ones and left out of the result
    prefix: str = ""
    prefix_s: float = 0.0


def model_spec() -> str:
    """The model asked for by ``REHEARSE_MODEL``, else the default name."""
    return os.environ.get("REHEARSE_MODEL") or DEFAULT_MODEL


def engine_spec() -> str:
    """The engine asked for by ``REHEARSE_ENGINE``, else the default (openai-whisper)."""
    return os.environ.get("REHEARSE_ENGINE") or DEFAULT_ENGINE


def threads_of(options: TranscribeOptions) -> int:
    """The number of CPU threads an engine runs on (every core unless pinned)."""
    return options.threads or os.cpu_count() or 1


_NO_FASTER = ("the faster-whisper engine is not installed; run `pip install 'rehearse[fast]'` "
              "or choose --engine openai-whisper")
_models: dict[tuple[str, str, int], Any] = {}
_models_lock = threading.Lock()
_run_lock = threading.Lock()


def load_model(spec: str | TranscribeOptions) -> Any:
    """Load a Whisper model once per process.

    Args:
        spec: the options naming engine, model and threads, or (for openai-whisper) just the
            model's name or checkpoint path.

    Returns:
        The engine's model object (``whisper.Whisper`` or ``faster_whisper.WhisperModel``).
    """
    opts = spec if isinstance(spec, TranscribeOptions) else TranscribeOptions(model=spec)
    # keyed by the weights found now (REHEARSE_MODELS may change), not by the name asked for;
    # CTranslate2 fixes its thread count at load, torch's is set per call
    weights = check_model(opts)
    key = (opts.engine, str(weights), threads_of(opts) if opts.engine == FASTER_WHISPER else 0)
    with _models_lock:
        if key not in _models:
            loader = _load_faster if opts.engine == FASTER_WHISPER else _load_openai
            _models[key] = loader(opts)
        return _models[key]


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ModelError(f"unknown transcription engine {engine!r}; choose one of {', '.join(ENGINES)}")


def check_model(options: TranscribeOptions) -> Path:
    """Find the engine's weights without loading them, so a missing model is reported at once.

    Returns:
        The checkpoint file (openai-whisper) or CTranslate2 directory (faster-whisper).
    """
    _check_engine(options.engine)
    if options.engine == FASTER_WHISPER:
        import importlib.util

        if importlib.util.find_spec("faster_whisper") is None:
            raise ModelError(_NO_FASTER)
        return ct2_model_dir(options.model)
    from rehearse.models import resolve_model

    return resolve_model(options.model)


def transcribe(
    audio: np.ndarray, language: str, options: TranscribeOptions | None = None
) -> Transcript:
    """Transcribe 16 kHz mono audio in the deck's language.

    Args:
        audio: float32 samples at 16 kHz.
        language: the deck's language code, forced (never detected).
        options: engine, model and decoding settings.

    Returns:
        The transcript with segments and, when asked, word timings.
    """
    opts = options or TranscribeOptions()
    model = load_model(opts)
    if audio.size == 0:
        return Transcript(text="", language=language, duration_s=0.0, engine=opts.engine, model=opts.model)
    samples = audio.astype(np.float32, copy=False)
    with _run_lock:  # one answer at a time per process: whisper's decoding hooks are per model
        if opts.engine == FASTER_WHISPER:
            segments = _run_faster(model, samples, language, opts)
        else:
            segments = _run_openai(model, samples, language, opts)
        heap.release_freed_memory()
    return Transcript(
        text=" ".join(s.text for s in segments if s.text).strip(),
        language=language,
        segments=segments,
        duration_s=audio.size / SAMPLE_RATE,
        engine=opts.engine,
        model=opts.model,
    )


# ---------------------------------------------------------------- openai-whisper


def _load_openai(opts: TranscribeOptions):
    from rehearse.models import alignment_heads, resolve_model

    checkpoint = resolve_model(opts.model)
    # OpenMP threads otherwise spin on both cores after each decoding step and starve the audio
    # threads (question playback underruns); must be set before torch loads its OpenMP runtime
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    heap.map_large_blocks()
    try:
        model = _read_checkpoint(Path(checkpoint))
    except (RuntimeError, OSError, KeyError, EOFError, ValueError, TypeError) as e:
        raise ModelError(f"{checkpoint}: not a usable Whisper checkpoint ({e})") from e
    # whisper sets alignment heads only for models it downloads itself; word timings need them
    heads = alignment_heads(Path(checkpoint).stem)
    if heads is not None:
        model.set_alignment_heads(heads)
    model.encoder = _encoder_once(model.encoder)
    _lighter_word_alignment()
    heap.release_freed_memory()  # the random weights the mapped ones replaced, before the warm-up pass
    import torch

    torch.set_num_threads(threads_of(opts))
    # the first pass through the network is ~3 s slower than the next ones (kernels are prepared
    # on first use): pay it here, during the warm-up at launch, not on the first answer
    model.transcribe(np.zeros(SAMPLE_RATE, np.float32), language="en", fp16=False, verbose=None,
                     condition_on_previous_text=False)
    heap.release_freed_memory()
    return model


def _read_checkpoint(path: Path):
    """Build a ``whisper.Whisper`` whose weights are the checkpoint file itself, memory-mapped.

    ``whisper.load_model`` reads the whole checkpoint into memory and copies it into the model:
    846 MB at its peak for base (290 MB of weights). Here the model takes the mapped tensors as
    its parameters instead (``assign=True``): no copy, and the weights are pages of the file, which
    the kernel can drop and read back (``rehearse models install`` replaces a checkpoint with a new
    file, never rewrites it in place). The randomly initialised weights they replace are freed at
    once. A checkpoint in torch's legacy (non-zip) format, or in float16 as OpenAI publishes
    them, is read into memory as whisper would.
    """
    import zipfile

    import torch
    from whisper.model import ModelDimensions, Whisper

    mapped = zipfile.is_zipfile(path)  # torch.save's default format since torch 1.6
    checkpoint = torch.load(path, map_location="cpu", weights_only=True, mmap=mapped)
    # not built on the "meta" device: the first Embedding there imports torch's decompositions
    # (+145 MB, 3 s); random init costs 0.9 s and its memory is returned when replaced
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    state = {name: t.float() if t.is_floating_point() else t  # float16 on the CPU: not supported
             for name, t in checkpoint["model_state_dict"].items()}
    model.load_state_dict(state, assign=True)
    return model


def _encoder_once(encoder):
    """Wrap whisper's audio encoder so that the same 30 s window is encoded only once, and only
    as much of it as ``frames`` says.

    With word timings, whisper encodes every window twice: to decode it, and again to align the
    words (``timing.find_alignment`` runs the whole model). The encoder is most of the cost of a
    short stretch (0.9 s of 1.7 s for 5.6 s of speech on 2 cores), so the second pass is served
    from the first. The key is the mel input itself, compared exactly, so a hit is always right;
    the cache lives for one ``transcribe`` call.

    With ``frames`` set (`TranscribeOptions.window_floor_s`), only the window's first ``frames``
    mel frames are encoded, with the positional embedding's first half as many positions: the
    decoder and the word alignment take audio features of any length.
    """
    import torch

    class EncoderOnce(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner
            self.frames: int | None = None  # mel frames to encode (None: the whole window)
            self._last: tuple[torch.Tensor, torch.Tensor] | None = None

        def forward(self, mel: torch.Tensor) -> torch.Tensor:
            last = self._last
            if last is not None and last[0].shape == mel.shape and torch.equal(last[0], mel):
                return last[1]
            out = self._encode(mel)
            self._last = (mel.detach().clone(), out.detach())
            return out

        def _encode(self, mel: torch.Tensor) -> torch.Tensor:
            if self.frames is None or self.frames >= mel.shape[-1]:
                return self.inner(mel)
            whole = self.inner.positional_embedding
            self.inner.positional_embedding = whole[: self.frames // 2]  # its shape is checked
            try:
                return self.inner(mel[..., : self.frames])
            finally:
                self.inner.positional_embedding = whole

        def forget(self) -> None:
            self._last = None

    return EncoderOnce(encoder)


def window_frames(seconds: float, floor_s: float | None) -> int | None:
    """The mel frames (100 a second) of the encoder's window for audio of ``seconds``: its length
    plus `WINDOW_MARGIN_S`, ``floor_s`` at least, rounded up to whole seconds (fewer shapes for
    the kernels); None (the whole 30 s window) when that is not shorter or ``floor_s`` is None."""
    if floor_s is None:
        return None
    window_s = math.ceil(max(floor_s, seconds + WINDOW_MARGIN_S))
    return window_s * 100 if window_s < 30 else None


def _run_openai(model, audio: np.ndarray, language: str, opts: TranscribeOptions) -> list[Segment]:
    import torch

    torch.set_num_threads(threads_of(opts))
    model.encoder.forget()
    if language in WINDOW_LANGUAGES:
        model.encoder.frames = window_frames(audio.size / SAMPLE_RATE, opts.window_floor_s)
    # runs are one at a time (`_run_lock`)
    model.decode = bounded_decode(model, opts.fallback and not opts.retry_non_speech, opts.cancel)
    with_prefix = opts.prefix.strip() and language in PREFIX_LANGUAGES
    prefix = _timed_prefix(model, language, opts) if with_prefix else []
    aligned = _aligned_after(model, language, prefix) if prefix and opts.word_timestamps else None
    try:
        result = model.transcribe(
            audio,
            language=language,
            task="transcribe",
            fp16=False,
            condition_on_previous_text=False,
            beam_size=opts.beam_size,
            word_timestamps=opts.word_timestamps,
            initial_prompt=opts.initial_prompt,
            verbose=None,
            **({} if opts.fallback else {"temperature": 0.0}),
            **({"prefix": prefix, "max_initial_timestamp": None} if prefix else {}),
        )
    except (RuntimeError, ValueError, IndexError) as e:
        raise TranscriptionError(f"Whisper failed on this answer: {e}") from e
    finally:
        if aligned is not None:
            aligned()
        model.encoder.forget()
        model.encoder.frames = None
        model.__dict__.pop("decode", None)
    return [
        Segment(
            start=float(s["start"]),
            end=float(s["end"]),
            text=s["text"].strip(),
            words=[
                Word(w["word"].strip(), float(w["start"]), float(w["end"]), float(w.get("probability", 1.0)))
                for w in s.get("words", [])
            ],
            no_speech_prob=float(s.get("no_speech_prob", 0.0)),
            avg_logprob=float(s.get("avg_logprob", 0.0)),
            compression_ratio=float(s.get("compression_ratio", 1.0)),
        )
        for s in result.get("segments", [])
    ]


def _tokenizer(model, language: str):
    from whisper.tokenizer import get_tokenizer

    return get_tokenizer(model.is_multilingual, num_languages=model.num_languages, language=language,
                         task="transcribe")


def _timed_prefix(model, language: str, opts: TranscribeOptions) -> list[int]:
    """``opts.prefix`` as whisper writes a segment: its start and end times around its text."""
    tokenizer = _tokenizer(model, language)
    end = min(1500, max(1, round(opts.prefix_s / 0.02)))
    begin = tokenizer.timestamp_begin
    return [begin, *tokenizer.encode(" " + opts.prefix.strip()), begin + end]


def _aligned_after(model, language: str, prefix: list[int]):
    """Have whisper's word timings found for the text of ``prefix`` and the decoded words together
    (the prefix's audio is in the window) and the prefix's words left out; returns the undo."""
    import whisper.timing as timing

    tokenizer = _tokenizer(model, language)
    before = [t for t in prefix if t < tokenizer.eot]
    original = timing.find_alignment
    first: list = []  # the first window's mel: a later one (after a seek) does not hold the prefix

    def find_alignment(model, tokenizer, text_tokens, mel, num_frames, **kwargs):
        if not first:
            first.append(mel)
        if mel is not first[0]:
            return original(model, tokenizer, text_tokens, mel, num_frames, **kwargs)
        words = original(model, tokenizer, [*before, *text_tokens], mel, num_frames, **kwargs)
        out, seen = [], 0
        for w in words:
            new = w.tokens[max(0, len(before) - seen):]
            seen += len(w.tokens)
            if len(new) == len(w.tokens):
                out.append(w)
            elif new:  # a word begun in the prefix and ended by the decoder: its new part
                out.append(replace(w, word=tokenizer.decode(new), tokens=new))
        return out

    timing.find_alignment = find_alignment
    return lambda: setattr(timing, "find_alignment", original)


# ---------------------------------------------------------------- faster-whisper


def ct2_model_dir(model: str) -> Path:
    """Find the CTranslate2 directory faster-whisper loads for a model spec.

    Args:
        model: a model name ("base": the folder ``rehearse models install`` keeps), a CTranslate2
            directory, or a ``NAME.pt`` checkpoint with a ``NAME-ct2`` folder beside it.

    Returns:
        A directory holding ``model.bin``.
    """
    from rehearse.models import ct2_dir

    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path}: not a CTranslate2 model folder (no model.bin)")
        return path.resolve()
    if path.suffix == ".pt" and (path.with_name(f"{path.stem}-ct2") / "model.bin").is_file():
        return path.with_name(f"{path.stem}-ct2").resolve()
    if len(path.parts) == 1 and path.suffix != ".pt":
        found = ct2_dir(model)
        if found is not None:
            return found
        raise ModelError(
            f"the faster-whisper engine needs the CTranslate2 model {model!r}, which is not installed; "
            f"run `rehearse models install {model}` or pass --model /path/to/ct2-folder"
        )
    raise ModelError(f"{path}: the faster-whisper engine needs a CTranslate2 model folder here")


def _load_faster(opts: TranscribeOptions):
    folder = ct2_model_dir(opts.model)
    try:
        from faster_whisper import WhisperModel
    except ImportError as e:
        raise ModelError(_NO_FASTER) from e
    try:
        model = WhisperModel(str(folder), device="cpu", compute_type=FASTER_COMPUTE_TYPE,
                             cpu_threads=threads_of(opts), num_workers=1, local_files_only=True)
    except (RuntimeError, OSError, ValueError) as e:
        raise ModelError(f"{folder}: not a usable CTranslate2 Whisper model ({e})") from e
    pieces, _info = model.transcribe(np.zeros(SAMPLE_RATE, np.float32), language="en", beam_size=1,
                                     vad_filter=False)  # first use prepares kernels, as above
    list(pieces)
    heap.release_freed_memory()
    return model


def _run_faster(model, audio: np.ndarray, language: str, opts: TranscribeOptions) -> list[Segment]:
    # the window stays 30 s: shortened as openai-whisper's is, it lost sentences and cost WER
    # (bench/README.md, "faster-whisper too? Tried, not adopted")
    if opts.fallback and not opts.retry_non_speech:
        model.generate_with_fallback = silence_on_failed_non_speech_faster(model)
    try:
        pieces, _info = model.transcribe(
            audio,
            language=language,
            task="transcribe",
            beam_size=opts.beam_size or 1,
            condition_on_previous_text=False,
            word_timestamps=opts.word_timestamps,
            initial_prompt=opts.initial_prompt,
            vad_filter=False,  # every sound the user made is part of the answer
            **({} if opts.fallback else {"temperature": 0.0}),
        )
        segments = list(pieces)  # a generator: decoding happens here
    except (RuntimeError, ValueError, IndexError) as e:
        raise TranscriptionError(f"faster-whisper failed on this answer: {e}") from e
    finally:
        model.__dict__.pop("generate_with_fallback", None)
    return [
        Segment(
            start=float(s.start),
            end=float(s.end),
            text=s.text.strip(),
            words=[Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                   for w in (s.words or [])],
            no_speech_prob=float(s.no_speech_prob),
            avg_logprob=float(s.avg_logprob),
            compression_ratio=float(s.compression_ratio),
        )
        for s in segments
    ]


def _lighter_word_alignment() -> None:
    """Make openai-whisper's word alignment (``whisper/timing.py``) lighter; its timings are the same.

    - DTW: whisper's is compiled by numba on its first use: 2-6 s on the first answer and 65 MB
      (LLVM) for the rest of the process. `dtw_path` is the same recurrence in numpy and gives the
      same path, in 30-80 ms for a 30 s window.
    - Median filter: whisper sorts every 7-frame window of all alignment heads at once (values
      and indices of ``[heads, tokens, frames, 7]``: 100 MB for a full 30 s window); one head at a
      time needs an eighth of that, with the same result.
    """
    import torch
    from whisper import timing

    if hasattr(timing.dtw, "whisper"):
        return  # done already; ``.whisper`` is whisper's own function
    whisper_dtw, whisper_median = timing.dtw, timing.median_filter

    def dtw(x: torch.Tensor) -> np.ndarray:
        return whisper_dtw(x) if x.is_cuda else dtw_path(x.double().cpu().numpy())

    def median_filter(x: torch.Tensor, filter_width: int) -> torch.Tensor:
        if x.ndim != 3:
            return whisper_median(x, filter_width)
        return torch.cat([whisper_median(head[None], filter_width) for head in x])

    dtw.whisper, median_filter.whisper = whisper_dtw, whisper_median
    timing.dtw, timing.median_filter = dtw, median_filter


def dtw_path(x: np.ndarray) -> np.ndarray:
    """The dynamic-time-warping path through a cost matrix, exactly as whisper's ``dtw_cpu``.

    The same recurrence and tie-breaking, one anti-diagonal at a time: cell ``(i, d - i)`` of
    diagonal ``d`` is at flat index ``d + i*m`` of the ``(n+1, m+1)`` table, so every diagonal
    is a strided slice.

    Args:
        x: ``(n, m)`` costs (text tokens by audio frames).

    Returns:
        ``(2, length)`` indices: the token and frame of each step, from the start.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    n, m = x.shape
    cost = np.full((n + 1, m + 1), np.inf)  # float64, as numba makes whisper's
    trace = np.full((n + 1, m + 1), -1, dtype=np.int8)
    cost[0, 0] = 0
    flat, flat_trace, flat_x = cost.reshape(-1), trace.reshape(-1), x.reshape(-1)
    for d in range(2, n + m + 1) if n and m else ():
        lo, hi = max(1, d - m), min(n, d - 1)  # rows of this diagonal
        c0 = flat[d + lo * m - m - 2:d + hi * m - m - 1:m]  # (i-1, j-1)
        c1 = flat[d + lo * m - m - 1:d + hi * m - m:m]  # (i-1, j)
        c2 = flat[d + lo * m - 1:d + hi * m:m]  # (i, j-1)
        # whisper's order: the diagonal only if strictly smallest, then up, else left
        t = np.where((c0 < c1) & (c0 < c2), 0, np.where((c1 < c0) & (c1 < c2), 1, 2))
        xs = flat_x[d + lo * (m - 1) - m - 1:d + hi * (m - 1) - m:m - 1] if m > 1 else flat_x[lo - 1:hi]
        here = slice(d + lo * m, d + hi * m + 1, m)
        flat[here] = xs + np.choose(t, (c0, c1, c2))
        flat_trace[here] = t
    trace[0, :] = 2
    trace[:, 0] = 1
    i, j, path = n, m, []
    while i > 0 or j > 0:
        path.append((i - 1, j - 1))
        step = trace[i, j]
        i, j = (i - 1, j - 1) if step == 0 else (i - 1, j) if step == 1 else (i, j - 1)
    return np.array(path)[::-1, :].T
