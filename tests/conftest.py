"""Shared fixtures: an isolated workspace per test, and the real parts (audio device, model).

Under CI=true a missing real part fails the test that needs it; elsewhere it skips with the
reason, so a developer without a sound server can still run the fast tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Fail in CI, skip elsewhere: a real part the test needs is not there."""
    if IN_CI:
        pytest.fail(f"real part missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Practice:
    """A `rehearse practice` process whose microphone is open (see `practice_recording`)."""

    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)  # what it printed on stdout so far

    @property
    def output(self) -> str:
        return "".join(self.lines)


@contextlib.contextmanager
def practice_recording(args: list[str], env: dict[str, str], stderr=subprocess.STDOUT,
                       timeout: float = 120) -> Iterator[Practice]:
    """Run ``rehearse practice ARGS`` and enter once it prints "Recording": the moment to play an
    answer into the microphone. The process is killed on leaving if it still runs.

    Args:
        args: what follows ``rehearse practice``.
        env: its environment (``REHEARSE_HOME``, the PulseAudio server and devices).
        stderr: ``subprocess.STDOUT`` (into `Practice.lines`) or ``subprocess.PIPE``.
        timeout: s it may take to start (loading Whisper on a busy machine).
    """
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "practice", *args],
                            stdout=subprocess.PIPE, stderr=stderr, text=True,
                            env={**env, "PYTHONUNBUFFERED": "1"})
    practice = Practice(proc)
    recording = threading.Event()

    def reader():
        for line in proc.stdout:
            practice.lines.append(line)
            if "Recording" in line:
                recording.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not recording.wait(0.2):
            assert thread.is_alive() and time.monotonic() < deadline, (
                f"`rehearse practice` never started recording (exit {proc.poll()}):\n{practice.output}")
        yield practice
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        thread.join(5)


class MonitorCapture:
    """What the microphone hears (the null sink's monitor, as the recorder reads it: the same
    PortAudio path and block size), captured by the test process itself. Start it once the sink
    is in use: an idle null sink's monitor delivers nothing for about a second after a stream
    opens."""

    def __init__(self) -> None:
        import sounddevice as sd

        from rehearse.audio import BLOCK_S, SAMPLE_RATE

        self.samplerate = SAMPLE_RATE
        self.blocks: list = []
        self.frames = 0  # received so far
        self.stream = sd.InputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32",
                                     blocksize=int(SAMPLE_RATE * BLOCK_S), callback=self._take)

    def _take(self, indata, frames, time_info, status) -> None:
        self.blocks.append(indata[:, 0].copy())
        self.frames += frames

    def start(self) -> None:
        self.stream.start()

    def stop(self) -> None:
        self.stream.stop()
        self.stream.close()

    def audio(self):
        import numpy as np

        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)


@pytest.fixture(autouse=True)
def workspace_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own workspace (recordings, history, TTS cache)."""
    home = tmp_path / "ws"
    home.mkdir()
    monkeypatch.setenv("REHEARSE_HOME", str(home))
    monkeypatch.delenv("REHEARSE_MODEL", raising=False)
    return home


@pytest.fixture(scope="session")
def null_sink():
    """A real PortAudio device pair of this test run's own: a PulseAudio null sink and its monitor.

    The sink is private to this run (PULSE_SINK/PULSE_SOURCE point every client, PortAudio's ALSA
    plugin and paplay included, at it), so runs in parallel never hear each other.
    """
    if shutil.which("pactl") is None or shutil.which("pulseaudio") is None:
        missing("PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    proc = subprocess.run([str(ROOT / "scripts" / "null-sink.sh")], capture_output=True, text=True)
    if proc.returncode != 0:
        missing(f"could not start the PulseAudio null sink: {proc.stderr.strip()}")
    name = f"rehearse_test_{os.getpid()}"
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}"],
                            capture_output=True, text=True)
    if loaded.returncode != 0:
        missing(f"could not create a null sink: {loaded.stderr.strip()}")
    saved = {k: os.environ.get(k) for k in ("PULSE_SINK", "PULSE_SOURCE")}
    os.environ["PULSE_SINK"] = name
    os.environ["PULSE_SOURCE"] = f"{name}.monitor"
    try:
        import sounddevice as sd

        sd._terminate()  # re-scan: the server may have started after sounddevice was imported
        sd._initialize()
        if not any(d["max_input_channels"] for d in sd.query_devices()):
            missing("PortAudio sees no input device even with the null sink")
    except OSError as e:
        missing(f"PortAudio is not installed: {e}")
    yield name
    subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], capture_output=True)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def small_disk(tmp_path):
    """Mount a real file system of a few hundred KiB (tmpfs) that fills up: ``small_disk(kib)``.

    A full disk is ENOSPC from the kernel, as on a real one; mounting needs root (CI runs as
    root), so elsewhere the test is skipped.
    """
    mounted: list[Path] = []

    def mount(kib: int) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            missing(f"cannot mount a small tmpfs (needs root): {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "--lazy", str(point)], capture_output=True)


def fill_disk(disk: Path, leave: int = 0) -> Path:
    """Take the free space of ``disk`` but about ``leave`` bytes; returns the filler file."""
    filler = disk / f"filler-{len(list(disk.glob('filler-*')))}"
    with open(filler, "wb", buffering=0) as f:
        want = max(0, shutil.disk_usage(disk).free - leave)
        try:
            while want > 0:
                want -= f.write(b"\0" * min(want, 1 << 16))
        except OSError:  # full already
            pass
    return filler


@pytest.fixture(scope="session")
def whisper_base() -> Path:
    """The real Whisper base weights, as `rehearse models install base` provides them."""
    from rehearse.errors import ModelError
    from rehearse.models import resolve_model

    try:
        return resolve_model("base")
    except ModelError as e:
        missing(str(e))


@pytest.fixture(scope="session")
def espeak() -> str:
    """The real espeak-ng executable."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        missing("espeak-ng is not installed")
    return exe


#: The marker each real part's fixture gives the tests that use it (pyproject.toml registers them), so
#: that ``-m "not audio and not pulse and not disk and not browser and not espeak and not whisper and
#: not slow"`` is the quick run (README, Tests).
REAL_PARTS = {
    "null_sink": "audio",  # the shared PulseAudio null sink
    "private_pulse": "pulse",  # a PulseAudio server of the test's own, which it may kill
    "small_disk": "disk",  # a small tmpfs mounted to fill up (root)
    "browser": "browser",  # headless Chromium
    "espeak": "espeak",  # espeak-ng speech, by its executable or through pyttsx3
    "whisper_base": "whisper",  # the real Whisper base weights
}


#: Tests that spend seconds of CPU on purpose (fuzzing, megabyte inputs, numba compiling Whisper's
#: DTW), by node id prefix: marked ``slow``, which the quick run leaves out too.
SLOW = (
    "tests/test_fuzz.py::",
    "tests/test_deck.py::test_absurd_decks_stop_early",
    "tests/test_notes.py::test_five_megabyte_notes_import_quickly",
    "tests/test_notes.py::test_very_long_lines_are_fine",
    "tests/test_transcribe.py::test_dtw_path_is_whispers_dtw",
)


def pytest_collection_modifyitems(items):
    """Mark tests by the real parts their fixtures use (`REAL_PARTS`), and the slow ones (`SLOW`)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, marker in REAL_PARTS.items():
            if fixture in fixtures:
                item.add_marker(marker)
        if item.nodeid.startswith(SLOW):
            item.add_marker("slow")


# the web app's browser fixtures (`browser`, `web_page`), shared by tests/test_web*.py
from web_helpers import browser, web_page  # noqa: E402, F401
