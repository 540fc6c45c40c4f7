"""The command line: lazy start-up, and every bad input as one sentence with its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from rehearse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questions" / "sample-en.yaml"


def run(*args, **kw):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kw)
    return result


def test_help_is_instant_and_lists_the_commands():
    env = {**os.environ}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "rehearse", "--help"], capture_output=True,
                          text=True, env=env, check=True)
    elapsed = time.perf_counter() - start
    for name in ("practice", "demo", "score", "play", "devices", "models"):
        assert f"  {name}" in proc.stdout
    # heavy modules stay unimported: that is what keeps --help fast
    probe = subprocess.run(
        [sys.executable, "-c",
         "import sys, rehearse.cli; rehearse.cli.cli(['--help'], standalone_mode=False);"
         "print(sorted(m for m in ('whisper','torch','kiwipiepy','pyttsx3','sounddevice','numpy')"
         " if m in sys.modules))"],
        capture_output=True, text=True, check=True)
    assert probe.stdout.strip().endswith("[]")
    assert elapsed < 2.0  # generous for a loaded CI machine; bench/ measures the real figure


def test_missing_deck():
    r = run("score", "nope.yaml", "q", "--transcript", "x.txt")
    assert r.exit_code == 2
    assert "nope.yaml" in r.output and "Traceback" not in r.output


def test_unknown_question_id(tmp_path):
    t = tmp_path / "t.txt"
    t.write_text("hello")
    r = run("score", SAMPLE, "no-such-question", "--transcript", t)
    assert r.exit_code == 2
    assert "error: no question 'no-such-question'" in r.output
    assert "known ids:" in r.output


def test_bad_yaml_names_file_and_line(tmp_path):
    deck = tmp_path / "bad.yaml"
    deck.write_text("title: x\nlanguage: en\nquestions:\n  - id: a\n    question: [unclosed\n")
    r = run("score", deck, "a", "--transcript", deck)
    assert r.exit_code == 2
    assert f"{deck}:" in r.output and "Traceback" not in r.output


def test_input_device_index_that_does_not_exist(null_sink):
    r = run("practice", SAMPLE, "--input-device", "999", "--no-speak")
    assert r.exit_code == 3
    assert "error: there is no audio input device with index 999" in r.output


def test_input_device_name_that_does_not_exist(null_sink):
    r = run("practice", SAMPLE, "--input-device", "no-such-mic", "--no-speak")
    assert r.exit_code == 3
    assert "no audio input device matches 'no-such-mic'" in r.output


def test_no_input_device_at_all(tmp_path, monkeypatch):
    # a PulseAudio client pointed at a server that does not exist: PortAudio then has no device
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    proc = subprocess.run([sys.executable, "-m", "rehearse", "practice", str(SAMPLE), "--no-speak"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "no audio input device found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_model_missing_says_how_to_provide_one(espeak, tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_MODELS", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.cache/whisper either
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    audio = tmp_path / "a.wav"
    subprocess.run([espeak, "-w", str(audio), "hello"], check=True)
    r = run("score", SAMPLE, "tell-me-about-yourself", "--audio", audio, "--model", "base")
    assert r.exit_code == 4
    assert "rehearse models install base" in r.output and "--model" in r.output


def test_model_path_that_does_not_exist(espeak, tmp_path):
    audio = tmp_path / "a.wav"
    subprocess.run([espeak, "-w", str(audio), "hello"], check=True)
    r = run("score", SAMPLE, "tell-me-about-yourself", "--audio", audio,
            "--model", tmp_path / "nope.pt")
    assert r.exit_code == 4
    assert "nope.pt" in r.output


def test_unreadable_audio_file(tmp_path):
    junk = tmp_path / "answer.wav"
    junk.write_bytes(b"this is not audio at all" * 10)
    r = run("score", SAMPLE, "tell-me-about-yourself", "--audio", junk)
    assert r.exit_code == 5
    assert f"{junk}: not a readable audio file" in r.output


def test_empty_audio_file(tmp_path):
    empty = tmp_path / "answer.wav"
    empty.write_bytes(b"")
    r = run("score", SAMPLE, "tell-me-about-yourself", "--audio", empty)
    assert r.exit_code == 5
    assert "empty" in r.output


def test_score_needs_exactly_one_source():
    r = run("score", SAMPLE, "tell-me-about-yourself")
    assert r.exit_code == 2
    assert "exactly one of --audio FILE or --transcript FILE" in r.output


def test_paths_honours_rehearse_home(workspace_dir):
    r = run("paths")
    assert f"recordings  {workspace_dir / 'recordings'}" in r.output


def test_an_error_mid_answer_starts_on_a_line_of_its_own(capsys):
    """The live level line is ended before anything else is printed, also when no answer was
    recorded (a full disk, a device gone before any sound: `recorded` is never called)."""
    from rehearse.display import ConsoleEvents, console
    from rehearse.record import Progress

    events = ConsoleEvents(console())
    events.live_line = True  # as on a terminal
    events.progress(Progress(elapsed_s=1.0, level_db=-20.0, speech_started=True, silence_s=0.0))
    events.end_line()
    events.end_line()  # once only
    err = capsys.readouterr().err
    assert err.startswith("\r") and err.endswith(" dB \n") and err.count("\n") == 1
