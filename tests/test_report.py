"""The HTML report: built from a real history, checked as text and opened in headless Chromium."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import missing
from histdata import T0, add, days, result, tone

from rehearse.errors import RehearseError
from rehearse.report import ReportOptions, build_report, highlight, render_report, write_report
from rehearse.store import Store

CHROMIUM = "/usr/bin/chromium"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_ID = '"><img src=x onerror=alert(2)>'  # a question id the deck loader takes: text and attribute
KOREAN = "저는 백엔드 개발자입니다"

DECK = f"""\
title: "면접 연습 {XSS_IMG}"
language: ko
questions:
  - id: intro
    question: "자기소개를 해 주세요 {XSS_SCRIPT}"
    answer: |
      - {KOREAN}
      - 파이썬을 5년 썼습니다
      - {XSS_IMG} 태그도 압니다
  - id: '{XSS_ID}'
    question: 취미는 무엇인가요?
    answer: 배스 낚시
"""


@pytest.fixture
def history(tmp_path):
    """A history of two sessions on a Korean deck, with real recordings and hostile text."""
    deck = tmp_path / "면접.yaml"
    deck.write_text(DECK, encoding="utf-8")
    store = Store(tmp_path / "history.sqlite")
    rec = tmp_path / "rec"
    rec.mkdir()
    python, tag = "파이썬을 5년 썼습니다", f"{XSS_IMG} 태그도 압니다"
    points1 = [(KOREAN, "covered"), (python, "missed"), (tag, "missed")]
    points2 = [(KOREAN, "covered"), (python, "partial"), (tag, "covered")]
    first = result("intro", 40, transcript=f"음 {KOREAN} {XSS_SCRIPT}", points=points1, unit="spm", pace=310)
    add(store, "s1", "면접", "intro", T0, first, audio=tone(rec / "1.wav", 1.5, 440), deck_path=str(deck))
    hobby = result(XSS_ID, 100, transcript="배스 낚시", points=[("배스 낚시", "covered")], unit="spm",
                   pace=290)
    # 22.05 kHz (a file from elsewhere): Opus cannot take it, so this one is embedded as Vorbis
    add(store, "s1", "면접", XSS_ID, T0, hobby, audio=tone(rec / "2.wav", 0.8, 660, rate=22_050))
    second = result("intro", 75, transcript=f"{KOREAN} {tag}", points=points2, unit="spm", pace=330,
                    fillers_per_min=3.0)
    add(store, "s2", "면접", "intro", T0 + days(1), second, audio=tone(rec / "3.wav", 2.5, 550),
        deck_path=str(deck))
    yield store
    store.close()


def test_highlight_marks_phrases_and_keeps_the_text():
    spans = highlight("I used Python and Go. python!", [("python", "covered"), ("go", "missed"), ("", "x")])
    assert "".join(s.text for s in spans) == "I used Python and Go. python!"
    assert [(s.text, s.kind) for s in spans if s.kind] == [("Python", "covered"), ("Go", "missed"),
                                                           ("python", "covered")]
    assert highlight("", [("a", "b")]) == []


class _Elements(HTMLParser):
    """Every element of a page, by tag, with its attributes (the standard library's HTML parser)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()
        self.attrs: defaultdict[str, list[dict[str, str]]] = defaultdict(list)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] += 1
        self.attrs[tag].append({k: v or "" for k, v in attrs})


