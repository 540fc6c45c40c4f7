"""The web app's other promises: notes opened by the file picker or by drag-and-drop (the lines
the importer could not place shown), the tag filter, an error as one sentence in the page, and
Ctrl+C keeping the answer being recorded.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest
from fakes import FakeSpeaker, FakeTranscriber
from web_helpers import SAMPLE, cookie_header, keep_sink_busy, open_deck, request, run_app, serve_in_process

from rehearse.audio import duration_s
from rehearse.deck import load_deck
from rehearse.demo import synthesise
from rehearse.parts import Parts, PushedAnswers

NOTES = """\
Preamble line that has no question.

# Behavioural

## Tell me about yourself.
I am a backend engineer.
- Payments
  I run the payment system.

## Why this role?
Because it mixes coding and leading.
"""

DROPPED = """\
아직 질문이 없는 줄입니다.

# 경험

## 가장 힘들었던 프로젝트는 무엇인가요?
결제 시스템을 새로 만들었습니다.
"""


@pytest.fixture
def quiet_app(workspace_dir):
    """The app in this process over a workspace with the sample deck (no session is started)."""
    (workspace_dir / "questions").mkdir()
    shutil.copy(SAMPLE, workspace_dir / "questions" / SAMPLE.name)
    parts = Parts(source=PushedAnswers(), speaker=FakeSpeaker(), transcriber=FakeTranscriber.factory({}))
    with serve_in_process(workspace_dir, parts) as app:
        yield app


@pytest.mark.browser
def test_notes_open_by_the_file_picker_and_by_drag_and_drop(quiet_app, web_page, tmp_path):
    page = web_page.page
    notes = tmp_path / "prep.md"
    notes.write_text(NOTES, encoding="utf-8")
    page.goto(quiet_app.url)
    page.get_by_test_id("deck-list").wait_for()
    page.locator("#import-form input[type=file]").set_input_files(str(notes))
    questions = page.get_by_test_id("question-list")
    questions.wait_for()
    assert "Tell me about yourself." in questions.inner_text() and "Why this role?" in questions.inner_text()
    unplaced = page.locator("#unplaced")
    assert "Preamble line that has no question." in unplaced.inner_text()
    assert re.search(r"\b1\b", unplaced.inner_text())  # with its line number

    page.goto(quiet_app.origin)
    assert page.get_by_test_id("deck-item").filter(has_text="prep").count() >= 1  # listed as recent
    drop = page.evaluate_handle("""text => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], '면접 메모.txt', {type: 'text/plain'}));
        return dt;
    }""", DROPPED)
    page.dispatch_event("#import-form", "dragover", {"dataTransfer": drop})
    page.dispatch_event("#import-form", "drop", {"dataTransfer": drop})
    questions.wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=question-list]')"
                           ".textContent.includes('가장 힘들었던 프로젝트는 무엇인가요?')")
    assert "아직 질문이 없는 줄입니다." in page.locator("#unplaced").inner_text()
    assert web_page.errors == [], web_page.errors


def choose_tag(page, tag: str) -> None:
    """Pick a tag in the deck screen's filter ("" = all), a <select> or a row of toggle buttons."""
    control = page.locator("#tag-filter")
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(tag)
    else:
        button = control.locator(f"button[data-tag='{tag}']")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"


@pytest.mark.browser
def test_the_tag_filter_shows_only_that_tag(quiet_app, web_page):
    deck = load_deck(SAMPLE)
    page = web_page.page
    page.goto(quiet_app.url)
    open_deck(page, deck.title)
    questions = page.locator("[data-testid=question-list] > li")
    assert questions.count() == len(deck.questions)
    choose_tag(page, "motivation")
    shown = [li.get_attribute("data-question-id") for li in questions.all() if li.is_visible()]
    assert shown == [q.id for q in deck.questions if "motivation" in q.tags]
    choose_tag(page, "")
    assert sum(li.is_visible() for li in questions.all()) == len(deck.questions)


@pytest.mark.browser
def test_a_missing_microphone_is_one_sentence_in_the_page_in_its_language(null_sink, quiet_app, web_page):
    page = web_page.page
    page.goto(quiet_app.url)
    page.goto(f"{quiet_app.origin}/settings")
    # the saved device no longer exists (unplugged since): the form is posted as the page would
    page.evaluate("""() => {
        const select = document.getElementById('input_device');
        const gone = new Option('USB headset (unplugged)', 'no-such-microphone-xyz', true, true);
        select.add(gone);
    }""")
    page.locator("form:has(#silence_s) button[type=submit]").click()
    page.wait_for_url("**/settings?saved=1")
    page.goto(quiet_app.origin)
    open_deck(page, load_deck(SAMPLE).title)
    page.get_by_test_id("start").first.click()
    shown = page.locator("[role=alert]:visible, .error:visible").filter(has_text="no-such-microphone-xyz")
    shown.first.wait_for(timeout=30_000)
    message = shown.first.inner_text().strip()
    assert "Traceback" not in page.content() and "File \"" not in message
    assert "\n" not in message and len(message) < 300, message
    assert not re.search("[가-힣]", message) and "device" in message, message  # the English page's

    # the same on the page in Korean (the toggle at the top): a Korean sentence naming the device
    page.locator("form.lang button[type=submit]").click()
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    page.get_by_test_id("start").first.click()
    shown = page.locator("[role=alert]:visible").filter(has_text="no-such-microphone-xyz")
    shown.first.wait_for(timeout=30_000)
    korean = shown.first.inner_text().strip()
    assert "\n" not in korean and len(korean) < 300, korean
    rest = korean.replace("no-such-microphone-xyz", "")
    assert re.search("[가-힣]", rest) and not re.search("[A-Za-z]", rest), korean  # no English left
    assert "마이크" in korean, korean
    assert web_page.errors == [], web_page.errors


