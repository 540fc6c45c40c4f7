"""The history commands: history, due, report, export and play's attempt choices (CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timezone

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from histdata import add, days, result, tone

from rehearse.cli import cli
from rehearse.paths import workspace
from rehearse.store import Store

SAMPLE_RATE = 16_000  # Hz of the monitor capture


@pytest.fixture
def store():
    s = Store(workspace().history_db)
    yield s
    s.close()


@pytest.fixture
def practised(store, tmp_path):
    """Two sessions of deck "demo": q1 answered twice (90 then 60), q2 once; real tone recordings."""
    now = datetime.now(timezone.utc)
    a = add(store, "s1", "demo", "q1", now - days(2), result("q1", 90, transcript="first try, 파이썬"),
            audio=tone(tmp_path / "q1-1.wav", 1.2, 440))
    add(store, "s1", "demo", "q2", now - days(2), result("q2", 30),
        audio=tone(tmp_path / "q2-1.wav", 0.5, 300))
    b = add(store, "s2", "demo", "q1", now - days(1), result("q1", 60, transcript="second try"),
            audio=tone(tmp_path / "q1-2.wav", 2.0, 880))
    return a, b


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_history_json_and_table(practised):
    r = _run("history", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    q1, q2 = data["questions"]
    assert (q1["question_id"], q1["attempts"], q1["scores"], q1["best_attempt"], q1["latest_score"]) == (
        "q1", 2, [90, 60], 1, 60)
    assert q1["trend_label"] == "slipping" and q2["scores"] == [30]
    assert [(s["id"], s["questions"], s["average_score"]) for s in data["sessions"]] == [
        ("s1", 2, 60.0), ("s2", 1, 60.0)]
    table = _run("history", "demo")
    assert table.exit_code == 0 and "q1" in table.output and "slipping" in table.output


def test_history_of_unknown_deck_is_one_sentence(practised):
    r = CliRunner().invoke(cli, ["history", "nope"])
    assert r.exit_code == 1
    assert r.output.strip() == "error: no practice of deck 'nope' is recorded (decks with history: demo)"


def test_history_with_nothing_recorded():
    r = _run("history")
    assert r.exit_code == 0 and "No practice recorded yet" in r.output
    assert json.loads(_run("history", "--json").output) == {"questions": [], "sessions": []}


def test_export_csv_json_and_file(practised, tmp_path):
    rows = list(csv.DictReader(io.StringIO(_run("export").output)))
    assert [(r["question_id"], r["attempt"], r["score"]) for r in rows] == [
        ("q1", "1", "90"), ("q2", "1", "30"), ("q1", "2", "60")]
    assert rows[0]["transcript"] == "first try, 파이썬"
    data = json.loads(_run("export", "--json").output)
    assert len(data) == 3 and data[2]["result"]["score"] == 60
    out = tmp_path / "all.csv"
    r = CliRunner().invoke(cli, ["export", "--deck", "demo", "-o", str(out)])
    assert r.exit_code == 0 and "Wrote 3 attempts" in r.output
    assert out.read_text(encoding="utf-8").startswith("id,session_id,deck,question_id,attempt,")
    bad = CliRunner().invoke(cli, ["export", "-o", str(tmp_path / "no" / "such" / "dir" / "x.csv")])
    assert bad.exit_code == 1 and "cannot write the export" in bad.output


def test_due_lists_weak_questions_with_reasons(practised):
    r = _run("due", "--json")
    assert r.exit_code == 0, r.output
    (deck,) = json.loads(r.output)
    assert deck["deck"] == "demo"
    q2 = next(q for q in deck["questions"] if q["question_id"] == "q2")
    assert q2["is_due"] and q2["last_rating"] == "again" and "coverage 30%" in q2["why"]
    assert deck["questions"][0]["question_id"] == "q2"  # Again comes before q1's Good → Hard
    text = _run("due", "demo", "--all").output
    assert "demo:" in text and "q2" in text and "last Again" in text


def test_report_command_writes_a_page(practised, tmp_path):
    out = tmp_path / "r.html"
    r = _run("report", "--deck", "demo", "-o", str(out))
    assert r.exit_code == 0 and "deck demo: 2 questions, 3 attempts" in r.output
    assert out.read_text(encoding="utf-8").count("<audio") == 3
    r = _run("report", "--session", "s1", "-o", str(out), "--no-audio")
    assert r.exit_code == 0 and "<audio" not in out.read_text(encoding="utf-8")
    both = CliRunner().invoke(cli, ["report", "--session", "s1", "--deck", "demo"])
    assert both.exit_code == 2 and "not both" in both.output
    unknown = CliRunner().invoke(cli, ["report", "--session", "zzz", "-o", str(out)])
    assert unknown.exit_code == 1 and "no session 'zzz'" in unknown.output


@pytest.mark.parametrize("command", [["recover"], ["transcribe", "--pending"]])
def test_recover_and_transcribe_use_the_engine_and_model_asked_for(store, tmp_path, command):
    deck = tmp_path / "d.yaml"
    deck.write_text("title: d\nlanguage: en\nquestions:\n  - {id: q1, question: One?, answer: one}\n",
                    encoding="utf-8")
    (tmp_path / "s1").mkdir()
    silent = tmp_path / "s1" / "q1.wav"  # no voice: scored "no answer" without loading any weights
    sf.write(str(silent), np.zeros(SAMPLE_RATE, dtype=np.float32), SAMPLE_RATE, subtype="PCM_16")
    add(store, "s1", "d", "q1", datetime.now(timezone.utc), None, audio=silent, deck_path=str(deck))
    r = _run(*command, "--engine", "faster-whisper", "--model", "tiny-ct2")
    assert r.exit_code == 0 and "Transcribed and scored 1 kept answer(s)" in r.output
    (a,) = store.attempts()
    assert (a.status, a.engine, a.model) == ("done", "faster-whisper", "tiny-ct2")
    assert a.score_result.no_speech


# ---------------------------------------------------------------- play (devices faked)


@pytest.fixture
def fake_player(monkeypatch):
    played = []
    monkeypatch.setattr("rehearse.audio.resolve_device", lambda spec, kind: None)
    monkeypatch.setattr("rehearse.audio.play_file", lambda path, device=None, start_s=0.0:
                        played.append((path, start_s)))
    monkeypatch.setattr("rehearse.cli.COMPARE_GAP_S", 0.0)
    return played


def test_play_chooses_attempts(practised, fake_player, tmp_path):
    r = _run("play", "q1", "--attempt", "1", "--from", "0.5")
    assert r.exit_code == 0 and fake_player == [(str(tmp_path / "q1-1.wav"), 0.5)]
    fake_player.clear()
    _run("play", "q1", "--best")
    _run("play", "q1", "--latest")
    _run("play")  # the latest recording of all
    assert [p for p, _ in fake_player] == [str(tmp_path / n) for n in ("q1-1.wav", "q1-2.wav", "q1-2.wav")]


def test_play_compare_shows_each_attempt_beside_its_playback(practised, fake_player, tmp_path):
    r = _run("play", "q1", "--compare")
    assert r.exit_code == 0
    assert [p for p, _ in fake_player] == [str(tmp_path / "q1-1.wav"), str(tmp_path / "q1-2.wav")]
    best, latest = r.output.index("▶ Best"), r.output.index("▶ Latest")
    assert best < r.output.index("first try, 파이썬") < latest < r.output.index("second try")
    assert "attempt #1" in r.output and "score 90" in r.output and "✓ the first point" in r.output
    assert "✗ the second point" in r.output


def test_play_ctrl_c_stops_cleanly(practised, monkeypatch):
    calls = []

    def interrupted(path, device=None, start_s=0.0):
        calls.append(path)
        raise KeyboardInterrupt

    monkeypatch.setattr("rehearse.audio.resolve_device", lambda spec, kind: None)
    monkeypatch.setattr("rehearse.audio.play_file", interrupted)
    r = CliRunner().invoke(cli, ["play", "q1", "--compare"])
    assert r.exit_code == 0 and r.output.rstrip().endswith("Stopped.") and len(calls) == 1


@pytest.mark.parametrize(("args", "code", "message"), [
    (["play", "q1", "--attempt", "7"], 2, "no attempt #7"),
    (["play", "q9"], 2, "no recordings of question 'q9'"),
    (["play", "--best"], 2, "need a QUESTION_ID"),
    (["play", "q1", "--best", "--attempt", "1"], 2, "only one of"),
    (["play", "q1", "--attempt", "1", "--from", "5"], 1, "lasts only 1.2 s"),
])
def test_play_bad_choices(practised, fake_player, args, code, message):
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == code and message in r.output and not fake_player


def test_play_list_numbers_attempts(practised):
    r = _run("play", "q1", "--list")
    lines = r.output.strip().splitlines()
    assert len(lines) == 2 and "demo/q1 #1" in lines[0] and "demo/q1 #2" in lines[1]
    assert lines[1].endswith("q1-2.wav")


# ---------------------------------------------------------------- play on the real null sink


def _capture(args) -> np.ndarray:
    """Record the default input (the null sink's monitor) while `rehearse` runs ``args``."""
    import sounddevice as sd

    blocks: list[np.ndarray] = []
    problems: list[str] = []

    def keep(data, frames, t, status) -> None:
        blocks.append(data[:, 0].copy())
        if status:
            problems.append(str(status))

    with sd.InputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32", latency="high", callback=keep):
        time.sleep(0.5)
        r = CliRunner().invoke(cli, args, catch_exceptions=False)
        time.sleep(0.5)
    assert r.exit_code == 0, r.output
    assert not problems, f"the capture itself lost audio: {problems}"
    return np.concatenate(blocks)


def _tones(samples: np.ndarray, pitches=(440, 880), frame_s: float = 0.02) -> list[tuple[int, float]]:
    """Runs of each expected tone in the capture, in order: [(pitch, seconds), …].

    A frame holds a tone when the sinusoid at that pitch has an amplitude above 0.15 (the
    recordings are 0.4): other sound in the sink (another program, speech) does not count. A run
    shorter than 0.1 s is ignored; two runs of one pitch less than 0.15 s apart are one (a dropout).
    """
    n = int(frame_s * SAMPLE_RATE)
    window = np.hanning(n)
    t = np.arange(n) / SAMPLE_RATE
    probes = {p: np.exp(-2j * np.pi * p * t) * window for p in pitches}
    labels = []
    for i in range(0, len(samples) - n, n):
        frame = samples[i:i + n]
        amp = {p: 2 * abs(np.dot(frame, probe)) / window.sum() for p, probe in probes.items()}
        best = max(amp, key=amp.get)
        labels.append(best if amp[best] > 0.15 else 0)
    runs: list[list] = []  # [label, seconds]
    for label in labels:
        if runs and runs[-1][0] == label:
            runs[-1][1] += frame_s
        else:
            runs.append([label, frame_s])
    tones: list[list] = []  # [pitch, seconds, silence since]
    for label, d in runs:
        if label > 0 and d >= 0.1:
            if tones and tones[-1][0] == label and tones[-1][2] < 0.15:
                tones[-1][1] += d
                tones[-1][2] = 0.0
            else:
                tones.append([label, d, 0.0])
        elif tones:
            tones[-1][2] += d
    return [(p, round(d, 2)) for p, d, _ in tones]


@pytest.mark.audio
def test_play_compare_on_the_null_sink_plays_best_then_latest(null_sink, practised):
    heard = _tones(_capture(["play", "q1", "--compare"]))
    assert [p for p, _ in heard] == [440, 880], heard  # the best (1.2 s, 440 Hz), then the latest
    assert heard[0][1] == pytest.approx(1.2, abs=0.12) and heard[1][1] == pytest.approx(2.0, abs=0.12), heard


@pytest.mark.audio
def test_play_from_seconds_on_the_null_sink(null_sink, practised):
    heard = _tones(_capture(["play", "q1", "--attempt", "2", "--from", "1.5"]))
    assert [p for p, _ in heard] == [880] and heard[0][1] == pytest.approx(0.5, abs=0.1), heard


# ---------------------------------------------------------------- two real practice runs


DECK = """\
title: History pair
language: en
questions:
  - id: python
    question: Which language do you know best?
    answer: |
      - I have written Python for five years.
      - I built web services with Django.
  - id: team
    question: How do you work in a team?
    answer: |
      - I review code every day.
      - I write documentation for my team.
"""

SPOKEN = {"python": "I have written Python for five years. I built web services with Django.",
          "team": "I review code every day."}


@pytest.mark.whisper
def test_two_practice_runs_show_two_scored_attempts_per_question(whisper_base, espeak, tmp_path):
    from rehearse.deck import load_deck
    from rehearse.demo import synthesise
    from rehearse.practice import PracticeOptions, run_session
    from rehearse.speak import SpeakOptions

    deck_file = tmp_path / "pair.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    answers = tmp_path / "answers"
    answers.mkdir()
    for qid, text in SPOKEN.items():
        synthesise(text, answers / f"{qid}.wav")
    deck = load_deck(deck_file)
    for _ in range(2):
        run_session(deck, PracticeOptions(answers_from=answers, speak=SpeakOptions(enabled=False)))

    r = _run("history", str(deck_file), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    by_id = {q["question_id"]: q for q in data["questions"]}
    assert set(by_id) == {"python", "team"}
    for q in by_id.values():
        assert q["attempts"] == 2 and q["scored"] == 2
        assert all(isinstance(s, int) and 0 <= s <= 100 for s in q["scores"])
    assert min(by_id["python"]["scores"]) > max(by_id["team"]["scores"])  # all said vs half said
    assert len(data["sessions"]) == 2 and all(s["scored"] == 2 for s in data["sessions"])
    # the scheduler reads the same history: the half-answered question comes first
    (due,) = json.loads(_run("due", str(deck_file), "--json").output)
    assert due["questions"][0]["question_id"] == "team"
