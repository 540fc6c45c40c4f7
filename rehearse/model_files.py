"""Files of Whisper weights: hashing with progress, and writes that land whole or not at all."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from rehearse.errors import ModelError

#: ``progress(stage, done, total)``; stages: download, verify, assemble, convert, save.
Progress = Callable[[str, int, int], None]

CHUNK = 1 << 20  # bytes per read when hashing or copying


class Unreachable(ModelError):
    """The download host stopped answering."""


def emit(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def pump(src: BinaryIO, dst: BinaryIO | None, digest, progress: Progress | None, stage: str,
          total: int, done: int = 0) -> int:
    """Copy ``src`` to ``dst`` (None: just read) in chunks, hashing and reporting progress."""
    while True:
        try:
            chunk = src.read(CHUNK)
        except (http.client.HTTPException, TimeoutError, ConnectionError) as e:
            raise Unreachable(f"The download stopped: {e}.") from e
        if not chunk:
            return done
        if dst is not None:
            dst.write(chunk)
        digest.update(chunk)
        done += len(chunk)
        emit(progress, stage, done, total)


def sha256(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            pump(f, None, digest, progress, "verify", path.stat().st_size)
    except OSError as e:
        raise ModelError(f"Cannot read {path}: {e.strerror or e}.") from e
    return digest.hexdigest()



@contextmanager
def atomic(dest: Path) -> Iterator[Path]:
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


def check_sha256(path: Path, expected: str, progress: Progress | None = None) -> None:
    """Raise ModelError naming ``path`` unless its sha256 is ``expected``.

    Args:
        path: the file to hash.
        expected: lowercase hex sha256.
        progress: called with stage "verify".
    """
    digest = sha256(path, progress)
    if digest != expected:
        raise ModelError(
            f"{path.name} failed its checksum (sha256 {digest}, expected {expected}), "
            "so the download is corrupt or not the pinned file."
        )
