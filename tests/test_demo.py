"""`rehearse demo`: the README's first command ends in a full session with no microphone."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from rehearse.deck import load_deck
from rehearse.demo import demo_answer, sample_deck_path


def test_demo_answers_every_question_with_a_transcript_and_a_score(null_sink, espeak, whisper_base,
                                                                   workspace_dir):
    env = {**os.environ, "REHEARSE_HOME": str(workspace_dir)}
    proc = subprocess.run([sys.executable, "-m", "rehearse", "demo"], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deck = load_deck(sample_deck_path())
    with sqlite3.connect(workspace_dir / "recordings" / "history.sqlite") as db:
        rows = db.execute(
            "SELECT question_id, status, transcript, score FROM attempts ORDER BY id"
        ).fetchall()
    assert [r[0] for r in rows] == [q.id for q in deck.walk()]
    for qid, status, transcript, score in rows:
        assert status == "done" and transcript and score is not None, (qid, transcript)
    assert "Average score:" in proc.stdout
    # each answer is shown against the prepared one, word by word
    assert proc.stdout.count("Prepared vs said ([-left out-] {+added+})") == len(rows)
    assert "[-" in proc.stdout  # without colour (not a terminal) the left-out words are bracketed
    assert "warning" not in proc.stdout  # questions were spoken on the (virtual) speaker
    # the synthetic candidate leaves the last key point out: the feedback must say so
    assert all(score < 100 for *_, score in rows)


def test_demo_answer_leaves_the_last_key_point_out():
    assert demo_answer(["One.", "Two.", "Three."]) == "One. Two."
    assert demo_answer(["Only."]) == "Only."
