"""Accessibility of every screen (axe-core, run in the real Chromium) and the practice flow
walked with the keyboard alone.

The app runs in this process with pushed answer samples and a transcriber that hears a fixed
text (the same seam as test_web_korean.py), so every screen, the feedback card included, is
reached in seconds without a microphone or Whisper.
"""

from __future__ import annotations

import shutil

import pytest
from fakes import FakeSpeaker, FakeTranscriber
from web_helpers import KOREAN, SAMPLE, open_deck, serious_violations, serve_in_process, tone

from rehearse.deck import load_deck
from rehearse.parts import Parts, PushedAnswers

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE)
KOREAN_TITLE = load_deck(KOREAN).title
HEARD = {q.id: " ".join(q.key_points[:-1]) for q in DECK.walk()}


@pytest.fixture
def sample_app(workspace_dir):
    (workspace_dir / "questions").mkdir()
    shutil.copy(SAMPLE, workspace_dir / "questions" / SAMPLE.name)
    source = PushedAnswers()
    parts = Parts(source=source, speaker=FakeSpeaker(), transcriber=FakeTranscriber.factory(HEARD))
    with serve_in_process(workspace_dir, parts) as app:
        yield app, source


def wait_state(page, state: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "s => document.querySelector('[data-testid=record-state]')?.textContent.trim() === s",
        arg=state, timeout=timeout)


def answer_with_keyboard(page, source, key: str = "Space") -> None:
    """Once recording: push two seconds of voice-like samples and stop with ``key``."""
    wait_state(page, "recording")
    source.push(tone(2.0))
    page.wait_for_timeout(300)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)
    page.get_by_test_id("score").wait_for(timeout=60_000)


def test_no_serious_violation_on_any_screen(sample_app, web_page):
    app, source = sample_app
    page = web_page.page
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        found[name] = serious_violations(page)

    page.goto(app.url)
    page.get_by_test_id("deck-list").wait_for()
    check("decks")
    open_deck(page, DECK.title)
    page.get_by_test_id("question-list").wait_for()
    check("deck")
    page.get_by_test_id("start").first.click()
    wait_state(page, "recording")
    source.push(tone(1.0))
    check("practice, recording")
    page.get_by_test_id("stop").click()
    page.get_by_test_id("score").wait_for(timeout=60_000)
    check("practice, feedback")
    page.goto(f"{app.origin}/history")
    page.get_by_test_id("history-row").first.wait_for()
    check("history")
    links = page.locator("a[href*='/attempts/']")
    assert links.count() > 0, "History links no attempt"
    links.first.click()
    page.get_by_test_id("transcript-word").first.wait_for()
    check("playback")
    page.goto(f"{app.origin}/history")
    compare = page.locator("a[href*='/compare']")
    if compare.count():
        compare.first.click()
        check("best vs latest")
    page.goto(f"{app.origin}/settings")
    check("settings")
    page.goto(app.origin)
    open_deck(page, KOREAN_TITLE)
    check("deck (Korean)")
    assert set(found) >= {"decks", "deck", "practice, recording", "practice, feedback", "history",
                          "playback", "settings", "deck (Korean)"}
    bad = {name: v for name, v in found.items() if v}
    assert not bad, bad


def tab_to(page, testid: str | None = None, selector: str | None = None, limit: int = 80) -> None:
    """Press Tab until the focused element is the one named (and fail if it never is)."""
    match = selector or f"[data-testid={testid}]"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("m => !!document.activeElement && document.activeElement.matches(m)", match):
            return
    raise AssertionError(f"{match} is never reached with Tab")


def test_practice_with_the_keyboard_alone(sample_app, web_page):
    app, source = sample_app
    page = web_page.page
    page.goto(app.url)
    page.get_by_test_id("deck-list").wait_for()
    tab_to(page, selector="[data-testid=deck-item] a, a[data-testid=deck-item]")
    for _ in range(20):
        if DECK.title in page.evaluate("document.activeElement.textContent"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_test_id("question-list").wait_for()
    tab_to(page, "start")
    page.keyboard.press("Enter")
    first = page.get_by_test_id("question-text")
    first.wait_for()
    answer_with_keyboard(page, source, "Space")
    assert page.get_by_test_id("key-point").count() == len(DECK.questions[0].key_points)

    tab_to(page, "play")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('audio')].some(a => a.currentTime > 0.3)", timeout=15_000)

    asked_first = first.inner_text()
    tab_to(page, selector="#next")
    page.keyboard.press("Enter")
    page.wait_for_function("t => document.querySelector('[data-testid=question-text]').textContent !== t",
                           arg=asked_first, timeout=30_000)
    answer_with_keyboard(page, source, "Enter")
    assert page.get_by_test_id("key-point").count() == len(DECK.questions[1].key_points)

    page.goto(f"{app.origin}/history")
    tab_to(page, selector="a[href*='/attempts/']")
    page.keyboard.press("Enter")
    page.get_by_test_id("transcript-word").first.wait_for()
    tab_to(page, selector="[data-testid=play], audio")
    page.keyboard.press("Enter" if page.evaluate("document.activeElement.tagName") != "AUDIO" else "Space")
    page.wait_for_function(
        "() => [...document.querySelectorAll('audio')].some(a => a.currentTime > 0.3)", timeout=15_000)
    assert web_page.errors == [], web_page.errors