@pytest.mark.browser
def test_a_missing_model_is_one_sentence_in_the_page(null_sink, workspace_dir, web_page):
    # the real parts (microphone, pyttsx3, Whisper): the model named in Settings is not installed
    (workspace_dir / "questions").mkdir()
    shutil.copy(SAMPLE, workspace_dir / "questions" / SAMPLE.name)
    page = web_page.page
    with serve_in_process(workspace_dir, None) as app:
        page.goto(app.url)
        page.goto(f"{app.origin}/settings")
        page.locator("#model").fill("no-such-model-xyz")
        page.locator("form:has(#silence_s) button[type=submit]").click()
        page.wait_for_url("**/settings?saved=1")
        page.goto(app.origin)
        open_deck(page, load_deck(SAMPLE).title)
        page.get_by_test_id("start").first.click()
        shown = page.locator("[role=alert]:visible, .error:visible").filter(has_text="no-such-model-xyz")
        shown.first.wait_for(timeout=60_000)
        message = shown.first.inner_text().strip()
        assert "Traceback" not in page.content() and "File \"" not in message
        assert "\n" not in message and len(message) < 400, message
        assert "rehearse models" in message or "install" in message.lower(), message  # what to do
    assert not list((workspace_dir / "recordings").rglob("*.wav")), "nothing was recorded"
    assert web_page.errors == [], web_page.errors


def _deck_key(app, auth, title: str) -> str:
    html = request(app, "GET", "/", auth).text
    for item in html.split('data-testid="deck-item"')[1:]:
        if title in item:
            return re.search(r'href="/decks/([^"]+)"', item).group(1)
    raise AssertionError(f"{title} is not on the decks screen")


def test_ctrl_c_keeps_the_answer_being_recorded(null_sink, espeak, whisper_base, workspace_dir, tmp_path):
    deck = load_deck(SAMPLE)
    answer = synthesise(" ".join(deck.questions[0].key_points[:2]), tmp_path / "answer.wav")
    (workspace_dir / "questions").mkdir()
    shutil.copy(SAMPLE, workspace_dir / "questions" / SAMPLE.name)
    db_path = workspace_dir / "recordings" / "history.sqlite"
    with keep_sink_busy(), run_app(workspace_dir) as app:
        auth = cookie_header(app)
        post = {**auth, "X-Rehearse-Token": app.token, "Content-Type": "application/json"}
        key = _deck_key(app, auth, deck.title)
        assert request(app, "POST", "/api/session", post, f'{{"deck": "{key}", "mode": "all"}}').status == 200
        deadline = time.monotonic() + 180
        while '"recording"' not in request(app, "GET", "/api/session", auth).text:
            assert time.monotonic() < deadline and app.proc.poll() is None, app.output
            time.sleep(0.2)
        player = threading.Thread(target=subprocess.run, args=(["paplay", str(answer)],))
        player.start()
        player.join()
        app.proc.send_signal(2)  # Ctrl+C, mid-answer
        app.proc.wait(120)
    assert app.proc.returncode in (0, 130), app.output
    assert "Traceback" not in app.output, app.output
    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT audio_path, duration_s, status FROM attempts").fetchall()
    db.close()
    assert len(rows) == 1, rows
    audio, recorded_s, status = rows[0]
    assert status in ("done", "pending"), status  # kept: scored, or waiting for `rehearse transcribe`
    assert duration_s(audio) >= 0.8 * duration_s(answer)
    assert recorded_s is not None and abs(recorded_s - duration_s(audio)) < 0.2


def test_voice_with_no_words_made_out_reads_apart_from_silence_in_the_pages(workspace_dir):
    """A stored answer of voice without words shows the page's sentence with its seconds (in
    Korean for a Korean answer) on its attempt page, and History marks it apart from a silent one."""
    from dataclasses import replace

    from histdata import T0, add, result

    from rehearse.paths import workspace
    from rehearse.store import Store
    from rehearse.web.i18n import TEXT

    store = Store(workspace().history_db)
    try:
        unclear = replace(result("q1", 0, transcript=""), language="ko", unclear=True, voice_s=24.3,
                          verdict="24 s of speech, but no words could be made out")
        silent = replace(result("q1", 0, transcript=""), language="ko", no_speech=True,
                         verdict="no answer detected")
        unclear_id = add(store, "s1", "면접", "q1", T0, unclear)
        add(store, "s1", "면접", "q1", T0.replace(minute=5), silent)
    finally:
        store.close()
    parts = Parts(source=PushedAnswers(), speaker=FakeSpeaker(), transcriber=FakeTranscriber.factory({}))
    with serve_in_process(workspace_dir, parts) as app:
        auth = cookie_header(app)
        attempt = request(app, "GET", f"/attempts/{unclear_id}", auth).text
        history = request(app, "GET", "/history?deck=%EB%A9%B4%EC%A0%91", auth).text
    said = TEXT["ko"]["feedback.unclear"].replace("{seconds}", "24")
    assert said in attempt and "24초" in said
    links = re.findall(r'<a href="/attempts/\d+" data-outcome="(\w*)"[^>]*>([^<]*)</a>', history)
    assert [o for o, _ in links] == ["unclear", "no_speech"]
    words = TEXT[re.search(r'<html lang="(\w+)"', history).group(1)]  # the stored deck's file is not here
    assert words["history.unclear"] in links[0][1] and words["history.no_speech"] in links[1][1]
