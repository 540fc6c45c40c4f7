"""The practice flow on the Korean seed deck, in a real Chromium, with the app in this process.

espeak-ng's Korean is not intelligible to Whisper, so the answer's samples are pushed
(`rehearse.parts.PushedAnswers`) and a Korean transcript is heard for them at the transcriber
seam (`fakes.FakeTranscriber`); everything else — the session core, the answer file, the history,
the scorer with kiwi, the pages — is real. Korean must render as glyphs, not as empty boxes.
"""

from __future__ import annotations

import re
import shutil

import pytest
from fakes import FakeSpeaker
from web_helpers import KOREAN, TimedTranscriber, glyphs_differ, ink_spread, open_deck, serve_in_process, tone

from rehearse.deck import load_deck
from rehearse.parts import Parts, PushedAnswers

pytestmark = pytest.mark.browser

DECK = load_deck(KOREAN)
FIRST = DECK.questions[0]  # 자기소개
KP = FIRST.key_points
# spoken, not read: spacing and endings differ from the notes; key points 1, 3 and 5 are said,
# and 4 (the AWS toy project) in the negative
HEARD = {FIRST.id: ("음 안녕하십니까 신세계 아이앤씨 스파로스 CMP 개발 직무에 지원한 김성철입니다. "
                    "이전 회사에서는 인사 시스템과 데이터 연동을 통해서 "
                    "통합 계정 관리 서비스를 개발하고 구축했습니다. "
                    "조사한 바에 의하면 CMP는 다양한 클라우드 서비스 환경을 연계하는 작업이 필요합니다. "
                    "AWS의 EC2를 사용해서 네이버 증권 페이지의 주식 데이터를 파싱하는 토이 프로젝트를 "
                    "진행해 본 적은 없습니다.")}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")  # an English word (the key points' own words are Korean)


def korean_sentence(text: str) -> bool:
    """Korean, with no English word in it."""
    return bool(re.search("[가-힣]", text)) and not LATIN_WORD.search(text)


@pytest.fixture
def korean_app(workspace_dir):
    (workspace_dir / "questions").mkdir()
    shutil.copy(KOREAN, workspace_dir / "questions" / KOREAN.name)
    source = PushedAnswers()
    # FakeTranscriber's text, with word timings spread over the answer as Whisper's would be
    parts = Parts(source=source, speaker=FakeSpeaker(), transcriber=TimedTranscriber.factory(HEARD))
    with serve_in_process(workspace_dir, parts) as app:
        yield app, source


def test_korean_practice_renders_korean(korean_app, web_page, tmp_path):
    app, source = korean_app
    page = web_page.page
    page.goto(app.url)
    open_deck(page, DECK.title)
    questions = page.get_by_test_id("question-list")
    questions.wait_for()
    assert FIRST.question in questions.inner_text()
    assert KP[0] in questions.text_content()  # key points listed under their question

    page.get_by_test_id("start").first.click()
    asked = page.get_by_test_id("question-text")
    asked.wait_for()
    state = page.get_by_test_id("record-state")
    page.wait_for_function("el => el.textContent.trim() === 'recording'", arg=state.element_handle(),
                           timeout=60_000)
    assert asked.inner_text().strip() == FIRST.question
    assert page.locator("html").get_attribute("lang") == "ko"  # UI text follows the deck's language
    source.push(tone(6.0))
    page.wait_for_timeout(500)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Enter")  # Stop, from the keyboard

    score = page.get_by_test_id("score")
    score.wait_for(timeout=60_000)
    assert re.fullmatch(r"\d{1,3}", score.inner_text().strip())
    assert 0 < int(score.inner_text()) < 100
    points = page.get_by_test_id("key-point")
    assert points.count() == len(KP)
    status = {}
    for i in range(points.count()):
        text = points.nth(i).inner_text()
        (index,) = [j for j, k in enumerate(KP) if k[:15] in text]
        status[index] = points.nth(i).get_attribute("data-status")
    assert status[0] != "missed" and status[2] != "missed" and status[4] != "missed", status
    assert status[3] == "missed", status  # the AWS toy project: said in the negative
    diff = page.get_by_test_id("diff").inner_text()
    assert "김성철" in diff and "토이프로젝트" in diff  # said, and left out

    # the core's words in Korean: the verdict, the Why line, why the negated point is not covered
    verdict, why = page.locator("#verdict").inner_text(), page.locator("#why").inner_text()
    assert korean_sentence(verdict) and "핵심 포인트" in verdict, verdict
    assert korean_sentence(why) and "내용" in why, why
    negated = points.filter(has_text=KP[3][:15]).get_by_test_id("key-point-reason")
    assert negated.count() == 1 and korean_sentence(negated.inner_text()), negated.all_inner_texts()
    assert "진행해 본 적은 없습니다" in negated.inner_text()  # what was said, quoted

    shot = page.screenshot(full_page=True)
    (tmp_path / "korean-feedback.png").write_bytes(shot)
    for locator in (asked, points.first, page.get_by_test_id("diff")):
        png = locator.screenshot()
        assert ink_spread(png) > 10, "a Korean text box is blank"
        assert glyphs_differ(page, locator), "Korean draws as identical boxes (no Korean font)"

    # played back: the Korean words light up in turn; History lists the attempt
    page.goto(f"{app.origin}/history")
    row = page.get_by_test_id("history-row").filter(has_text=FIRST.question)
    assert row.count() == 1
    row.locator("a[href*='/attempts/']").first.click()
    words = page.get_by_test_id("transcript-word")
    words.first.wait_for()
    assert " ".join(words.all_inner_texts()).split() == HEARD[FIRST.id].split()
    stored = page.locator(".feedback .verdict").inner_text()  # the stored attempt's card, in Korean too
    assert korean_sentence(stored) and stored == verdict, (stored, verdict)
    assert korean_sentence(page.locator(".feedback .why").inner_text())
    assert korean_sentence(page.get_by_test_id("key-point-reason").first.inner_text())
    page.get_by_test_id("play").first.click()
    current = page.locator("[data-testid=transcript-word][aria-current=true]")
    seen = []
    for _ in range(40):
        page.wait_for_timeout(150)
        if current.count() == 1:
            seen.append(current.inner_text())
        if len(set(seen)) >= 3:
            break
    assert len(set(seen)) >= 3, seen
    assert all(re.search("[가-힣A-Z]", w) for w in seen)
    assert web_page.errors == [], web_page.errors
    assert web_page.dialogs == []


