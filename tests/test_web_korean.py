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
    # the page's own words in Korean; the quote is what was said, tool names (AWS, EC2) and all
    label = re.sub(r"“[^”]*”", "", negated.inner_text()) if negated.count() == 1 else ""
    assert korean_sentence(label), negated.all_inner_texts()
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
    assert korean_sentence(re.sub(r"“[^”]*”", "", page.get_by_test_id("key-point-reason").first.inner_text()))
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


def test_a_broken_file_opened_on_the_korean_page_is_a_korean_sentence_with_its_file_and_line(
        korean_app, web_page, tmp_path):
    """Notes that are not UTF-8 and a YAML deck with a syntax error, opened on the Korean page: the
    error is the page's Korean sentence (from the error's key), after ``file:line:``; the decks say
    their language in Korean."""
    from rehearse.web.words import KO

    app, _ = korean_app
    page = web_page.page
    page.goto(app.url)
    page.locator("form.lang button[type=submit]").click()  # "한국어"
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    item = page.get_by_test_id("deck-item").filter(has_text=DECK.title).first
    assert "한국어" in item.inner_text() and not re.search(r"·\s*ko\b", item.inner_text())
    error = page.locator("#import-error")
    notes = tmp_path / "메모.txt"
    notes.write_bytes("# 자기소개\n안녕하십니까.\n".encode() + b"caf\xe9 \xff\n")
    page.locator("#import-form input[type=file]").set_input_files(str(notes))
    page.wait_for_function("el => el.textContent.trim() !== ''", arg=error.element_handle())
    said = error.inner_text().strip()
    lead = KO["deck.not_utf8"].split("(")[0]
    assert said.startswith("메모.txt:3: " + lead) and "0xe9" in said, said
    assert korean_sentence(said.replace("메모.txt", "").replace("UTF-8", "").replace("0xe9", "")), said

    deck = tmp_path / "덱.yaml"
    deck.write_text("title: 면접\nlanguage: ko\nquestions:\n  - question: 자기소개 해 주세요\n"
                    "    answer: [안녕하십니까\n", encoding="utf-8")
    page.evaluate("el => { el.textContent = ''; }", error.element_handle())
    page.locator("#import-form input[type=file]").set_input_files(str(deck))
    page.wait_for_function("el => el.textContent.trim() !== ''", arg=error.element_handle())
    said = error.inner_text().strip()
    assert re.match(r"덱\.yaml:\d+: " + re.escape(KO["deck.yaml_syntax"].split("(")[0]), said), said
    assert web_page.errors == [], web_page.errors


def test_history_of_a_korean_deck_has_no_english_word(korean_app, web_page, workspace_dir):
    """History of the Korean deck, with scored attempts, the due list and both plots: every word the
    page itself says is Korean (the deck's name, question ids and texts, session ids and numbers are
    the user's), and the plots' axis labels are drawn in Korean."""
    from dataclasses import replace

    from histdata import T0, add, days, result

    from rehearse.paths import workspace
    from rehearse.store import Store

    app, _ = korean_app
    deck_path = str(workspace_dir / "questions" / KOREAN.name)
    store = Store(workspace().history_db)
    try:
        for n, score in enumerate((40, 70)):
            res = replace(result(FIRST.id, score, transcript="안녕하십니까", unit="syllables/min",
                                 points=[("인사 시스템", "covered"), ("클라우드", "missed")]), language="ko")
            add(store, f"s{n}", DECK.name, FIRST.id, T0 + days(n), res, question=FIRST.question,
                deck_path=deck_path)
    finally:
        store.close()
    page = web_page.page
    page.goto(app.url)
    page.goto(f"{app.origin}/history?deck={DECK.name}")
    page.get_by_test_id("history-row").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "ko"
    main = page.locator("main")
    said = main.inner_text() + " " + " ".join(
        main.locator("img").evaluate_all("els => els.map(e => e.alt)")
        + main.locator("[aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))"))
    theirs = [DECK.name, *sorted((t for q in DECK.walk() for t in (q.id, q.question)), key=len, reverse=True),
              "s0", "s1"]
    for text in theirs:
        said = said.replace(text, " ")
    said = said.replace("HTML", " ")  # the report's format
    assert not LATIN_WORD.search(said), LATIN_WORD.findall(said)
    assert page.get_by_role("button", name="보기").count() == 1

    plots = main.locator("img.plot").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert len(plots) == 2, plots
    hangul_glyph = re.compile(r'<path id="(?!DejaVuSans)[\w ]+-[0-9a-f]+"')  # drawn from a Korean font
    for src in plots:
        assert hangul_glyph.search(page.request.get(app.origin + src).text()), src
        english = src.replace("lang=ko", "lang=en")
        assert not hangul_glyph.search(page.request.get(app.origin + english).text()), english
    assert web_page.errors == [], web_page.errors
