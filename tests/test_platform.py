"""The code that branches by platform, run here with the other platforms simulated.

Windows (``sys.platform == "win32"``, no ``fcntl``, no ``os.confstr``, no libc), macOS (a libc
without ``malloc_trim``, no glibc ``confstr`` name) and a musl Linux are simulated by replacing
what the standard library reports; each test fails if its guard is removed.
"""

from __future__ import annotations

import ctypes
import io
import os
import subprocess
import sys
import types
from pathlib import Path, PureWindowsPath

import pytest

from rehearse import audio, heap
from rehearse.paths import _RESERVED, answer_file, is_plain_name, safe_name

ROOT = Path(__file__).resolve().parent.parent


def _glibc_version() -> str:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError):  # Windows has no confstr; macOS no such name
        return ""


class LibcWithoutMallocTrim:
    """macOS's or musl's C library as ctypes sees it: ``free`` but no ``malloc_trim``/``mallopt``."""

    def free(self, pointer) -> None:
        pass


@pytest.fixture
def fresh_glibc():
    heap._glibc.cache_clear()
    yield
    heap._glibc.cache_clear()


def test_malloc_trim_is_skipped_on_a_libc_without_it(monkeypatch, fresh_glibc):
    monkeypatch.setattr(ctypes, "CDLL", lambda name, *args, **kwargs: LibcWithoutMallocTrim())
    assert heap._glibc() is None
    heap.release_freed_memory()  # no AttributeError: nothing to trim


def test_malloc_trim_is_skipped_where_there_is_no_libc(monkeypatch, fresh_glibc):
    def no_library(name, *args, **kwargs):  # Windows: no libc.so.6 to load
        raise OSError(f"could not find module {name!r}")

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert heap._glibc() is None
    heap.release_freed_memory()


def test_malloc_trim_runs_on_glibc(fresh_glibc):
    if not _glibc_version().startswith("glibc"):
        pytest.skip("this machine's C library is not glibc")
    assert heap._glibc() is not None
    heap.release_freed_memory()


@pytest.fixture
def fresh_filter():
    audio._stderr_filter.cache_clear()
    yield
    audio._stderr_filter.cache_clear()


@pytest.mark.parametrize("libc", ["windows", "macos", "musl"])
def test_the_portaudio_stderr_filter_stays_off_without_glibc(libc, monkeypatch, fresh_filter):
    if libc == "windows":
        monkeypatch.delattr(os, "confstr", raising=False)
    elif libc == "macos":
        def confstr(name):
            raise ValueError("unrecognized configuration name")

        monkeypatch.setattr(os, "confstr", confstr, raising=False)
    else:
        monkeypatch.setattr(os, "confstr", lambda name: None, raising=False)
    assert audio._stderr_filter() is None
    with audio.quiet_portaudio():  # a no-op, not an error
        pass


def test_the_portaudio_stderr_filter_is_on_with_glibc(fresh_filter):
    if not _glibc_version().startswith("glibc"):
        pytest.skip("this machine's C library is not glibc")
    assert audio._stderr_filter() is not None


HOSTILE_ON_WINDOWS = ["c:evil", "C:\\Windows\\evil", "\\\\server\\share\\x", "CON", "con.txt", "NUL",
                      "Aux", "com1", "LPT9.answer", "COM¹", "conin$", "a|b", "what?", "x.", "say \"hi\"",
                      "<tag>", "star*"]  # fmt: skip


@pytest.mark.parametrize("qid", HOSTILE_ON_WINDOWS)
def test_ids_that_windows_reads_as_drives_devices_or_bad_names_are_not_plain(qid):
    assert not is_plain_name(qid)
    name = f"{safe_name(qid)}.wav"
    folder = PureWindowsPath("D:/answers")
    assert (folder / name).parent == folder  # no drive, no share: inside the folder
    assert name.split(".")[0].lower() not in _RESERVED
    assert not set('<>:"|?*\\/').intersection(name) and not name.endswith((".", " "))


def test_plain_ids_keep_their_own_name_on_every_platform(tmp_path):
    for qid in ["tell me", "자기소개", "q1.follow-up", "why_rust"]:
        assert is_plain_name(qid)
        assert (PureWindowsPath("D:/answers") / f"{qid}.wav").parent == PureWindowsPath("D:/answers")
    (tmp_path / "c:evil.wav").write_bytes(b"RIFF")  # a name only Linux allows
    assert answer_file(tmp_path, "c:evil") == tmp_path / "c-evil.wav"  # looked up by its safe name


def test_enter_is_read_from_the_windows_console(monkeypatch):
    from rehearse.display import enter_pressed

    keys = list("ok\r")
    msvcrt = types.SimpleNamespace(kbhit=lambda: bool(keys), getwch=lambda: keys.pop(0))
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # select() would refuse it, as Windows refuses consoles
    assert enter_pressed() and keys == []
    assert not enter_pressed()


