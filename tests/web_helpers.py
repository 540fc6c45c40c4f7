"""What the web app's tests share: the real Chromium (through Playwright), `rehearse app` as a
process of its own, hostile text to show, and checks made on pixels and on axe-core's report.

The browser is the system Chromium (``executable_path``): no browser is downloaded. Under
CI=true a missing Chromium or Playwright fails the test that needs it (see `conftest.missing`).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fakes import FakeTranscriber

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questions" / "sample-en.yaml"
KOREAN = ROOT / "questions" / "interview-prep-ko.yaml"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
APP_START_S = 60.0  # s `rehearse app` may take to print its URL on a machine shared by many

# What a hostile deck or transcript says: markup that would run if it were not escaped (each
# sets window.__xss and opens a dialog), bidirectional controls, and the seed notes' own
# characters (an em dash, a middle dot, ※, %, & in a URL, Korean with spaces and slashes).
XSS_SCRIPT = "<script>window.__xss=1;alert('script')</script>"
XSS_IMG = '"><img src=x onerror="window.__xss=2;alert(\'img\')">'
XSS_SVG = "'><svg onload=\"window.__xss=3;alert('svg')\">"
RTL = "\u202eevil.exe\u202c \u200fmark\u200e"
SEED_CHARS = "면접 준비 — 행정·공공기관 ※ 13.3% &redirect=Dlog&x=1 취미 / 특기"
ENTITY = "&lt;b&gt;not bold&lt;/b&gt; &amp;"  # must show as typed: neither decoded nor escaped twice
HOSTILE = [XSS_SCRIPT, XSS_IMG, XSS_SVG, RTL, SEED_CHARS, ENTITY]


def missing(reason: str) -> None:
    """`conftest.missing`: fail in CI, skip elsewhere (imported when needed: conftest imports us)."""
    from conftest import missing as missing_part

    missing_part(reason)


def chromium() -> str:
    """The system Chromium's executable."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    missing("Chromium is not installed (apt-get install chromium)")
    raise AssertionError  # unreachable: missing() fails or skips


@pytest.fixture(scope="session")
def browser():
    """The system Chromium driven by Playwright, one for the test run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install playwright)")
    exe = chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page and what it did that a test must notice: dialogs opened and script errors."""

    page: object  # playwright.sync_api.Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def web_page(browser, tmp_path) -> Iterator[Watched]:
    """A fresh 1280x800 page whose dialogs are recorded (and dismissed) and whose uncaught
    script errors are kept. What it showed last is left in ``tmp_path/last-page.{png,html}``."""
    # the page's Content-Security-Policy is set aside here: Playwright's polling (wait_for_function)
    # evaluates strings, and the XSS tests are to see escaping alone hold (the policy has its own test)
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", bypass_csp=True)
    page = context.new_page()
    watched = Watched(page)

    def on_dialog(dialog) -> None:
        watched.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.set_default_timeout(30_000)  # a CI machine may be busy
    yield watched
    with contextlib.suppress(Exception):  # for the one reading a failure
        (tmp_path / "last-page.html").write_text(page.content(), encoding="utf-8")
        page.screenshot(path=str(tmp_path / "last-page.png"), timeout=5_000)
    context.close()


# ---------------------------------------------------------------- `rehearse app` as a process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class App:
    """A running `rehearse app`: the URL it printed and what it said since."""

    proc: subprocess.Popen
    url: str  # the first http:// line, token included
    lines: list[str]

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    @property
    def token(self) -> str:
        """The secret in the printed URL (its only query value, whatever it is called)."""
        query = parse_qs(urlsplit(self.url).query)
        values = [v for vs in query.values() for v in vs]
        assert values, f"the printed URL carries no token: {self.url}"
        return values[0]

    @property
    def token_query(self) -> str:
        return urlsplit(self.url).query

    @property
    def output(self) -> str:
        return "".join(self.lines)


