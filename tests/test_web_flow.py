"""The web app end to end, in English: a real `rehearse app`, the system Chromium, the PulseAudio
null sink as microphone and speaker, espeak-ng as the candidate and the real Whisper base model.

The page is driven as a person would: choose the sample deck, start, answer aloud, stop with the
keyboard, read the feedback card, play the answer back, find it in History.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import threading

import pytest
from web_helpers import SAMPLE, keep_sink_busy, open_deck, run_app

from rehearse.audio import duration_s
from rehearse.deck import load_deck
from rehearse.demo import synthesise
from rehearse.score import Score

pytestmark = pytest.mark.browser

LEVEL_JS = """el => {
  const v = el.value ?? el.getAttribute('aria-valuenow') ?? el.getAttribute('value');
  if (v !== null && v !== undefined && v !== '') return Number(v);
  const bar = el.querySelector('[style*=width], [style*=height]') || el;
  return parseFloat(bar.style.width || bar.style.height || getComputedStyle(bar).width);
}"""

AUDIO_TIME_JS = "() => Math.max(0, ...[...document.querySelectorAll('audio')].map(a => a.currentTime))"


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 6}


def test_english_practice_in_the_browser(null_sink, espeak, whisper_base, workspace_dir, tmp_path, web_page):
    deck = load_deck(SAMPLE)
    question = deck.questions[0]  # the session asks the deck's first question first
    # the first two points are said (plain sentences Whisper hears well), the last two are not
    said, unsaid = question.key_points[:2], question.key_points[2:]
    answer = synthesise(" ".join(said), tmp_path / "answer.wav")
    (workspace_dir / "questions").mkdir()
    shutil.copy(SAMPLE, workspace_dir / "questions" / SAMPLE.name)
    page = web_page.page

    with run_app(workspace_dir) as app:
        page.goto(app.url)
        page.get_by_test_id("deck-list").wait_for()
        assert app.token not in page.url  # the token went into the cookie, not the history
        # a long silence allowance: the answer can only end by the keyboard (or the 90 s limit)
        page.goto(f"{app.origin}/settings")
        page.locator("#silence_s").fill("30")
        page.locator("form:has(#silence_s) button[type=submit]").click()
        page.wait_for_url("**/settings?saved=1")
        page.goto(app.origin)
        open_deck(page, deck.title)
        page.get_by_test_id("question-list").wait_for()
        assert question.question in page.get_by_test_id("question-list").inner_text()

        with keep_sink_busy():  # the sink runs before the recording starts (see keep_sink_busy)
            page.get_by_test_id("start").first.click()
            asked = page.get_by_test_id("question-text")
            asked.wait_for()
            state = page.get_by_test_id("record-state")
            page.wait_for_function("el => el.textContent.trim() === 'recording'", arg=state.element_handle(),
                                   timeout=180_000)  # Whisper loads first on a busy machine
            assert asked.inner_text().strip() in [question.question, *question.variants]

            meter = page.get_by_test_id("level-meter")
            quiet = meter.evaluate(LEVEL_JS)
            levels: list[float] = []
            player = threading.Thread(target=subprocess.run, args=(["paplay", str(answer)],),
                                      kwargs={"check": True})
            player.start()
            while player.is_alive():
                levels.append(meter.evaluate(LEVEL_JS))
                page.wait_for_timeout(200)
            player.join()
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("Space")  # Stop, from the keyboard
        assert max(levels) > quiet and len(set(levels)) > 3, (quiet, levels)  # the meter moved

        score = page.get_by_test_id("score")
        score.wait_for(timeout=240_000)
        value = score.inner_text().strip()
        assert re.fullmatch(r"\d{1,3}", value), value  # the number only
        assert 0 < int(value) < 100

        points = page.get_by_test_id("key-point")
        assert points.count() == len(question.key_points)
        status = {}
        for i in range(points.count()):
            text = points.nth(i).inner_text()
            (point,) = [k for k in question.key_points if k[:30] in text]
            status[point] = points.nth(i).get_attribute("data-status")
        assert all(status[k] == "missed" for k in unsaid), status
        assert any(status[k] == "covered" for k in said) and all(status[k] != "missed" for k in said), status

        diff = page.get_by_test_id("diff").inner_text().lower()
        assert _words(" ".join(unsaid)) <= _words(diff)  # what was left out is shown, struck through
        assert len(_words(" ".join(said)) & _words(diff)) >= 0.7 * len(_words(" ".join(said)))

        # the card is the core's result as stored: the score and every key point's status
        db = sqlite3.connect(workspace_dir / "recordings" / "history.sqlite")
        ((attempt_id, stored_score, recorded_s, stored_json),) = db.execute(
            "SELECT id, score, duration_s, result_json FROM attempts WHERE status = 'done'").fetchall()
        db.close()
        assert int(value) == stored_score
        stored = Score.from_dict(json.loads(stored_json))  # the page shows the core's verdict, point by point
        assert status == {k.text: k.status for k in stored.key_points}, (status, stored.key_points)
        # Space ended it, right after the answer (not the 30 s of silence, not the time limit)
        assert recorded_s < duration_s(answer) + 5, (recorded_s, duration_s(answer))

        # play it back: the audio moves and the highlighted word follows it
        page.get_by_test_id("play").first.click()
        page.wait_for_function(f"({AUDIO_TIME_JS})() > 0.5", timeout=20_000)
        if page.get_by_test_id("transcript-word").count() == 0:
            page.goto(f"{app.origin}/attempts/{attempt_id}")
            page.get_by_test_id("play").first.click()
        words = page.get_by_test_id("transcript-word")
        words.first.wait_for()
        starts = [float(s) for s in words.evaluate_all("ws => ws.map(w => w.dataset.start)")]
        assert starts == sorted(starts) and starts[-1] > 1.0
        current = page.locator("[data-testid=transcript-word][aria-current=true]")
        seen = []
        for _ in range(30):
            page.wait_for_timeout(250)
            if current.count() == 1:
                seen.append(current.get_attribute("data-start"))
            if len(set(seen)) >= 3:
                break
        assert current.count() <= 1
        assert len(set(seen)) >= 3, seen  # the highlight moved word to word
        t = page.evaluate(AUDIO_TIME_JS)
        page.wait_for_timeout(500)
        assert page.evaluate(AUDIO_TIME_JS) > t  # still playing, time advancing

        # clicking a word seeks there
        target = words.nth(len(starts) // 2)
        target.click()
        page.wait_for_timeout(300)
        assert abs(page.evaluate(AUDIO_TIME_JS) - starts[len(starts) // 2]) < 1.0

        # History, reloaded, lists the attempt
        page.goto(f"{app.origin}/history")
        page.reload()
        rows = page.get_by_test_id("history-row")
        rows.first.wait_for()
        row = rows.filter(has_text=question.question)
        if row.count() == 0:
            row = rows.filter(has_text=question.id)
        assert row.count() == 1, rows.all_inner_texts()
        assert value in row.inner_text()
        assert web_page.errors == [], web_page.errors
