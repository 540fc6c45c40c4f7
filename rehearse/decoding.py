"""Whisper's decoding, bounded: what `rehearse.transcribe` changes in each engine's decode loop.

- A window Whisper rates as not speech whose greedy decode fails its checks is silence at once
  (`_failed_non_speech`), for both engines.
- A decode caught in a repetition loop is ended there and marked as a loop (`looping`), for
  openai-whisper (faster-whisper's loop runs inside CTranslate2).
- A decode can be given up from another thread (``TranscribeOptions.cancel`` raises `Cancelled`
  at the next token), for openai-whisper.
"""

from __future__ import annotations

import threading

# Whisper's own thresholds (both engines' defaults) for a result it decodes again at a higher temperature
COMPRESSION_MAX = 2.4  # gzip ratio of the text: above it, a repetition loop
LOGPROB_MIN = -1.0  # mean log-probability of the tokens: under it, a guess
NO_SPEECH_MIN = 0.6  # Whisper's no_speech_prob above which a window may be silence


class Cancelled(Exception):
    """A decode given up because its ``TranscribeOptions.cancel`` was set."""


def _failed_non_speech(no_speech_prob: float, avg_logprob: float, compression_ratio: float) -> bool:
    """A greedy decode Whisper would retry (a repetition loop, or too improbable) of a window it
    rates as not speech.

    Whisper already takes a window for silence, without retrying, when ``no_speech_prob`` is over
    its threshold and the decode is improbable (openai/whisper#1279), but not when the decode is a
    repetition loop: voice it cannot make out (mumbling, another language than the deck's, a
    distorted microphone) then costs it up to five more decodes of 224 tokens each, and what they
    give is still not speech by `rehearse.nospeech`'s rules. Measured (bench/bench_unclear.py, five
    espeak-ng Korean answers of 20-28 s): 25 decoder runs became 11, in 44-54 % of the time, every
    answer "no words made out" both ways; three English answers were transcribed the same (no
    window of theirs fell back). A window Whisper rates as speech is still retried.
    """
    fails = compression_ratio > COMPRESSION_MAX or avg_logprob < LOGPROB_MIN
    return fails and no_speech_prob > NO_SPEECH_MIN


LOOP_TOKENS = 24  # a decode whose last this-many text tokens are 3+ copies of one run is a loop


