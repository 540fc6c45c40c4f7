#!/usr/bin/env python3
"""Regenerate the web app's screenshots in docs/ (1280x800, one per screen).

    .venv/bin/python scripts/screenshots.py [--out docs] [--keep WORKSPACE]

A throwaway workspace gets the sample and Korean decks; the app runs in this process (as
`rehearse app` runs it), driven by the system Chromium through Playwright. The answers are
espeak-ng reading the prepared answers, pushed into the session as they would come from a
microphone and transcribed by the real Whisper base model: the screenshots show what a real
session shows. The Korean feedback is the exception: espeak-ng's Korean is not intelligible to
Whisper, so a spoken Korean answer's transcript is heard for it (as tests/test_web_korean.py does)
and everything after — the scorer with kiwi, the store, the page — is real. Needs chromium,
espeak-ng and the base model (`rehearse models install base`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = {"width": 1280, "height": 800}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--hide-scrollbars"]
TOKEN = "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def push_file(source, wav: Path, pace: float = 1.0) -> threading.Thread:
    """Push a WAV into a `PushedAnswers` at speaking pace from a thread, then end the answer."""
    from rehearse.audio import BLOCK_S, read_audio

    samples = read_audio(wav)
    step = int(16_000 * BLOCK_S)

    def run() -> None:
        source.started.wait(120)
        for i in range(0, len(samples), step):
            source.push(samples[i:i + step])
            time.sleep(BLOCK_S / pace)
        source.end()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# a Korean answer as spoken to the Korean deck's first question: key points 1, 3 and 5, and 4 in the negative
KOREAN_HEARD = ("음 안녕하십니까 신세계 아이앤씨 스파로스 CMP 개발 직무에 지원한 김성철입니다. "
                "이전 회사에서는 인사 시스템과 데이터 연동을 통해서 "
                "통합 계정 관리 서비스를 개발하고 구축했습니다. "
                "조사한 바에 의하면 CMP는 다양한 클라우드 서비스 환경을 연계하는 작업이 필요합니다. "
                "AWS의 EC2를 사용해서 네이버 증권 페이지의 주식 데이터를 파싱하는 토이 프로젝트를 "
                "진행해 본 적은 없습니다.")


class HeardKorean:
    """A transcriber hearing `KOREAN_HEARD` in every answer, its words spread over the answer."""

    prompt = None

    def __init__(self, deck, options) -> None:
        pass

    def check(self) -> None: ...
    def warm_up(self) -> None: ...
    def ready(self) -> None: ...

    def stream(self, samplerate: int):
        return None

    def transcribe(self, path: Path, incremental):
        import soundfile as sf

        from rehearse.transcript import Segment, Transcript, Word

        duration = sf.info(str(path)).duration
        said = KOREAN_HEARD.split()
        span = duration / len(said)
        words = [Word(w, round(i * span, 3), round((i + 1) * span, 3)) for i, w in enumerate(said)]
        return Transcript(KOREAN_HEARD, "ko", [Segment(0.0, words[-1].end, KOREAN_HEARD, words)], duration)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go (default docs/)")
    parser.add_argument("--keep", type=Path, help="use (and keep) this workspace instead of a temporary one")
    args = parser.parse_args(argv)

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    home = args.keep or Path(tempfile.mkdtemp(prefix="rehearse-shots-"))
    (home / "questions").mkdir(parents=True, exist_ok=True)
    for deck in ("sample-en.yaml", "interview-prep-ko.yaml"):
        shutil.copy(ROOT / "questions" / deck, home / "questions" / deck)
    os.environ["REHEARSE_HOME"] = str(home)

    import uvicorn
    from playwright.sync_api import sync_playwright

    from rehearse.deck import load_deck
    from rehearse.demo import synthesise
    from rehearse.parts import Parts, PushedAnswers, Silent
    from rehearse.paths import workspace
    from rehearse.web.app import create_app

    deck = load_deck(ROOT / "questions" / "sample-en.yaml")
    first = deck.questions[0]
    answers = home / "answers"
    answers.mkdir(exist_ok=True)
    short = synthesise(" ".join(first.key_points[:2]), answers / "short.wav")
    # three of the four points (the third is left out: espeak's "I enjoy turning" is often heard
    # as "I am not turning", which the scorer rightly counts as not said)
    longer = synthesise(" ".join(first.key_points[i] for i in (0, 1, 3)), answers / "longer.wav")

    source = PushedAnswers()
    port = free_port()
    english = Parts(source=source, speaker=Silent())
    korean_parts = Parts(source=source, speaker=Silent(), transcriber=HeardKorean)
    app = create_app(workspace(), parts=lambda d: korean_parts if d.language == "ko" else english,
                     token=TOKEN, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    origin = f"http://127.0.0.1:{port}"
    args.out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=ARGS)
            page = browser.new_page(viewport=SIZE, locale="en-US", bypass_csp=True)  # for wait_for_function
            page.set_default_timeout(300_000)  # Whisper on a busy machine

            def shot(name: str) -> None:
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                path = args.out / f"web-{name}.png"
                page.screenshot(path=str(path))
                made.append(path)

            def state(value: str) -> None:
                page.wait_for_function(
                    "s => document.querySelector('[data-testid=record-state]')?.textContent.trim() === s",
                    arg=value)

            page.goto(f"{origin}/?token={TOKEN}")
            page.get_by_test_id("deck-list").wait_for()
            shot("decks")
            page.get_by_test_id("deck-item").filter(has_text=deck.title).first.locator("a").first.click()
            page.get_by_test_id("question-list").wait_for()
            shot("deck")

            # two attempts at the first question: a fuller one, then (Retry) a shorter one, so
            # that best and latest differ
            pusher = push_file(source, longer)
            page.get_by_test_id("start").first.click()
            state("recording")
            page.wait_for_timeout(2500)
            shot("recording")
            pusher.join()
            page.get_by_test_id("score").wait_for()
            page.wait_for_timeout(500)
            shot("feedback")
            pusher = push_file(source, short, pace=4.0)
            page.locator("#retry").click()
            state("recording")
            pusher.join()
            state("feedback")
            page.request.post(f"{origin}/api/session/end", headers={"X-Rehearse-Token": TOKEN})

            page.goto(f"{origin}/history")
            page.get_by_test_id("history-row").first.wait_for()
            shot("history")
            page.locator("a[href*='/attempts/']").first.click()
            page.get_by_test_id("transcript-word").first.wait_for()
            page.get_by_test_id("play").first.click()
            page.wait_for_timeout(1500)
            shot("playback")
            page.goto(f"{origin}/history")
            compare = page.locator("a[href*='/compare']")
            if compare.count():
                compare.first.click()
                shot("compare")
            page.goto(f"{origin}/settings")
            page.wait_for_selector("#settings-form[data-listed=true]")  # the devices, listed after paint
            shot("settings")

            page.goto(f"{origin}/")
            korean = load_deck(ROOT / "questions" / "interview-prep-ko.yaml")
            page.get_by_test_id("deck-item").filter(has_text=korean.title).first.locator("a").first.click()
            page.get_by_test_id("question-list").wait_for()
            shot("deck-ko")
            # espeak-ng reading the Korean answer: its length is a speaker's (for the pace shown)
            pusher = push_file(source, synthesise(KOREAN_HEARD, answers / "korean.wav", voice="ko", wpm=150),
                               pace=4.0)
            page.get_by_test_id("start").first.click()
            pusher.join()
            page.get_by_test_id("score").wait_for()
            page.wait_for_timeout(500)
            shot("feedback-ko")
            page.request.post(f"{origin}/api/session/end", headers={"X-Rehearse-Token": TOKEN})
            browser.close()
    finally:
        server.should_exit = True
        thread.join(15)
        if args.keep is None:
            shutil.rmtree(home, ignore_errors=True)
    for path in made:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
