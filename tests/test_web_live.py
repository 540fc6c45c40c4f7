"""Live key points on the practice screen: ticked while the answer is spoken (on by default in the
web app), and not scored at all once the toggle is off.

The first test is the real path: `rehearse app`, the system Chromium, the PulseAudio null sink as
microphone, espeak-ng as the candidate and Whisper base, whose speculative pass at the pause after
a sentence ticks its key point before Stop. The second runs the app in this process with the
stream's real worker and a Whisper stand-in that hears tones as words (`test_stream.ToneWhisper`),
so that two answers, toggle on and off, take seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time

import pytest
from fakes import FakeSpeaker
from test_stream import BLOCK, LIVE_DECK, SAID, ToneWhisper, tone_words
from web_helpers import SAMPLE, keep_sink_busy, open_deck, run_app, serious_violations, serve_in_process

from rehearse.deck import load_deck
from rehearse.demo import synthesise
from rehearse.parts import Parts, PushedAnswers, WhisperTranscriber

pytestmark = pytest.mark.browser

# every live point the page ever shows, every live event the server sends (a second listener of
# the page's own event stream), and the recorder's state when a point was first ticked
WATCH_JS = """() => {
  window.__live = {shown: 0, sent: 0, coveredIn: null, coveredText: null};
  new EventSource("/events").addEventListener("live", () => { window.__live.sent += 1; });
  new MutationObserver(() => {
    const points = document.querySelectorAll('[data-testid=live-point]');
    window.__live.shown += points.length;
    const covered = document.querySelector('[data-testid=live-point][data-status=covered]');
    if (covered && window.__live.coveredIn === null) {
      window.__live.coveredIn = document.querySelector('[data-testid=record-state]').textContent.trim();
      window.__live.coveredText = covered.textContent;
    }
  }).observe(document.getElementById('live-points'), {childList: true, subtree: true, attributes: true});
}"""


def wait_state(page, state: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "s => document.querySelector('[data-testid=record-state]')?.textContent.trim() === s",
        arg=state, timeout=timeout)


def test_a_key_point_is_ticked_before_stop_in_the_browser(null_sink, espeak, whisper_base, workspace_dir,
                                                           tmp_path, web_page):
    deck = load_deck(SAMPLE)
    question = deck.questions[0]
    said = question.key_points[0]  # a plain sentence Whisper base hears well (test_web_flow)
    answer = synthesise(said, tmp_path / "answer.wav")
    (workspace_dir / "questions").mkdir()
    shutil.copy(SAMPLE, workspace_dir / "questions" / SAMPLE.name)
    page = web_page.page

    with run_app(workspace_dir) as app:
        page.goto(app.url)
        page.goto(f"{app.origin}/settings")
        page.locator("#silence_s").fill("30")  # the answer ends by the keyboard, not by silence
        page.locator("#settings-form button[type=submit]").click()
        page.wait_for_url("**/settings?saved=1")
        page.goto(app.origin)
        open_deck(page, deck.title)
        with keep_sink_busy():
            page.get_by_test_id("start").first.click()
            wait_state(page, "recording", timeout=180_000)  # Whisper loads first on a busy machine
            assert page.get_by_test_id("live-toggle").is_checked()  # on by default in the web app
            page.evaluate(WATCH_JS)
            subprocess.run(["paplay", str(answer)], check=True)
            # the pause after the sentence: a speculative pass decodes it and the point is ticked
            page.wait_for_function("() => window.__live.coveredIn !== null", timeout=60_000)
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("Space")
        seen = page.evaluate("window.__live")
        assert seen["coveredIn"] == "recording", seen  # ticked while the answer went on, before Stop
        assert said[:30] in seen["coveredText"], seen
        page.get_by_test_id("score").wait_for(timeout=240_000)
        assert page.get_by_test_id("live-point").count() == 0  # the feedback card takes over
        points = page.get_by_test_id("key-point")
        assert points.filter(has_text=said[:30]).get_attribute("data-status") == "covered"
    assert web_page.errors == [], web_page.errors


def live_threads() -> list[threading.Thread]:
    """The core's live scorer (`practice._LiveScores`), alive while an answer is scored as it comes."""
    return [t for t in threading.enumerate() if t.name == "rehearse-live" and t.is_alive()]


def test_with_the_toggle_off_the_next_answer_is_not_shown_while_spoken(workspace_dir, web_page):
    (workspace_dir / "questions").mkdir()
    (workspace_dir / "questions" / "live.yaml").write_text(LIVE_DECK, encoding="utf-8")
    audio, words, _ = tone_words(SAID)
    source = PushedAnswers()

    def whisper(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=ToneWhisper(words))

    page = web_page.page

    def speak() -> bool:
        """Push the answer at speaking pace; whether the core scored it while it was spoken."""
        t0 = time.monotonic()
        scoring = False
        for n, i in enumerate(range(0, audio.size, BLOCK)):
            time.sleep(max(0.0, t0 + 0.1 * n - time.monotonic()))
            source.push(audio[i:i + BLOCK])
            scoring = scoring or bool(live_threads())
        return scoring

    parts = Parts(source=source, speaker=FakeSpeaker(), transcriber=whisper)
    with serve_in_process(workspace_dir, parts) as app:
        page.goto(app.url)
        open_deck(page, "Live test")
        page.get_by_test_id("start").first.click()

        # on (the default): the points tick while the answer is spoken
        wait_state(page, "recording")
        assert page.get_by_test_id("live-toggle").is_checked()
        page.evaluate(WATCH_JS)
        scoring = speak()
        page.wait_for_function("() => window.__live.coveredIn === 'recording'", timeout=10_000)
        assert scoring and page.evaluate("window.__live.sent") > 0
        assert serious_violations(page) == []  # axe-core, with the live points showing
        page.get_by_test_id("stop").click()
        page.get_by_test_id("score").wait_for(timeout=30_000)

        # off: remembered in the settings, and the next answer's points do not tick as it comes
        # (the core still scores it at its pauses, unseen, so that its feedback is ready sooner)
        page.get_by_test_id("live-toggle").uncheck()
        settings = workspace_dir / "recordings" / "app-settings.json"
        deadline = time.monotonic() + 10
        while json.loads(settings.read_text(encoding="utf-8")).get("live") is not False:
            assert time.monotonic() < deadline, settings.read_text(encoding="utf-8")
            time.sleep(0.05)
        page.reload()
        assert not page.get_by_test_id("live-toggle").is_checked()
        page.locator("#retry").click()
        wait_state(page, "recording")
        page.evaluate(WATCH_JS)
        speak()
        page.wait_for_timeout(1500)  # past the pause after the last word, where a pass would tick it
        assert page.evaluate("window.__live") | {"coveredIn": None} == \
            {"shown": 0, "sent": 0, "coveredIn": None, "coveredText": None}  # the core sent none
        page.get_by_test_id("stop").click()
        page.get_by_test_id("score").wait_for(timeout=30_000)
        assert [p.get_attribute("data-status") for p in page.get_by_test_id("key-point").all()] \
            == ["covered", "covered"]  # the answer itself is scored as ever
    assert web_page.errors == [], web_page.errors