def test_report_escapes_user_text_and_embeds_everything(history, tmp_path):
    out = tmp_path / "report.html"
    report = write_report(history, out, ReportOptions(deck="면접"))
    html = out.read_text(encoding="utf-8")
    assert [q.id for q in report.questions] == ["intro", XSS_ID]  # deck order
    assert [len(q.attempts) for q in report.questions] == [2, 1]
    # hostile text only ever escaped; the page allows no script at all
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    escaped_id = "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;"
    assert f"<code>{escaped_id}</code>" in html and f'alt="Score over attempts of {escaped_id}"' in html
    page = _Elements()
    page.feed(html)
    page.close()
    assert page.counts["script"] == 0 and page.counts["img"] == 3  # the three plots, nothing injected
    assert all(a["src"].startswith("data:image/svg+xml;base64,") for a in page.attrs["img"])
    handlers = [(tag, name) for tag, elements in page.attrs.items() for element in elements
                for name in element if name.startswith("on")]
    assert not handlers
    assert sorted(a["alt"] for a in page.attrs["img"] if "score-plot" in a.get("class", "")) == sorted(
        [f"Score over attempts of {XSS_ID}", "Score over attempts of intro"])
    assert "script-src" not in html and "default-src 'none'" in html
    # self-contained: no link to anything outside the file
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html)
    assert html.count("<audio") == 3 and html.count('src="data:audio/ogg;base64,') == 3
    heads = [base64.b64decode(u)[:64] for u in re.findall(r'data:audio/ogg;base64,([^"]+)', html)]
    assert [b"OpusHead" in h for h in heads] == [True, True, False]  # 16 kHz → Opus
    assert b"vorbis" in heads[2]  # 22.05 kHz → Vorbis
    assert html.count('src="data:image/svg+xml;base64,') == 3  # sessions + one per question
    assert KOREAN in html and 'lang="ko"' in html
    assert '<span class="covered">' + KOREAN in html  # prepared answer marked per attempt
    assert '<mark class="evidence">' + KOREAN in html  # and where it was heard in the transcript
    assert [s["average_score"] for s in report.sessions] == [70.0, 75.0]


def test_session_report_and_no_audio(history):
    report = build_report(history, ReportOptions(session_id="s1", embed_audio=False))
    assert report.scope == "session s1" and [s["id"] for s in report.sessions] == ["s1"]
    html = render_report(report)
    assert "<audio" not in html and "recordings not embedded" in html
    latest = build_report(history)  # no option: the latest session
    assert latest.scope == "session s2" and [q.id for q in latest.questions] == ["intro"]
    with pytest.raises(RehearseError, match="no session 'nope'"):
        build_report(history, ReportOptions(session_id="nope"))


def test_report_without_deck_file_or_recording_still_renders(tmp_path):
    store = Store(tmp_path / "history.sqlite", clock=lambda: T0 + days(1))  # the report's "generated"
    add(store, "s1", "gone", "q1", T0, result("q1", 50), audio=tmp_path / "deleted.wav",
        deck_path=str(tmp_path / "gone.yaml"))
    add(store, "s1", "gone", "q2", T0, None, audio=tone(tmp_path / "p.wav", 0.5, 300))
    report = build_report(store)
    assert report.generated == (T0 + days(1)).astimezone().strftime("%Y-%m-%d %H:%M")
    html = render_report(report)
    assert "recording missing from disk" in html and "not transcribed" in html
    assert "the first point" in html and html.count("<audio") == 1
    store.close()
    with pytest.raises(RehearseError, match="no practice recorded yet"):
        build_report(Store(tmp_path / "empty.sqlite"))