@contextlib.contextmanager
def run_app(home: Path, env: dict[str, str] | None = None, args: list[str] | None = None,
            timeout: float = APP_START_S) -> Iterator[App]:
    """Start ``rehearse app --no-browser`` on a free port with ``REHEARSE_HOME=home`` and yield
    once it has printed its URL. It gets Ctrl+C (SIGINT) on leaving, then is killed if need be."""
    port = free_port()
    full_env = {**os.environ, **(env or {}), "REHEARSE_HOME": str(home), "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "app", "--no-browser", "--port", str(port),
                             *(args or [])], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=full_env, cwd=str(home))
    lines: list[str] = []
    found: list[str] = []
    printed = threading.Event()

    def reader() -> None:
        for line in proc.stdout:
            lines.append(line)
            if not found and line.startswith("http://"):
                found.append(line.strip())
                printed.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not printed.wait(0.1):
            assert proc.poll() is None and time.monotonic() < deadline, (
                f"`rehearse app` printed no http:// URL (exit {proc.poll()}):\n{''.join(lines)}")
        app = App(proc, found[0], lines)
        wait_listening(app)
        yield app
    finally:
        if proc.poll() is None:
            proc.send_signal(2)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)
        thread.join(5)


def wait_listening(app: App, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((app.host, app.port), timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on {app.origin}:\n{app.output}"
            time.sleep(0.1)


# ---------------------------------------------------------------- raw HTTP, every header ours


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(app: App, method: str, path: str, headers: dict[str, str] | None = None,
         body: bytes | str | None = None, read: bool = True, timeout: float = 30) -> Reply:
    """One request to the app with exactly the headers given (``Host`` too: http.client sends
    the one we name instead of its own); redirects are not followed."""
    conn = http.client.HTTPConnection(app.host, app.port, timeout=timeout)
    try:
        headers = dict(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers.setdefault("Host", f"{app.host}:{app.port}")
        if isinstance(body, str):
            body = body.encode()
        if body is not None:
            headers.setdefault("Content-Length", str(len(body)))
        elif method in ("POST", "PUT", "DELETE", "PATCH"):
            headers.setdefault("Content-Length", "0")
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read() if read or resp.status >= 300 else b""  # an event stream never ends
        return Reply(resp.status, resp.getheaders(), data)
    finally:
        conn.close()


def cookie_header(app: App) -> dict[str, str]:
    """The session cookie the app sets when the tokened URL is opened, as a Cookie header."""
    first = request(app, "GET", urlsplit(app.url).path + "?" + app.token_query)
    cookies = [c.split(";", 1)[0].strip() for c in first.header("set-cookie")]
    assert cookies, f"opening the tokened URL set no cookie (status {first.status})"
    return {"Cookie": "; ".join(cookies)}


def websocket_handshake(app: App, path: str, headers: dict[str, str]) -> int:
    """The status a WebSocket upgrade request to ``path`` gets (101: accepted)."""
    with socket.create_connection((app.host, app.port), timeout=10) as s:
        lines = [f"GET {path} HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
        headers = {"Host": f"{app.host}:{app.port}", **headers}
        lines += [f"{k}: {v}" for k, v in headers.items()]
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
    status_line = data.split(b"\r\n", 1)[0].decode("latin-1")
    assert status_line.startswith("HTTP/"), f"no HTTP reply to the upgrade: {data[:200]!r}"
    return int(status_line.split()[1])


# ---------------------------------------------------------------- sound into the null sink


@contextlib.contextmanager
def keep_sink_busy() -> Iterator[None]:
    """Play silence into the default sink for as long as the block lasts: an idle null sink's
    monitor delivers nothing for about a second after a stream starts, which would cut the
    start of the answer that is played next."""
    if shutil.which("pacat") is None:
        missing("pacat is not installed (apt-get install pulseaudio-utils)")
    proc = subprocess.Popen(["pacat", "--playback", "--raw", "--format=s16le", "--rate=16000",
                             "--channels=1", "/dev/zero"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


# ---------------------------------------------------------------- pixels and axe


def ink_spread(png: bytes) -> float:
    """Standard deviation of the grey levels of a screenshot: ~0 for a blank (or tofu-free but
    empty) box, tens when glyphs are drawn in it."""
    import io

    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
    return float(grey.std())


def dark_fraction(png: bytes) -> float:
    """The share of pixels clearly darker than the background (the ink of text)."""
    import io

    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
    background = float(np.median(grey))
    return float((np.abs(grey - background) > 60).mean())


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        missing("axe-playwright-python is not installed (pip install axe-playwright-python)")
    result = Axe().run(page)
    found = []
    for v in result.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:3]
            found.append(f"{v['impact']} {v['id']}: {v['help']} at {targets}")
    return found


# ---------------------------------------------------------------- a workspace with attempts in it


class TimedTranscriber(FakeTranscriber):
    """Hears ``texts[question id]`` in every answer, as `fakes.FakeTranscriber` does, and gives each
    word a timing spread evenly over the answer (as Whisper's word timestamps would), so that
    pages show the transcript word by word."""

    def transcribe(self, path: Path, incremental):
        from rehearse.transcript import Segment, Word

        plain = super().transcribe(path, incremental)
        words = plain.text.split()
        span = (plain.duration_s or 1.0) / max(1, len(words))
        timed = [Word(w, round(i * span, 3), round((i + 1) * span, 3)) for i, w in enumerate(words)]
        if timed:
            plain.segments = [Segment(0.0, timed[-1].end, plain.text, timed)]
        return plain


def tone_wav(path: Path, seconds: float = 2.0) -> Path:
    """A WAV of voice-like bursts (a 220 Hz tone at -20 dBFS, 0.2 s on, 0.1 s off)."""
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), tone(seconds), 16_000)
    return path


def tone(seconds: float):
    import numpy as np

    t = np.arange(int(seconds * 16_000)) / 16_000
    return (0.14 * np.sin(2 * np.pi * 220 * t) * ((t % 0.3) < 0.2)).astype(np.float32)


def practise_from_files(home: Path, deck_path: Path, texts: dict[str, str]) -> list[int]:
    """Answer every question of a deck with a tone WAV heard as ``texts[id]`` (the session core,
    the real answer files and history, a fake transcriber); returns the attempt ids."""
    from fakes import FakeSpeaker

    from rehearse.deck import load_deck
    from rehearse.parts import Parts
    from rehearse.paths import answer_file
    from rehearse.practice import PracticeOptions, run_session

    answers = home.parent / f"{home.name}-answers"
    deck = load_deck(deck_path)
    for q in deck.walk():
        tone_wav(answer_file(answers, q.id), 2.0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REHEARSE_HOME", str(home))
        from rehearse.paths import workspace

        result = run_session(deck, PracticeOptions(answers_from=answers), ws=workspace(),
                             parts=Parts(speaker=FakeSpeaker(), transcriber=TimedTranscriber.factory(texts)))
    return [a.attempt_id for a in result.attempts]


# ---------------------------------------------------------------- the app in this process


@contextlib.contextmanager
def serve_in_process(home: Path, parts, token: str = "test-token", **options) -> Iterator[App]:
    """`rehearse.web.app.create_app` on a free port, served by uvicorn in a thread of this process,
    with the session parts a test chooses (`rehearse.parts.Parts`) and ``create_app``'s other
    ``options`` (``catalog=``). Yields an `App` (its ``proc`` is None) whose URL carries the token,
    as the command's does."""
    import uvicorn

    from rehearse.paths import workspace
    from rehearse.web.app import create_app

    port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REHEARSE_HOME", str(home))
        app = create_app(workspace(), parts=parts, token=token, host="127.0.0.1", port=port, **options)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                              lifespan="on"))
        thread = threading.Thread(target=server.run, name="rehearse-test-server", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not server.started:
                assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.05)
            yield App(None, f"http://127.0.0.1:{port}/?token={token}", [])  # type: ignore[arg-type]
        finally:
            server.should_exit = True
            thread.join(15)


def glyphs_differ(page, locator, a: str = "가나다라마", b: str = "힣훗흙읊쨌") -> bool:
    """Whether two different Korean strings draw differently in ``locator``'s font: missing
    glyphs draw as identical boxes (tofu), real ones do not."""
    shots = []
    for text in (a, b):
        page.evaluate("""([el, text]) => {
            let probe = document.getElementById('glyph-probe');
            if (!probe) {
                probe = el.cloneNode(false);
                probe.id = 'glyph-probe';
                probe.removeAttribute('data-testid');
                probe.style.position = 'fixed'; probe.style.left = '0'; probe.style.top = '0';
                probe.style.zIndex = '99999'; probe.style.background = '#fff'; probe.style.color = '#000';
                probe.style.width = 'auto'; probe.style.padding = '4px';
                document.body.appendChild(probe);
            }
            probe.textContent = text;
        }""", [locator.element_handle(), text])
        shots.append(page.locator("#glyph-probe").screenshot())
    page.evaluate("document.getElementById('glyph-probe').remove()")
    return shots[0] != shots[1] and min(ink_spread(s) for s in shots) > 10


def open_deck(page, title: str) -> None:
    """Open the deck titled ``title`` from the decks screen (its link; the first of equal titles)."""
    item = page.get_by_test_id("deck-item").filter(has_text=title).first
    link = item.locator("a[href]")
    (link.first if link.count() else item).click()
    page.get_by_test_id("question-list").wait_for()