def test_the_language_toggle_turns_the_interface_korean_and_back(korean_app, web_page):
    app, _ = korean_app
    page = web_page.page
    page.goto(app.url)
    nav = page.get_by_role("navigation")
    assert page.locator("html").get_attribute("lang") == "en" and "History" in nav.inner_text()
    page.locator("form.lang button[type=submit]").click()  # "한국어"
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    assert "기록" in nav.inner_text() and "설정" in nav.inner_text()
    page.goto(f"{app.origin}/history")  # it is kept for the next screens
    assert page.locator("html").get_attribute("lang") == "ko"
    shot = page.get_by_role("navigation").screenshot()
    assert ink_spread(shot) > 10 and glyphs_differ(page, page.get_by_role("navigation").locator("a").first)
    page.locator("form.lang button[type=submit]").click()  # "English"
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "History" in page.get_by_role("navigation").inner_text()
    assert web_page.errors == [], web_page.errors


@pytest.fixture
def unclear_app(workspace_dir):
    """The Korean deck with the real transcriber part whose engine makes no words of anything."""
    from rehearse.parts import WhisperTranscriber
    from rehearse.transcript import Transcript

    def engine(samples, language, options):
        return Transcript("", language, duration_s=samples.size / 16_000)

    (workspace_dir / "questions").mkdir()
    shutil.copy(KOREAN, workspace_dir / "questions" / KOREAN.name)
    source = PushedAnswers()
    parts = Parts(source=source, speaker=FakeSpeaker(),
                  transcriber=lambda deck, options: WhisperTranscriber(deck, options, transcribe_fn=engine))
    with serve_in_process(workspace_dir, parts) as app:
        yield app, source


def test_voice_with_no_words_made_out_is_said_in_korean_on_the_card(unclear_app, web_page):
    """6 s of tone bursts the engine makes no words of: the feedback card says so in the page's Korean,
    with the seconds, instead of the English verdict or "no answer"."""
    from rehearse.web.i18n import TEXT

    app, source = unclear_app
    page = web_page.page
    page.goto(app.url)
    open_deck(page, DECK.title)
    page.get_by_test_id("start").first.click()
    state = page.get_by_test_id("record-state")
    state.wait_for()
    page.wait_for_function("el => ['녹음 중', 'recording'].includes(el.textContent.trim())",
                           arg=state.element_handle(), timeout=60_000)
    source.push(tone(6.0))
    page.wait_for_timeout(500)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Enter")
    page.get_by_test_id("score").wait_for(timeout=60_000)
    verdict = page.locator("#verdict").inner_text()
    before, after = TEXT["ko"]["feedback.unclear"].split("{seconds}")
    said = re.fullmatch(re.escape(before) + r"(\d+)" + re.escape(after), verdict)
    assert said and 3 <= int(said.group(1)) <= 6, verdict  # the tone's bursts: 4 s of 6
    assert web_page.errors == [], web_page.errors
