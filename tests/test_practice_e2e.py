"""A real practice session end to end: spoken question, real microphone device, real Whisper.

The PulseAudio null sink is both the speaker and (through its monitor) the microphone: the test
plays an espeak-ng answer into it while `rehearse practice` records from the default input.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path

from conftest import practice_recording

from rehearse.audio import duration_s
from rehearse.deck import load_deck
from rehearse.demo import synthesise

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questions" / "sample-en.yaml"


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 6}


def test_practice_records_transcribes_scores_and_keeps(null_sink, espeak, whisper_base,
                                                       workspace_dir, tmp_path):
    deck = load_deck(SAMPLE)
    question = deck.questions[0]
    # two plain points said, two not: espeak-ng through Whisper base has heard "I enjoy" as
    # "I am not", which the scorer rightly takes for the opposite
    said, unsaid = question.key_points[:2], question.key_points[2:]
    assert said and unsaid, "the sample's first question needs at least three key points"
    answer = synthesise(" ".join(said), tmp_path / "answer.wav")

    env = {**os.environ, "REHEARSE_HOME": str(workspace_dir)}
    with practice_recording([str(SAMPLE), "--only", question.id, "--silence", "2"], env) as practice:
        time.sleep(0.3)
        subprocess.run(["paplay", str(answer)], check=True)
        practice.proc.wait(timeout=300)
    output = practice.output
    assert practice.proc.returncode == 0, output

    db = sqlite3.connect(workspace_dir / "recordings" / "history.sqlite")
    db.row_factory = sqlite3.Row
    (row,) = db.execute("SELECT * FROM attempts").fetchall()
    assert row["question_id"] == question.id and row["status"] == "done"
    assert row["engine"] == "openai-whisper" and row["model"] == "base"

    transcript = row["transcript"].lower()
    expected = _content_words(" ".join(said))
    heard = {w for w in expected if w in transcript}
    assert len(heard) >= 0.7 * len(expected), (transcript, expected - heard)

    import json

    result = json.loads(row["result_json"])
    status = {kp["text"]: kp["covered"] for kp in result["key_points"]}
    assert all(status[k] for k in said), result["key_points"]
    assert not any(status[k] for k in unsaid), result["key_points"]
    assert 0 < row["score"] < 100

    wav = Path(row["audio_path"])
    assert wav.is_relative_to(workspace_dir / "recordings" / "sample-en")
    spoken = duration_s(answer)
    assert abs(duration_s(wav) - spoken) <= 0.10 * spoken, (duration_s(wav), spoken)
    assert abs(row["duration_s"] - duration_s(wav)) < 0.05
    assert "Question 1/1" in output and question.id in output