def test_windows_console_writes_utf8(monkeypatch):
    from rehearse.cli import utf8_console

    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="cp1252") for _ in range(2))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "platform", "win32")
    utf8_console()
    print("자기소개 해 주세요 ✓")
    sys.stdout.flush()
    assert out.buffer.getvalue().decode("utf-8") == "자기소개 해 주세요 ✓\n"
    assert err.encoding == "utf-8"


def test_every_module_imports_without_linux_only_modules():
    """Windows has no fcntl, termios, resource or os.confstr; importing rehearse must not need them."""
    code = """
import os, pkgutil, sys, importlib
import numpy, soundfile, yaml, click, rich, jinja2  # third-party imports before the platform changes
import rehearse
for name in ("fcntl", "termios", "resource", "pwd", "grp"):
    sys.modules[name] = None
if hasattr(os, "confstr"):
    del os.confstr
sys.platform = "win32"
for module in pkgutil.iter_modules(rehearse.__path__):
    if module.name != "__main__":
        importlib.import_module(f"rehearse.{module.name}")
print("imported")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr


LOCK_SCRIPT = """
import os, sys, time, warnings
if sys.argv[1] == "no-fcntl":
    sys.modules["fcntl"] = None  # as on Windows, where filelock takes msvcrt instead
    warnings.simplefilter("ignore")  # filelock says it can only take a soft lock here
from pathlib import Path
from rehearse.lock import hold_session_lock, session_is_live
folder, action = Path(sys.argv[2]), sys.argv[3]
if action == "hold":
    lock = hold_session_lock(folder)
    print("held", flush=True)
    sys.stdin.readline()  # until the test says so
    lock.close()
elif action == "crash":
    lock = hold_session_lock(folder)
    os._exit(9)  # dies holding the lock, as a killed session does
else:
    print("live" if session_is_live(folder) else "gone")
"""


@pytest.mark.parametrize("fcntl", ["fcntl", "no-fcntl"])
def test_the_session_lock_tells_live_from_dead_with_and_without_fcntl(fcntl, tmp_path):
    def run(folder, action):
        return subprocess.run([sys.executable, "-c", LOCK_SCRIPT, fcntl, str(folder), action], cwd=ROOT,
                              capture_output=True, text=True, timeout=60).stdout.strip()

    holder = subprocess.Popen([sys.executable, "-c", LOCK_SCRIPT, fcntl, str(tmp_path / "a"), "hold"],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert run(tmp_path / "a", "probe") == "live"
    finally:
        holder.communicate("\n", timeout=60)
    assert run(tmp_path / "a", "probe") == "gone"  # ended normally
    run(tmp_path / "b", "crash")
    assert (tmp_path / "b" / ".lock").exists()
    assert run(tmp_path / "b", "probe") == "gone"  # died holding it: recoverable


class FakeEngine:
    """A pyttsx3 engine offering the voices another system's driver lists."""

    def __init__(self, voices):
        self.voices = voices

    def getProperty(self, name):  # noqa: N802 - pyttsx3's name
        assert name == "voices"
        return self.voices


def voice(id: str, name: str, *languages: str) -> types.SimpleNamespace:
    return types.SimpleNamespace(id=id, name=name, languages=list(languages))


SAPI = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\Voices\\Tokens\\"
MACOS_VOICES = [voice("com.apple.voice.compact.en-US.Samantha", "Samantha", "en_US"),
                voice("com.apple.voice.compact.ko-KR.Yuna", "Yuna", "ko_KR")]
WINDOWS_VOICES = [voice(SAPI + "TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English (United States)"),
                  voice(SAPI + "TTS_MS_KO-KR_HEAMI_11.0", "Microsoft Heami Desktop - Korean")]


@pytest.mark.parametrize("voices", [MACOS_VOICES, WINDOWS_VOICES], ids=["macos", "windows"])
def test_the_system_voices_of_macos_and_windows_are_found_by_language(voices, monkeypatch):
    from rehearse import speak

    monkeypatch.setattr(speak, "_engine", lambda: FakeEngine(voices))
    assert speak.choose_voice("ko") == voices[1].id
    assert speak.choose_voice("en") == voices[0].id


class NoPortAudio:
    """An import finder that fails sounddevice as it fails when its PortAudio library is missing."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


@pytest.mark.parametrize(("platform", "advice"), [("linux", "sudo apt-get install libportaudio2"),
                                                  ("darwin", "pip install --force-reinstall sounddevice"),
                                                  ("win32", "pip install --force-reinstall sounddevice")])
def test_a_missing_portaudio_is_explained_for_each_system(platform, advice, monkeypatch):
    from rehearse.doctor import check_portaudio
    from rehearse.errors import DeviceError

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(DeviceError, match="the PortAudio library is not installed") as error:
        audio.list_devices()
    assert advice in str(error.value)
    check = check_portaudio()
    assert check.status == "fail" and advice in check.advice
