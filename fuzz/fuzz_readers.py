"""Coverage-guided fuzzing (atheris, libFuzzer) of the readers of untrusted files.

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_readers.py notes -runs=100000
    .venv/bin/python fuzz/fuzz_readers.py deck -max_len=4096 fuzz/corpus-deck
    .venv/bin/python fuzz/fuzz_readers.py audio -max_len=2048 -timeout=10

The first argument picks the reader (notes, deck, audio); the rest go to libFuzzer. Anything
but a `RehearseError` escaping a reader is a crash, and libFuzzer saves the input that caused it.
The hypothesis tests in tests/test_fuzz.py cover the same readers within the normal test suite.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["rehearse"]):
    from rehearse.audio import read_audio
    from rehearse.deck import load_deck
    from rehearse.errors import RehearseError
    from rehearse.notes import import_notes

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
    read_audio(path)


TARGETS = {"notes": notes, "deck": deck, "audio": audio}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]

    def one_input(data: bytes) -> None:
        try:
            target(data)
        except RehearseError:
            pass  # the project's own, clear error: what bad input should get

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