def looping(tokens: list[int], timestamp_begin: int) -> bool:
    """Whether the text tokens (timestamps left out) end in a repetition loop: at least
    `LOOP_TOKENS` of them made of three or more copies of one run ("I'm not a good person. I'm
    not a good person. ..."; "ha ha ha" would need 24 of them)."""
    text = [t for t in tokens if t < timestamp_begin]
    for period in range(1, LOOP_TOKENS // 3 + 1):
        copies = LOOP_TOKENS // period + (LOOP_TOKENS % period > 0)
        if len(text) >= copies * period and text[-period:] * copies == text[-copies * period:]:
            return True
    return False


def _stopping_loops(model, mel, options, cancel: threading.Event | None = None, **kwargs):
    """``whisper.decoding.decode`` with one more logit filter: a decode caught in a repetition loop
    (`looping`) is ended there, and its result is given a compression ratio of infinity, so that
    Whisper's rules treat it as the loop it is (a retry at a higher temperature, or the window
    skipped). Whisper would go on to its 224-token limit: a loop in an 8 s pass took 28-35 s.
    With ``cancel`` set, the next token raises `Cancelled`. After a timed prefix, the first
    timestamp is not earlier than the prefix's end."""
    from dataclasses import replace

    import torch
    from whisper.decoding import DecodingTask, LogitFilter

    class StopLoops(LogitFilter):
        def __init__(self, eot: int, sample_begin: int, timestamp_begin: int) -> None:
            self.eot, self.sample_begin, self.timestamp_begin = eot, sample_begin, timestamp_begin

        def apply(self, logits: torch.Tensor, tokens: torch.Tensor) -> None:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if after is not None and tokens.shape[1] == self.sample_begin:
                logits[:, self.timestamp_begin:after] = -float("inf")  # not back into the prefix
            for row in range(tokens.shape[0]):
                if looping(tokens[row, self.sample_begin:].tolist(), self.timestamp_begin):
                    eot = logits[row, self.eot].clone()
                    logits[row] = -float("inf")
                    logits[row, self.eot] = eot if torch.isfinite(eot) else 0.0

    if single := mel.ndim == 2:
        mel = mel.unsqueeze(0)
    if kwargs:
        options = replace(options, **kwargs)
    task = DecodingTask(model, options)
    begin = task.tokenizer.timestamp_begin
    # a timed prefix (`TranscribeOptions.prefix`) ends at its end time: the decoder goes on from there
    prefix = options.prefix if isinstance(options.prefix, list) else []
    after = prefix[-1] if prefix and prefix[-1] > begin else None
    task.logit_filters.append(StopLoops(task.tokenizer.eot, task.sample_begin, begin))
    with torch.no_grad():
        results = [replace(r, compression_ratio=float("inf")) if looping(r.tokens, begin) else r
                   for r in task.run(mel)]
    return results[0] if single else results


# frames (10 ms) under which what is left after a decode with a prefix ended early is not decoded: a
# pass ends in a pause, the end of an answer in its silence, and after a prefix the decoder often
# ends its last segment a few tenths early; the rest alone came back as made-up text ("It's a great
# time.", "Of that big protest came ...") that cost the whole pass
REMAINDER_MIN_FRAMES = 100


def _frames_of(mel) -> int:
    """The frames of a window that hold audio (whisper pads a short window's mel with zeros)."""
    held = (mel.abs().sum(dim=-2) > 0).flatten().nonzero()
    return int(held[-1]) + 1 if len(held) else 0


def _silence(options):
    """A decode result whisper's rules take for silence (the window skipped, no retry)."""
    import torch
    from whisper.decoding import DecodingResult

    return DecodingResult(audio_features=torch.zeros(0), language=options.language or "",
                          avg_logprob=float("-inf"), no_speech_prob=1.0,
                          temperature=options.temperature, compression_ratio=0.0)


def bounded_decode(model, silence_on_failed_non_speech: bool, cancel: threading.Event | None = None):
    """``model.decode`` for whisper's transcribe loop: loops are ended and ``cancel`` heard
    (`_stopping_loops`); with ``silence_on_failed_non_speech``, a greedy decode that
    `_failed_non_speech` is given an avg_logprob of -inf, which Whisper's own rules take for
    silence (no retry, the window skipped). A prefix (`TranscribeOptions.prefix`) stands for the
    start of the audio: a later window (whisper seeks on when a decode ends early) goes without it,
    and is silence when under `REMAINDER_MIN_FRAMES`."""

    windows: list = []  # the audio's first window (whisper hands a window's mel to every retry of it)

    def bounded(mel, options, **kwargs):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        if options.prefix:
            if not windows:
                windows.append(mel)
            if mel is not windows[0]:  # a later window (after a seek): the prefix was the first's
                if _frames_of(mel) < REMAINDER_MIN_FRAMES:
                    return _silence(options)
                from dataclasses import replace

                options = replace(options, prefix=None, max_initial_timestamp=1.0)
        result = _stopping_loops(model, mel, options, cancel, **kwargs)
        if silence_on_failed_non_speech and options.temperature == 0 and not isinstance(result, list) \
                and _failed_non_speech(result.no_speech_prob, result.avg_logprob, result.compression_ratio):
            from dataclasses import replace

            return replace(result, avg_logprob=float("-inf"))
        return result

    return bounded


def silence_on_failed_non_speech_faster(model):
    """faster-whisper's ``generate_with_fallback`` with `_failed_non_speech`'s rule: the greedy
    decode first; one that fails in a window Whisper rates as not speech comes back with an
    avg_logprob of -inf (the window is then skipped as silence); one that fails otherwise is
    decoded again over every temperature, as faster-whisper does (the greedy decode once more:
    it gives the same result)."""
    from dataclasses import replace

    generate = type(model).generate_with_fallback

    def bounded(encoder_output, prompt, tokenizer, options):
        temperatures = list(options.temperatures)
        if len(temperatures) < 2:
            return generate(model, encoder_output, prompt, tokenizer, options)
        greedy = replace(options, temperatures=temperatures[:1])
        first = generate(model, encoder_output, prompt, tokenizer, greedy)
        result, avg_logprob, temperature, compression_ratio = first
        if not (compression_ratio > COMPRESSION_MAX or avg_logprob < LOGPROB_MIN):
            return first
        if _failed_non_speech(result.no_speech_prob, avg_logprob, compression_ratio):
            return result, float("-inf"), temperature, compression_ratio
        return generate(model, encoder_output, prompt, tokenizer, options)

    return bounded
