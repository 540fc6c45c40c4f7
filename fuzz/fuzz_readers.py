"""Coverage-guided fuzzing (atheris, libFuzzer) of the readers of untrusted files.

    .venv/bin/pip install -e ".[fuzz]"
    .venv/bin/python fuzz/fuzz_readers.py notes -max_total_time=180 -artifact_prefix=fuzz/ fuzz/corpus-notes
    .venv/bin/python fuzz/fuzz_readers.py deck -max_total_time=180 -artifact_prefix=fuzz/ fuzz/corpus-deck
    .venv/bin/python fuzz/fuzz_readers.py audio -max_total_time=180 -artifact_prefix=fuzz/ -timeout=10 \
        -max_len=8192 -len_control=0 -keep_seed=1 fuzz/corpus-audio

The first argument picks the reader (notes, deck, audio); the rest go to libFuzzer. A corpus
folder that is empty (or new) is first given seeds: the bundled decks, and a 0.1 s tone as WAV
(16-bit and float), FLAC, OGG and MP3 (kept, however little they add, by -keep_seed=1). Only
the readers' Python is instrumented, so for audio the fuzzer mostly mutates those seeds blindly
(libsndfile and ffmpeg are not seen).
Anything but a `RehearseError` escaping a reader, or audio that is not a non-empty 1-D float32
array of finite samples, is a crash, and libFuzzer saves the input that caused it. The
hypothesis tests in tests/test_fuzz.py cover the same readers within the normal test suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import atheris
import numpy as np

with atheris.instrument_imports(include=["rehearse"]):
    from rehearse.audio import read_audio
    from rehearse.deck import load_deck
    from rehearse.errors import RehearseError
    from rehearse.notes import import_notes

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="rehearse-atheris-"))
SUFFIXES = [".yaml", ".txt", ".md", "", ".wav", ".flac", ".ogg", ".mp3"]


def notes(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    import_notes(text)


def deck(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    path = SCRATCH / f"deck{SUFFIXES[fdp.ConsumeIntInRange(0, 3)]}"
    path.write_bytes(fdp.ConsumeBytes(fdp.remaining_bytes()))
    load_deck(path)


def audio(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    path = SCRATCH / f"audio{SUFFIXES[fdp.ConsumeIntInRange(4, 7)]}"
    path.write_bytes(fdp.ConsumeBytes(fdp.remaining_bytes()))
    samples = read_audio(path)
    if not (samples.ndim == 1 and samples.dtype == np.float32 and samples.size > 0
            and np.isfinite(samples).all()):
        raise AssertionError(f"read_audio returned unusable audio: {samples.dtype} {samples.shape}")


TARGETS = {"notes": notes, "deck": deck, "audio": audio}


def seeds(target: str) -> dict[str, bytes]:
    """Inputs to start from. A reader's suffix is chosen by the input's last byte (atheris takes
    integers from the end): 0 gives .yaml or .wav, 1 .txt or .flac, 2 .md or .ogg, 3 none or .mp3."""
    if target == "notes":  # atheris draws the text from the bytes: a notes file would not survive
        return {}
    if target == "deck":
        return {p.name: p.read_bytes() + b"\0" for p in sorted((ROOT / "questions").glob("*.yaml"))}
    import soundfile as sf

    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(1600) / 16_000)).astype(np.float32)
    out = {}
    for name, selector, kw in [("pcm.wav", 0, {"subtype": "PCM_16"}), ("float.wav", 0, {"subtype": "FLOAT"}),
                               ("a.flac", 1, {}), ("a.ogg", 2, {})]:
        path = SCRATCH / f"seed-{name}"
        sf.write(str(path), tone, 16_000, **kw)
        out[name] = path.read_bytes() + bytes([selector])
    if shutil.which("ffmpeg"):
        mp3 = SCRATCH / "seed-a.mp3"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(SCRATCH / "seed-pcm.wav"), str(mp3)],
                       check=True)
        out["a.mp3"] = mp3.read_bytes() + bytes([3])
    return out


def seed_corpus(target: str, args: list[str]) -> None:
    """Give the corpus folders named among libFuzzer's arguments seeds, where they have none."""
    for arg in args:
        folder = Path(arg)
        if arg.startswith("-") or (folder.exists() and any(folder.iterdir())):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds(target).items():
            (folder / f"seed-{name}").write_bytes(data)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    name = sys.argv.pop(1)
    target = TARGETS[name]
    seed_corpus(name, sys.argv[1:])

    def one_input(data: bytes) -> None:
        try:
            target(data)
        except RehearseError:
            pass  # the project's own, clear error: what bad input should get

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