# ---------------------------------------------------------------- in a real browser


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (no websocket library needed)."""

    def __init__(self, profile: Path) -> None:
        to_child, from_child = os.pipe(), os.pipe()
        # the protocol pipe is fds 3 (commands in) and 4 (replies out) in the child; move our ends
        # above 10 first so that dup2 never overwrites one with the other
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child[0], from_child[1])]

        def child_fds() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1200,900",
             "about:blank"],
            preexec_fn=child_fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for fd in (*to_child, *from_child, *high):
            if fd not in (to_child[1], from_child[0]):
                os.close(fd)
        self.out, self.inp = to_child[1], from_child[0]
        self.buf, self.last_id, self.events = b"", 0, []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self.last_id += 1
        msg = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer")
            if select.select([self.inp], [], [], left)[0]:
                chunk = os.read(self.inp, 1 << 20)
                if not chunk:
                    raise EOFError(f"Chromium exited: {self.proc.stderr.read().decode()[-1500:]}")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (OSError, RuntimeError, TimeoutError, EOFError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.out)
        os.close(self.inp)


@pytest.fixture
def browser(tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    b = Chromium(tmp_path / "chromium-profile")
    yield b
    b.close()


def _open(b: Chromium, page: Path) -> str:
    target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "DOM", "CSS"):
        b.send(f"{domain}.enable", session=session)
    b.send("Page.navigate", {"url": page.as_uri()}, session=session)
    b.wait_event("Page.loadEventFired")
    return session


def _eval(b: Chromium, session: str, expression: str):
    reply = b.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                        "returnByValue": True}, session=session)
    assert "exceptionDetails" not in reply, reply
    return reply["result"]["value"]


AUDIO_DURATIONS = """
Promise.race([
  Promise.all([...document.querySelectorAll('audio')].map(a => a.readyState >= 1 ? a.duration :
    new Promise(done => {
      a.addEventListener('loadedmetadata', () => done(a.duration));
      a.addEventListener('error', () => done(-1));
    }))),
  new Promise(done => setTimeout(() => done('timeout'), 15000)),
])
"""

PAGE_FACTS = """({
  charset: document.characterSet,
  scripts: document.scripts.length,
  injectedImages: document.querySelectorAll('img[src="x"], img[onerror]').length,
  plots: [...document.querySelectorAll('img.plot')].map(i => i.complete ? i.naturalWidth : 0),
  sessionsPlot: !!document.getElementById('sessions-plot'),
  text: document.body.innerText,
  alts: [...document.querySelectorAll('img')].map(i => i.alt),
})"""


def test_report_in_headless_chromium(history, browser, tmp_path):
    out = tmp_path / "report.html"
    write_report(history, out, ReportOptions(deck="면접"))
    session = _open(browser, out)

    durations = _eval(browser, session, AUDIO_DURATIONS)
    assert durations != "timeout" and len(durations) == 3
    for got, want in zip(durations, [1.5, 2.5, 0.8], strict=True):  # question order, attempt order
        assert got == pytest.approx(want, abs=0.1)

    facts = _eval(browser, session, PAGE_FACTS)
    assert facts["charset"] == "UTF-8"
    assert facts["scripts"] == 0 and facts["injectedImages"] == 0
    assert facts["sessionsPlot"] and len(facts["plots"]) == 3 and all(w > 100 for w in facts["plots"])
    # the hostile strings are on the page as text, and nothing ran
    assert XSS_SCRIPT in facts["text"] and XSS_IMG in facts["text"] and KOREAN in facts["text"]
    assert f"question id {XSS_ID}" in facts["text"]
    assert f"Score over attempts of {XSS_ID}" in facts["alts"]
    assert not [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]

    shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                        session=session)
    png = tmp_path / "report.png"
    png.write_bytes(base64.b64decode(shot["data"]))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_korean_text_renders_with_a_hangul_font(history, browser, tmp_path):
    fc_list = shutil.which("fc-list")
    families = ""
    if fc_list:
        families = subprocess.run([fc_list, ":lang=ko", "family"], capture_output=True, text=True).stdout
    if not families.strip():
        missing("no font with Hangul is installed (apt-get install fonts-nanum or fonts-noto-cjk)")
    korean = {name.strip() for line in families.splitlines() for name in line.split(",")}
    out = tmp_path / "report.html"
    write_report(history, out, ReportOptions(deck="면접", embed_audio=False))
    session = _open(browser, out)
    root = browser.send("DOM.getDocument", session=session)["root"]["nodeId"]
    node = browser.send("DOM.querySelector", {"nodeId": root, "selector": "section h2"}, session=session)
    fonts = browser.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]}, session=session)["fonts"]
    used = {f["familyName"] for f in fonts if f["glyphCount"] > 0}
    assert used & korean, f"Korean drawn with {used}, none of which has Hangul"
