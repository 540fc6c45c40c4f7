"""Faults injected on purpose: the audio server dies mid-answer, no speakers, no TTS voice, no audio
server, two sessions writing the history at once, a kill in the middle of a write.

Each fault ends in one clear sentence (or one warning and the session goes on), keeps whatever
audio was captured, and leaves the history database whole. docs/faults.md is the table of them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from conftest import fill_disk, missing, practice_recording

from rehearse.audio import duration_s, level_dbfs
from rehearse.cli import cli
from rehearse.deck import load_deck
from rehearse.demo import synthesise
from rehearse.errors import DiskError, RehearseError, TTSError
from rehearse.record import DEVICE_GONE, FIRST_BLOCK_S, SHUTDOWN_S, STALL_S, AnswerFile, record_answer
from rehearse.recover import repair_crashed
from rehearse.store import MIGRATIONS, Store
from rehearse.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questions" / "sample-en.yaml"
NO_SERVER = {"PULSE_SERVER": "unix:/nonexistent"}  # a PulseAudio client with no server: no devices
WIDE = {"COLUMNS": "300"}  # rich wraps at 80 columns when not on a terminal: keep messages whole


# ---------------------------------------------------------------- a PulseAudio server to kill


@dataclass
class PrivatePulse:
    """A PulseAudio server of one test's own: sink ``mic``, whose monitor is the microphone."""

    proc: subprocess.Popen
    env: dict[str, str]  # what a client needs to use it (and only it)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def private_pulse():
    """Killing the shared test server would break every other test (and parallel runs): this
    one is started for the test and may be killed by it."""
    exe = shutil.which("pulseaudio")
    if exe is None or shutil.which("pactl") is None or shutil.which("paplay") is None:
        missing("PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    folder = Path(tempfile.mkdtemp(prefix="rh-pa-"))  # a socket path must stay under 108 bytes
    socket = folder / "native"
    server_env = {**os.environ, "PULSE_RUNTIME_PATH": str(folder / "run"),
                  "PULSE_STATE_PATH": str(folder / "state")}
    proc = subprocess.Popen(
        [exe, "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1", "-n", "--log-level=error",
         "--load=module-null-sink sink_name=mic",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1"],
        env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "PULSE_SERVER": f"unix:{socket}", "PULSE_SINK": "mic", "PULSE_SOURCE": "mic.monitor"}
    try:
        for _ in range(100):
            if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
                break
            if proc.poll() is not None:
                missing("a private PulseAudio server would not start")
            time.sleep(0.05)
        else:
            missing("a private PulseAudio server did not answer within 5 s")
        yield PrivatePulse(proc, env)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _kill_when_recorded(pulse: PrivatePulse, wav_glob, seconds: float, timeout: float = 60) -> float:
    """Kill the server once a WAV being recorded holds ``seconds`` of audio; returns when."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wavs = [p for p in wav_glob() if p.stat().st_size > 44]
        if wavs and (wavs[0].stat().st_size - 44) / 32_000 >= seconds:
            pulse.kill()
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"no recording reached {seconds} s")


# ---------------------------------------------------------------- the device fails mid-answer

# The recorder runs in a process of its own: should PortAudio's thread get stuck on the dead
# server (see rehearse.record._shut_down), it must not stay behind in the test run.
RECORDER = """
import json, subprocess, sys, time
from pathlib import Path
import rehearse.record as record
abandoned = []
real_abandon = record._abandon_portaudio
record._abandon_portaudio = lambda: (abandoned.append(1), real_abandon())
wav, mode, answer, server = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
out = {}
def started():
    out["started"] = time.monotonic()
    if mode == "at-once":
        subprocess.run(["kill", "-KILL", server])
    else:
        subprocess.Popen(["paplay", answer], stderr=subprocess.DEVNULL)
        print("speaking", flush=True)
try:
    rec = record.record_answer(wav, record.RecordOptions(time_limit_s=30, silence_s=0), on_started=started)
    out.update(ended_by=rec.ended_by, error=rec.error, duration_s=rec.duration_s, speech=rec.speech_detected)
except record.DeviceError as e:
    out["device_error"] = str(e)
out.update(ended=time.monotonic(), abandoned=bool(abandoned))
print(json.dumps(out), flush=True)
"""


def _record_until_the_server_dies(pulse: PrivatePulse, wav: Path, mode: str, answer: Path):
    args = [str(wav), mode, str(answer), str(pulse.proc.pid)]
    proc = subprocess.Popen([sys.executable, "-c", RECORDER, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=pulse.env)
    killed = None
    try:
        if mode == "mid-answer":
            assert proc.stdout.readline() == "speaking\n"
            killed = _kill_when_recorded(pulse, lambda: [wav] if wav.exists() else [], 3.0)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    # PortAudio's own diagnostics ("Expression '…' failed in 'src/hostapi/alsa/pa_linux_alsa.c'")
    # are kept off the terminal, and so is the endless stream of a thread left behind
    assert err == "", err[:3000]
    return json.loads(out.splitlines()[-1]), killed


def test_audio_server_killed_mid_answer_ends_it_and_keeps_the_audio(private_pulse, espeak, tmp_path):
    answer = synthesise("I am a software engineer and I build payment services in Python every day.",
                        tmp_path / "answer.wav")
    wav = tmp_path / "rec" / "q.wav"
    result, killed = _record_until_the_server_dies(private_pulse, wav, "mid-answer", answer)

    assert result["ended_by"] == "device_error"
    assert result["error"] == DEVICE_GONE or result["error"].startswith("the audio input device failed (")
    # noticed at once, not at the 30 s time limit, even when PortAudio's thread had to be left behind
    assert result["ended"] - killed < STALL_S + SHUTDOWN_S + 1.0
    info = sf.info(str(wav))  # the header agrees with the samples on disk: it plays as it is
    assert info.frames * 2 + 44 == wav.stat().st_size
    assert result["duration_s"] >= 3.0 and abs(info.frames / 16_000 - result["duration_s"]) < 0.01
    assert result["speech"]
    samples, _ = sf.read(str(wav), dtype="float32")
    assert max(level_dbfs(samples[i:i + 1600]) for i in range(0, samples.size, 1600)) > -40


def test_audio_server_killed_before_any_sound_records_nothing(private_pulse, tmp_path):
    result, _ = _record_until_the_server_dies(private_pulse, tmp_path / "q.wav", "at-once", tmp_path / "none")
    assert result["device_error"] == f"{DEVICE_GONE}; nothing was recorded"
    # before the first block the recorder waits FIRST_BLOCK_S (a monitor source can start late),
    # unless PortAudio says at once that the stream stopped; not the 30 s time limit either way
    assert result["ended"] - result["started"] < FIRST_BLOCK_S + SHUTDOWN_S + 1.0


def test_a_stream_portaudio_cannot_close_is_left_behind(monkeypatch):
    import rehearse.record as record

    class StuckStream:  # as PortAudio behaves when its ALSA thread loops on a dead server
        def abort(self, ignore_errors=False):
            threading.Event().wait()

        stop = close = abort

    abandoned = []
    monkeypatch.setattr(record, "_abandon_portaudio", lambda: abandoned.append(True))
    monkeypatch.setattr(record, "SHUTDOWN_S", 0.3)
    start = time.monotonic()
    record._shut_down(StuckStream(), healthy=False)
    assert time.monotonic() - start < 1.0 and abandoned == [True]


C_STDERR = """
import ctypes, sys
from rehearse.audio import quiet_portaudio
libc = ctypes.CDLL(None)
stderr = ctypes.c_void_p.in_dll(libc, "stderr")
libc.fputs.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
def c_print(line):  # as PortAudio and other C code print: through C's stderr
    libc.fputs(line.encode() + b"\\n", stderr.value)
with quiet_portaudio():
    c_print("Expression 'PaAlsaStream_WaitForFrames( stream, &framesAvail, &xrun )' failed in "
            "'src/hostapi/alsa/pa_linux_alsa.c', line: 4285")
    c_print("C, during the stream")
    sys.stderr.write("Python, during the stream\\n")  # one write: print() makes two, which may interleave
sys.stderr.write("Python, after\\n")
c_print("C, after")
"""


def test_portaudio_diagnostics_are_kept_off_the_terminal_and_nothing_else_is():
    done = subprocess.run([sys.executable, "-c", C_STDERR], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert sorted(lines[:2]) == ["C, during the stream", "Python, during the stream"]
    assert lines[2:] == ["Python, after", "C, after"]  # what the stream printed comes first


def test_session_reports_a_dead_microphone_in_one_sentence_and_keeps_the_attempt(
        private_pulse, espeak, whisper_base, workspace_dir, tmp_path):
    deck = load_deck(SAMPLE)
    question = deck.questions[0]
    answer = synthesise(" ".join(question.key_points), tmp_path / "answer.wav")
    env = {**private_pulse.env, "REHEARSE_HOME": str(workspace_dir), **WIDE}
    player = None
    try:
        with practice_recording([str(SAMPLE), "--only", question.id, "--no-speak", "--silence", "0"],
                                env, stderr=subprocess.PIPE) as practice:
            player = subprocess.Popen(["paplay", str(answer)], env=private_pulse.env,
                                      stderr=subprocess.DEVNULL)
            _kill_when_recorded(private_pulse, lambda: list(workspace_dir.glob("recordings/*/*/*.wav")), 4.0)
            stderr = practice.proc.stderr.read()
            assert practice.proc.wait(300) == 3, practice.output + stderr
    finally:
        if player is not None:
            player.wait(30)

    with sqlite3.connect(workspace_dir / "recordings" / "history.sqlite") as db:
        db.row_factory = sqlite3.Row
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (row,) = db.execute("SELECT * FROM attempts").fetchall()
    wav = Path(row["audio_path"])
    # ours is the only line: none of PortAudio's own diagnostics before it, no traceback
    assert "Expression '" not in stderr and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines() == [f"error: {DEVICE_GONE}; the answer so far is kept in {wav}"]
    assert row["status"] in ("done", "pending")  # kept: scored now, or by `rehearse recover`
    assert duration_s(wav) >= 4.0 and row["duration_s"] >= 4.0
    if row["status"] == "done":
        assert "software engineer" in row["transcript"].lower()


# ---------------------------------------------------------------- the disk fills up

def _tone(seconds: float) -> np.ndarray:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype("float32")


def _plays_as_written(wav: Path) -> int:
    """The header agrees with the samples on disk (a cut-off block may leave one byte over)."""
    info = sf.info(str(wav))
    assert 0 <= wav.stat().st_size - (44 + 2 * info.frames) <= 1
    samples, _ = sf.read(str(wav), dtype="float32")
    assert samples.size == info.frames
    return info.frames


def test_a_full_disk_stops_the_answer_file_and_keeps_what_was_written(small_disk):
    disk = small_disk(128)
    fill_disk(disk, leave=64 * 1024)
    wav = disk / "q.wav"
    out = AnswerFile(wav, 16_000)
    block = _tone(0.1)
    blocks = 0
    while out.write(block):
        blocks += 1
        assert blocks < 100, "the disk never filled"
    assert not out.write(block)  # nothing more once a write failed
    out.close()
    kept = _plays_as_written(wav)
    assert blocks * 1600 <= kept < (blocks + 1) * 1600 and kept / 16_000 > 1.0
    assert str(out.failure()) == (f"{wav}: the disk is full; recording stopped after {kept / 16_000:.1f} s, "
                                  "which are kept; free some space, then run `rehearse recover`")


def test_a_disk_full_before_the_answer_records_nothing(small_disk):
    disk = small_disk(64)
    fill_disk(disk)
    wav = disk / "q.wav"
    with pytest.raises(DiskError) as e:
        record_answer(wav)  # fails at the file, before any audio device is opened
    assert str(e.value) == f"{wav}: the disk is full; nothing was recorded; free some space and try again"
    assert e.value.exit_code == 8


FILE_SIZE_LIMIT = """
import resource, signal, sys
import numpy as np
from pathlib import Path
from rehearse.record import AnswerFile
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (32_044, 32_044))
out = AnswerFile(Path(sys.argv[1]), 16_000)
while out.write(np.zeros(1600, dtype="float32")):
    pass
out.close()
print(out.failure())
"""


def test_a_write_refused_for_another_reason_names_it(tmp_path):
    wav = tmp_path / "q.wav"
    done = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT, str(wav)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"{wav}: the recording could not be written (File too large); it stopped "
                                   "after 1.0 s, which are kept; run `rehearse recover` once the disk takes "
                                   "writes again")
    assert _plays_as_written(wav) == 16_000


def _descriptor_of(path: Path) -> int:
    """The descriptor this process has open on ``path`` (libsndfile's, which soundfile does not show)."""
    fds = [int(n) for n in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{n}") == str(path)]
    assert len(fds) == 1, fds
    return fds[0]


def _frames_by_header(wav: Path) -> int:
    """The frames a reader that trusts the header finds (Python's wave module); 0 when it finds none."""
    with open(wav, "rb") as f:
        try:
            return wave.open(f).getnframes()
        except wave.Error:  # "fmt chunk and/or data chunk missing": the sizes say there is nothing
            return 0


def test_a_file_libsndfile_can_no_longer_write_plays_to_its_last_block(tmp_path):
    """The header follows every block (a kill loses at most the block in hand; the end-to-end check
    is test_record.py's random kills). Half a second in, the file's descriptor stops taking writes
    (swapped here for a read-only one on the same file): the next write fails, libsndfile cannot
    touch the header when it closes the file, and readers that trust the header (Python's wave
    module, browsers, most players; libsndfile itself guesses) still get the half second on disk.
    Should libsndfile's own header updates have failed too, AnswerFile.close repairs it."""
    wav = tmp_path / "q.wav"
    out = AnswerFile(wav, 16_000)
    for n in range(1, 6):
        assert out.write(_tone(0.1))
        assert _frames_by_header(wav) == n * 1_600  # up to date as it lies on disk, block by block
    libsndfiles = _descriptor_of(wav)
    read_only = os.open(wav, os.O_RDONLY)
    os.dup2(read_only, libsndfiles)
    os.close(read_only)
    assert not out.write(_tone(0.1))
    out.close()
    assert _frames_by_header(wav) == 8_000 == out.frames
    with wave.open(str(wav)) as w:
        said = np.frombuffer(w.readframes(8_000), np.int16).astype(np.float32) / 32_768
    assert np.allclose(said, np.tile(_tone(0.1), 5), atol=1e-4)
    assert wav.stat().st_size == 44 + 2 * 8_000
    assert str(out.failure()) == (f"{wav}: the recording could not be written (Bad file descriptor); it "
                                  "stopped after 0.5 s, which are kept; run `rehearse recover` once the "
                                  "disk takes writes again")


def test_a_full_disk_mid_answer_ends_the_session_in_one_sentence_and_keeps_the_audio(
        null_sink, espeak, whisper_base, small_disk, tmp_path, monkeypatch):
    deck = load_deck(SAMPLE)
    question = deck.questions[0]
    answer = synthesise(" ".join(question.key_points), tmp_path / "answer.wav")
    disk = small_disk(2048)  # the workspace: recordings and history
    env = {**os.environ, "REHEARSE_HOME": str(disk), **WIDE}
    player = None
    try:
        with practice_recording([str(SAMPLE), "--only", question.id, "--no-speak", "--silence", "0"],
                                env, stderr=subprocess.PIPE) as practice:
            player = subprocess.Popen(["paplay", str(answer)], stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while not [w for w in disk.glob("recordings/*/*/*.wav") if w.stat().st_size > 44 + 2 * 32_000]:
                assert time.monotonic() < deadline and practice.proc.poll() is None, practice.output
                time.sleep(0.05)
            filler = fill_disk(disk, leave=64 * 1024)  # about 2 s more of audio
            stderr = practice.proc.stderr.read()
            assert practice.proc.wait(120) == 8, practice.output + stderr
    finally:
        if player is not None:
            player.wait(30)

    (wav,) = disk.glob("recordings/*/*/*.wav")
    kept = _plays_as_written(wav) / 16_000
    assert kept >= 3.0
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        f"error: {wav}: the disk is full; recording stopped after {kept:.1f} s, which are kept; "
        "free some space, then run `rehearse recover`")
    samples, _ = sf.read(str(wav), dtype="float32")
    assert max(level_dbfs(samples[i:i + 1600]) for i in range(0, samples.size, 1600)) > -40  # the answer
    db_path = disk / "recordings" / "history.sqlite"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (status,) = db.execute("SELECT status FROM attempts").fetchone()
    assert status == "recording"  # cut off: for `rehearse recover`, as the message says

    filler.unlink()  # "free some space"
    monkeypatch.setenv("REHEARSE_HOME", str(disk))
    (aid,) = repair_crashed().repaired
    store = Store(db_path)
    attempt = store.attempt(aid)
    store.close()
    assert attempt.status == "pending" and abs(attempt.duration_s - kept) < 0.01


def test_a_full_disk_at_a_history_write_is_one_sentence(small_disk):
    disk = small_disk(512)
    db_path = disk / "history.sqlite"
    store = Store(db_path)
    store.start_session("s1", "d", None, "en")
    aid = store.add_attempt(session_id="s1", deck="d", question_id="q", question="Q?",
                            started_at="2026-01-01T00:00:00", audio_path="/x/q.wav", duration_s=None,
                            status="recording")
    store.mark_recorded(aid, 1.0)
    filler = fill_disk(disk)
    result = {"pad": "x" * 50_000}  # more pages than the log has room for
    with pytest.raises(DiskError) as e:
        store.complete_attempt(aid, Transcript.from_text("hello", "en"), 50, 0.5, result)
    assert str(e.value) == (f"{db_path}: the disk is full; the transcript and score of attempt #{aid} "
                            "could not be saved; free some space and run `rehearse recover`")
    new_attempt = "the disk is full; the new attempt could not be saved; free some space and try again$"
    with pytest.raises(DiskError, match=new_attempt):
        for i in range(1000):
            store.add_attempt(session_id="s1", deck="d", question_id=f"q{i}", question="Q?" * 2000,
                              started_at="2026-01-01T00:00:00", audio_path="/x/q.wav", duration_s=None)
    # a session ending on an error already on its way out keeps that error, not this one
    with pytest.raises(RuntimeError, match="the recording's error"):
        try:
            raise RuntimeError("the recording's error")
        finally:
            store.end_session("s1")
    with pytest.raises(DiskError, match="the session's end time could not be saved"):
        store.end_session("s1")
    store.close()
    filler.unlink()
    store = Store(db_path)
    assert store.attempt(aid).status == "pending"  # the failed write left the attempt as it was
    store.complete_attempt(aid, Transcript.from_text("hello", "en"), 50, 0.5, result)
    assert store.attempt(aid).status == "done"
    store.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---------------------------------------------------------------- no speakers, no voice, no server


def _answers(folder: Path, deck, ids: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for qid in ids:
        synthesise(deck.find(qid).key_points[0], folder / f"{qid}.wav")  # short: Whisper's time adds up
    return folder


@pytest.fixture
def no_audio_server(monkeypatch):
    """PortAudio in this process re-scanned with no audio server to talk to: no devices at all."""
    import sounddevice as sd

    with monkeypatch.context() as m:
        m.setenv("PULSE_SERVER", NO_SERVER["PULSE_SERVER"])
        sd._terminate()
        sd._initialize()
        try:
            yield
        finally:
            sd._terminate()
    sd._initialize()


def test_no_output_device_prints_the_questions_and_goes_on(no_audio_server, espeak, whisper_base,
                                                           workspace_dir, tmp_path, monkeypatch):
    deck = load_deck(SAMPLE)
    ids = [q.id for q in deck.questions[:2]]
    answers = _answers(tmp_path / "answers", deck, ids)
    monkeypatch.setenv("COLUMNS", WIDE["COLUMNS"])
    r = CliRunner().invoke(cli, ["practice", str(SAMPLE), "--only", ",".join(ids), "--answers-from",
                                 str(answers)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    warning = ("warning: no audio output device found; connect one (or start the audio server) and "
               "check `rehearse devices`; questions will be shown only")
    assert r.output.count(warning) == 1  # once, not once per question
    for qid in ids:
        q = deck.find(qid)
        assert any(text in r.output for text in [q.question, *q.variants])
    store = Store(workspace_dir / "recordings" / "history.sqlite")
    assert [a.status for a in store.attempts()] == ["done", "done"]
    store.close()


def test_a_voice_the_engine_lacks_is_one_warning(espeak, whisper_base, workspace_dir, tmp_path, monkeypatch):
    deck = load_deck(SAMPLE)
    ids = [deck.questions[0].id]
    answers = _answers(tmp_path / "answers", deck, ids)
    for key, value in WIDE.items():
        monkeypatch.setenv(key, value)
    r = CliRunner().invoke(cli, ["practice", str(SAMPLE), "--only", ",".join(ids), "--answers-from",
                                 str(answers), "--voice", "no-such-voice"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert r.output.count("warning: the text-to-speech engine has no voice 'no-such-voice'; "
                          "questions will be shown only") == 1
    assert "Question 1/1" in r.output and "Average score" in r.output  # asked, answered, scored


def test_a_missing_tts_engine_is_one_clear_error(monkeypatch):
    from rehearse import speak

    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # `import pyttsx3` now fails, as if not installed
    speak._engine.cache_clear()
    try:
        with pytest.raises(TTSError) as e:
            speak.choose_voice("en")
    finally:
        speak._engine.cache_clear()
    assert str(e.value).startswith("the text-to-speech engine could not start (")
    assert "sudo apt-get install espeak-ng" in str(e.value) and "--no-speak" in str(e.value)


def test_a_tts_engine_that_cannot_start_leaves_the_session_going(whisper_base, espeak, workspace_dir,
                                                                tmp_path, monkeypatch):
    import pyttsx3

    from rehearse import speak
    from rehearse.practice import PracticeOptions, SessionEvents, run_session

    def broken_init(*args, **kwargs):  # what pyttsx3 raises when libespeak-ng is not installed
        raise OSError("libespeak-ng.so.1: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(pyttsx3, "init", broken_init)
    speak._engine.cache_clear()
    deck = load_deck(SAMPLE)
    ids = [q.id for q in deck.questions[:2]]

    class Events(SessionEvents):
        def __init__(self):
            self.warnings, self.asked = [], []

        def warning(self, message):
            self.warnings.append(message)

        def question(self, index, total, question, asked):
            self.asked.append(question.id)

    events = Events()
    try:
        options = PracticeOptions(only=ids, answers_from=_answers(tmp_path / "a", deck, ids))
        result = run_session(deck, options, events)
    finally:
        speak._engine.cache_clear()
    assert events.asked == ids and len(result.attempts) == 2
    (warning,) = events.warnings
    assert warning.startswith("the text-to-speech engine could not start (libespeak-ng.so.1: cannot open")
    assert warning.endswith("; questions will be shown only")


def test_no_audio_server_devices_says_so():
    proc = subprocess.run([sys.executable, "-m", "rehearse", "devices"], capture_output=True, text=True,
                          env={**os.environ, **NO_SERVER}, timeout=60)
    assert proc.returncode == 3
    assert proc.stderr == ("error: no audio devices found; start the audio server (PulseAudio or "
                           "PipeWire) or connect a microphone and speakers\n")


def test_no_audio_server_play_says_so(workspace_dir):
    wav = workspace_dir / "recordings" / "d" / "s1" / "q.wav"
    wav.parent.mkdir(parents=True)
    sf.write(str(wav), np.zeros(1600, np.float32), 16_000)
    store = Store(workspace_dir / "recordings" / "history.sqlite")
    store.start_session("s1", "d", None, "en")
    store.add_attempt(session_id="s1", deck="d", question_id="q", question="Q?",
                      started_at="2026-01-01T00:00:00", audio_path=str(wav), duration_s=0.1, status="done")
    store.close()
    proc = subprocess.run([sys.executable, "-m", "rehearse", "play", "q"], capture_output=True, text=True,
                          env={**os.environ, **NO_SERVER, "REHEARSE_HOME": str(workspace_dir)}, timeout=60)
    assert proc.returncode == 3
    assert proc.stderr.splitlines()[-1] == ("error: no audio output device found; connect one (or start the "
                                            "audio server) and check `rehearse devices`")


# ---------------------------------------------------------------- the history database


def test_recovery_drops_an_attempt_that_recorded_nothing(workspace_dir):
    wav = workspace_dir / "recordings" / "d" / "s1" / "q.wav"
    wav.parent.mkdir(parents=True)
    with sf.SoundFile(str(wav), "w", 16_000, 1, "PCM_16", format="WAV"):
        pass  # the file record_answer opens before the device fails: a header, no samples
    store = Store(workspace_dir / "recordings" / "history.sqlite")
    store.start_session("s1", "d", None, "en")
    aid = store.add_attempt(session_id="s1", deck="d", question_id="q", question="Q?",
                            started_at="2026-01-01T00:00:00", audio_path=str(wav), duration_s=None,
                            status="recording")
    store.close()
    assert repair_crashed().dropped == [aid]
    store = Store(workspace_dir / "recordings" / "history.sqlite")
    assert store.attempts() == [] and not wav.exists()
    store.close()


WRITER = """
import sys, time
from pathlib import Path
from rehearse.store import Store
from rehearse.transcript import Transcript
if sys.argv[3] == "go":
    while time.time() < float(sys.argv[2]):
        pass
store = Store(Path(sys.argv[1]))
tag = sys.argv[4]
store.start_session(tag, "d", None, "en")
print("ready", flush=True)
for i in range(int(sys.argv[5])):
    aid = store.add_attempt(session_id=tag, deck="d", question_id=f"q{i}", question="Q?",
                            started_at="2026-01-01T00:00:00", audio_path=f"/x/{tag}-{i}.wav",
                            duration_s=None, status="recording")
    store.mark_recorded(aid, 1.0)
    result = {"pad": "가" * 20_000, "i": i}  # spans many pages: a torn write would show
    store.complete_attempt(aid, Transcript.from_text("hello", "en"), 50, 0.5, result)
store.close()
print("done", flush=True)
"""


def _check_history(db_path: Path) -> list[sqlite3.Row]:
    """Integrity ok, and every attempt whole for its state (no half-written one)."""
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT * FROM attempts").fetchall()
    for r in rows:
        assert r["status"] in ("recording", "pending", "done")
        if r["status"] != "recording":
            assert r["duration_s"] == 1.0 and r["ended_at"]
        if r["status"] == "done":
            result = json.loads(r["result_json"])
            assert r["transcript"] == "hello" and r["score"] == 50 and len(result["pad"]) == 20_000
        else:
            assert r["transcript"] is None and r["result_json"] is None
    return rows


def test_processes_opening_a_new_history_at_once_all_write(tmp_path):
    db_path = tmp_path / "recordings" / "history.sqlite"
    start = time.time() + 2.0  # every process past its imports, then all open the new file at once
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(start), "go", f"p{k}", "5"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.endswith("done\n"), err
    rows = _check_history(db_path)
    assert len(rows) == 30 and {r["status"] for r in rows} == {"done"}


def test_kill_during_writes_leaves_the_history_whole(tmp_path):
    db_path = tmp_path / "recordings" / "history.sqlite"
    rng = random.Random(7)
    for round_ in range(6):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), "0", "now", f"k{round_}", "100000"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.stdout.readline() == "ready\n", p.stderr.read()
        time.sleep(rng.uniform(0.05, 0.4))  # mid-write: the writer does nothing else
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        p.stdout.close()
        p.stderr.close()
        _check_history(db_path)
    assert len(_check_history(db_path)) > 6


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    def m999_broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")  # as a kill or a full disk would stop it

    db_path = tmp_path / "h.sqlite"
    monkeypatch.setattr("rehearse.store.MIGRATIONS", [*MIGRATIONS, m999_broken])
    with pytest.raises(RehearseError, match="the history database cannot be opened"):
        Store(db_path)
    with sqlite3.connect(db_path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"half_done", "sessions", "attempts", "_migrations"}
    monkeypatch.setattr("rehearse.store.MIGRATIONS", MIGRATIONS)
    store = Store(db_path)  # and the next open migrates it from scratch
    assert store.attempts() == []
    store.close()


def test_two_practice_sessions_at_once_both_complete(espeak, whisper_base, workspace_dir, tmp_path):
    deck = load_deck(SAMPLE)
    ids = [deck.questions[0].id]
    answers = _answers(tmp_path / "answers", deck, ids)
    env = {**os.environ, "REHEARSE_HOME": str(workspace_dir)}
    cmd = [sys.executable, "-m", "rehearse", "practice", str(SAMPLE), "--only", ",".join(ids),
           "--answers-from", str(answers), "--no-speak"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, out + err
        assert "Average score" in out
    db_path = workspace_dir / "recordings" / "history.sqlite"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sessions = db.execute("SELECT id, ended_at FROM sessions").fetchall()
        attempts = db.execute("SELECT session_id, status, audio_path FROM attempts").fetchall()
    assert len(sessions) == 2 and all(ended for _, ended in sessions)
    assert sorted(s for s, _, _ in attempts) == sorted(s for s, _ in sessions)  # one answer each
    assert {status for _, status, _ in attempts} == {"done"}
    assert len({path for _, _, path in attempts}) == 2 and all(Path(p).is_file() for _, _, p in attempts)
