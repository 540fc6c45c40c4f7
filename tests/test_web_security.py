"""The web app holds a microphone: what it refuses, asked over real HTTP of a real `rehearse app`.

No token → 403; the token in the URL becomes an HttpOnly SameSite=Strict cookie; a foreign Host
(DNS rebinding) → 400; the live-event stream refuses a foreign Origin; state changes are POSTs
carrying the token; audio is served by attempt id only, from the workspace's recordings/; and
hostile text in decks and transcripts shows as text in a real browser, running nothing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from fakes import FakeSpeaker, FakeTranscriber
from test_hostile import HOSTILE_IDS
from web_helpers import (
    ENTITY,
    HOSTILE,
    RTL,
    SAMPLE,
    SEED_CHARS,
    XSS_IMG,
    XSS_SCRIPT,
    XSS_SVG,
    cookie_header,
    open_deck,
    practise_from_files,
    request,
    run_app,
    serve_in_process,
    tone,
    tone_wav,
)

from rehearse.parts import Parts, PushedAnswers

HOSTILE_ID = '"><img src=x onerror=alert(7)>'

HOSTILE_DECK = {
    "title": f"{XSS_SCRIPT} {RTL}",
    "language": "en",
    "time_limit": 60,
    "questions": [
        {"id": "script", "question": f"Say {XSS_SCRIPT} aloud?", "answer": f"- {XSS_IMG}\n- {SEED_CHARS}\n",
         "tags": [XSS_SVG], "notes": ENTITY},
        {"id": HOSTILE_ID, "question": f"{XSS_IMG} and {RTL}", "answer": f"- {ENTITY}\n- {XSS_SVG}\n"},
    ],
}
# the ids the CLI's hostile-input tests use (paths, control characters, device names, 500 letters)
HOSTILE_DECK["questions"] += [{"id": qid, "question": f"Id {qid}?", "answer": "- A plain answer.\n"}
                              for qid in HOSTILE_IDS]
HEARD = {"script": f"I said {XSS_SCRIPT} and {XSS_IMG} then {SEED_CHARS}",
         HOSTILE_ID: f"{XSS_SVG} {RTL} {ENTITY}"}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A workspace with the sample deck, a hostile deck, and attempts at both in its history."""
    home = tmp_path_factory.mktemp("web-security") / "ws"
    (home / "questions").mkdir(parents=True)
    shutil.copy(SAMPLE, home / "questions" / SAMPLE.name)
    hostile = home / "questions" / "hostile.yaml"
    hostile.write_text(yaml.safe_dump(HOSTILE_DECK, allow_unicode=True), encoding="utf-8")
    practise_from_files(home, hostile, HEARD)
    return home


@pytest.fixture(scope="module")
def app(home):
    with run_app(home) as app:
        yield app


@pytest.fixture(scope="module")
def auth(app) -> dict[str, str]:
    return cookie_header(app)


def attempts(home: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(home / "recordings" / "history.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    finally:
        db.close()


def add_attempt_at(home: Path, audio_path: str) -> int:
    """A history row whose stored audio path is ``audio_path`` (a tampered or foreign database)."""
    db = sqlite3.connect(home / "recordings" / "history.sqlite")
    try:
        row = db.execute("SELECT session_id, deck, started_at FROM attempts LIMIT 1").fetchone()
        cur = db.execute("INSERT INTO attempts (session_id, deck, question_id, question, started_at,"
                         " audio_path, duration_s, transcript, score, coverage, status)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (row[0], row[1], "script", "q", row[2], audio_path, 2.0, "t", 50, 0.5, "done"))
        db.commit()
        return int(cur.lastrowid)
    finally:
        db.close()


# ---------------------------------------------------------------- the token


PROTECTED = ["/", "/history", "/settings", "/practice", "/events", "/api/session", "/api/devices", "/audio/1"]


@pytest.mark.parametrize("path", PROTECTED)
def test_no_token_is_403(app, auth, path):
    assert request(app, "GET", path, read=False).status == 403
    assert request(app, "GET", f"{path}{'&' if '?' in path else '?'}token=wrong", read=False).status == 403
    assert request(app, "GET", path, {"Cookie": "rehearse_token=wrong"}, read=False).status == 403
    # the same request with the cookie the tokened URL set is let through
    assert request(app, "GET", path, auth, read=False).status == 200


def test_static_files_need_the_token_too(app, auth):
    page = request(app, "GET", "/", auth).text
    scripts = [s for s in _attr_values(page, "src") if s.startswith("/") and s.endswith(".js")]
    assert scripts, "the page loads no script of its own"
    assert request(app, "GET", scripts[0], auth).status == 200
    assert request(app, "GET", scripts[0]).status == 403


def test_the_url_token_becomes_an_httponly_samesite_strict_cookie(app):
    first = request(app, "GET", f"/?{app.token_query}")
    assert first.status in (200, 302, 303, 307), first.status
    cookies = [c for c in first.header("set-cookie") if app.token in c]
    assert len(cookies) == 1, first.header("set-cookie")
    attrs = {a.strip().split("=", 1)[0].lower(): a.strip() for a in cookies[0].split(";")[1:]}
    assert "httponly" in attrs, cookies[0]
    assert attrs.get("samesite", "").lower() == "samesite=strict", cookies[0]
    if first.status in (302, 303, 307):  # the token leaves the address bar (and its history)
        assert app.token not in first.header("location")[0]
    again = request(app, "GET", "/", {"Cookie": cookies[0].split(";", 1)[0]})
    assert again.status == 200 and "deck-list" in again.text


# ---------------------------------------------------------------- Host and Origin


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example:{port}", "192.168.1.10:{port}"])
def test_a_foreign_host_is_400(app, auth, host):
    reply = request(app, "GET", "/", {**auth, "Host": host.format(port=app.port)})
    assert reply.status == 400, (host, reply.status)
    assert "deck-list" not in reply.text


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}"])
def test_the_bound_host_and_localhost_are_served(app, auth, host):
    assert request(app, "GET", "/", {**auth, "Host": host.format(port=app.port)}).status == 200


def test_the_event_stream_refuses_a_foreign_origin(app, auth):
    foreign = request(app, "GET", "/events", {**auth, "Origin": "http://evil.example"}, read=False)
    assert foreign.status == 403
    rebound = request(app, "GET", "/events", {**auth, "Origin": f"http://evil.example:{app.port}"},
                      read=False)
    assert rebound.status == 403
    own = request(app, "GET", "/events", {**auth, "Origin": app.origin}, read=False)
    assert own.status == 200 and own.header("content-type")[0].startswith("text/event-stream")


# ---------------------------------------------------------------- state changes


STATE_CHANGING = ["/api/session", "/api/session/stop", "/api/session/next", "/api/session/retry",
                  "/api/session/skip", "/api/session/end", "/api/import", "/api/live", "/settings", "/lang"]


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_a_post_without_the_token_is_403(app, auth, path):
    body = json.dumps({"deck": "x", "mode": "all"})
    headers = {**auth, "Content-Type": "application/json"}
    assert request(app, "POST", path, headers, body).status == 403  # the cookie alone is not enough
    wrong = {**headers, "X-Rehearse-Token": "wrong"}
    assert request(app, "POST", path, wrong, body).status == 403
    foreign = {**headers, "X-Rehearse-Token": app.token, "Origin": "http://evil.example"}
    assert request(app, "POST", path, foreign, body).status == 403


def test_settings_change_only_by_a_post_with_the_token(app, auth, home):
    settings = home / "recordings" / "app-settings.json"
    before = settings.read_bytes() if settings.exists() else None
    # a GET with the would-be values changes nothing
    request(app, "GET", "/settings?silence=7.5&silence_s=7.5", auth)
    request(app, "POST", "/settings", {**auth, "Content-Type": "application/x-www-form-urlencoded"},
            "silence=7.5&silence_s=7.5")
    assert (settings.read_bytes() if settings.exists() else None) == before
    # the same POST carrying the page's key does change them: the refusal above is the guard's
    saved = request(app, "POST", "/settings", {**auth, "Content-Type": "application/x-www-form-urlencoded"},
                    f"token={app.token}&silence_s=7.5&speak=on")
    assert saved.status in (200, 303), saved.status
    assert json.loads(settings.read_text(encoding="utf-8"))["silence_s"] == 7.5


@pytest.mark.parametrize("path", ["/api/session/stop", "/api/session/next", "/api/session/end",
                                  "/api/session/skip", "/api/import"])
def test_state_changing_routes_refuse_get(app, auth, path):
    reply = request(app, "GET", path, auth)
    assert reply.status in (404, 405), (path, reply.status)


def test_a_post_with_the_token_is_accepted(app, auth):
    # the guard above must not be "refuse every POST"
    headers = {**auth, "X-Rehearse-Token": app.token, "Content-Type": "application/json",
               "Origin": app.origin}
    assert request(app, "POST", "/api/session/end", headers, "{}").status == 200


# ---------------------------------------------------------------- audio by attempt id only


def test_an_attempt_plays_by_its_id(app, auth, home):
    row = attempts(home)[0]
    reply = request(app, "GET", f"/audio/{row['id']}", auth)
    assert reply.status == 200
    assert reply.body == Path(row["audio_path"]).read_bytes()
    # a path in the query is ignored: the id decides
    assert request(app, "GET", f"/audio/{row['id']}?path=/etc/passwd", auth).body == reply.body


TRAVERSAL = [
    "/audio/../../etc/passwd",
    "/audio/..%2f..%2fetc%2fpasswd",
    "/audio/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/audio/%2e%2e/%2e%2e/etc/passwd",
    "/audio/%252e%252e%252fetc%252fpasswd",
    "/audio//etc/passwd",
    "/audio/%2Fetc%2Fpasswd",
    "/audio/1/../../../../etc/passwd",
    "/audio/1%2f..%2f..%2f..%2fetc%2fpasswd",
    "/audio/C:%5CWindows%5Cwin.ini",
    "/audio/history.sqlite",
    "/audio/-1",
    "/audio/0",
    "/audio/1.5",
    "/audio/999999",
    "/audio/1e3",
    "/recordings/history.sqlite",
    "/static/../recordings/history.sqlite",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSAL)
def test_a_traversal_id_is_404(app, auth, path):
    reply = request(app, "GET", path, auth)
    assert reply.status == 404, (path, reply.status)
    assert b"root:" not in reply.body and b"SQLite format" not in reply.body


def test_a_stored_path_outside_recordings_is_404(app, auth, home, tmp_path):
    outside = tone_wav(home / "outside.wav")  # in the workspace, but not under recordings/
    elsewhere = tone_wav(tmp_path / "other-ws" / "recordings" / "x" / "a.wav")  # another workspace's
    link = home / "recordings" / "link.wav"
    link.symlink_to(outside)  # inside recordings/ by name only
    for stored in ["/etc/passwd", str(outside), str(home / "recordings" / ".." / "outside.wav"),
                   str(elsewhere), str(link), "../../../../etc/passwd"]:
        attempt = add_attempt_at(home, stored)
        reply = request(app, "GET", f"/audio/{attempt}", auth)
        assert reply.status == 404, (stored, reply.status)
        assert b"root:" not in reply.body and reply.body != outside.read_bytes()


def test_an_attempt_id_of_another_workspace_is_404(app, auth, home, tmp_path):
    other = tmp_path / "other"
    (other / "questions").mkdir(parents=True)
    shutil.copy(SAMPLE, other / "questions" / SAMPLE.name)
    practise_from_files(other, other / "questions" / SAMPLE.name, {})
    db = sqlite3.connect(other / "recordings" / "history.sqlite")
    db.execute("UPDATE attempts SET id = id + 5000")  # ids this workspace does not have
    db.commit()
    foreign = [i for (i,) in db.execute("SELECT id FROM attempts")]
    db.close()
    assert foreign and not {r["id"] for r in attempts(home)} & set(foreign)
    with run_app(other) as theirs:  # where they belong, they play
        assert request(theirs, "GET", f"/audio/{foreign[0]}", cookie_header(theirs)).status == 200
    for i in foreign:
        assert request(app, "GET", f"/audio/{i}", auth).status == 404


def test_answers_to_the_cli_tests_hostile_ids_play_by_attempt_id(app, auth, home):
    rows = [r for r in attempts(home) if r["question_id"] in HOSTILE_IDS or "\ufffd" in r["question_id"]]
    assert len(rows) == len(HOSTILE_IDS)
    recordings = (home / "recordings").resolve()
    for row in rows:
        assert Path(row["audio_path"]).resolve().is_relative_to(recordings)
        reply = request(app, "GET", f"/audio/{row['id']}", auth)
        assert reply.status == 200 and reply.body == Path(row["audio_path"]).read_bytes(), row["question_id"]
    history = request(app, "GET", "/history", auth)
    assert history.status == 200 and "Id ../../escape?" in history.text and "Id /etc/passwd?" in history.text


# ---------------------------------------------------------------- hostile text in a real browser


def _attr_values(html: str, attr: str) -> list[str]:
    import re

    return re.findall(rf'{attr}="([^"]*)"', html)


@pytest.mark.browser
def test_hostile_text_shows_as_text_on_every_screen(app, home, web_page):
    page = web_page.page
    page.goto(app.url)
    page.get_by_test_id("deck-list").wait_for()
    screens = [page.url]
    expect_text(page, [XSS_SCRIPT])
    open_deck(page, XSS_SCRIPT)
    page.get_by_test_id("question-list").wait_for()
    screens.append(page.url)
    expect_text(page, [XSS_SCRIPT, XSS_IMG, SEED_CHARS, ENTITY, XSS_SVG])
    page.goto(f"{app.origin}/history")
    page.get_by_test_id("history-row").first.wait_for()
    screens.append(page.url)
    expect_text(page, [XSS_SCRIPT])
    heard = {row["transcript"]: row["id"] for row in attempts(home) if row["transcript"] in HEARD.values()}
    assert len(heard) == len(HEARD)
    for transcript, attempt in heard.items():
        page.goto(f"{app.origin}/attempts/{attempt}")
        page.get_by_test_id("transcript-word").first.wait_for()
        said = " ".join(page.get_by_test_id("transcript-word").all_inner_texts())
        assert said.split() == transcript.split()
        screens.append(page.url)
    for url in screens:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # an onerror fires once the broken image has failed to load
        assert page.evaluate("window.__xss") is None, url
        assert page.locator("[onerror], [onload]").count() == 0, url
    assert web_page.dialogs == [], web_page.dialogs
    assert web_page.errors == [], web_page.errors


@pytest.mark.browser
def test_the_content_security_policy_blocks_inline_script(app, browser):
    # a second line behind escaping: markup that got through would still not run
    context = browser.new_context()  # the policy in force (the other browser tests set it aside)
    try:
        page = context.new_page()
        page.goto(app.url)
        page.get_by_test_id("deck-list").wait_for()
        ran = page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline = 1';
            document.body.append(s);
            const img = document.createElement('img');
            img.setAttribute('onerror', 'window.__handler = 1');
            img.src = 'data:,';
            document.body.append(img);
            return new Promise(done => setTimeout(() => done([window.__inline, window.__handler]), 300));
        }""")
        assert ran == [None, None]
    finally:
        context.close()


def expect_text(page, texts: list[str]) -> None:
    """Each text is on the page as typed, and visible (folded parts opened, as a reader would)."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    body = page.inner_text("body")
    for text in texts:
        assert _norm(text) in _norm(body), (text, body[:2000])
        assert page.get_by_text(_norm(text).strip()).first.is_visible(), text


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_hostile_text_is_escaped_in_the_html(app, auth, home):
    # the same, without a browser: the markup never reaches a page unescaped
    page = request(app, "GET", "/", auth).text
    assert XSS_SCRIPT not in page and "&lt;script&gt;" in page
    for row in attempts(home)[:2]:
        html = request(app, "GET", f"/attempts/{row['id']}", auth).text
        assert XSS_IMG not in html and XSS_SCRIPT not in html and "<img src=x" not in html
    assert all(h not in request(app, "GET", "/history", auth).text for h in HOSTILE if "<" in h)



@pytest.mark.browser
def test_hostile_text_shows_as_text_in_the_live_practice_screen(workspace_dir, web_page):
    # the practice screen is drawn by app.js from the live events, not by the templates
    (workspace_dir / "questions").mkdir()
    deck = workspace_dir / "questions" / "hostile.yaml"
    markup = {**HOSTILE_DECK, "questions": HOSTILE_DECK["questions"][:2]}  # the two that carry markup
    deck.write_text(yaml.safe_dump(markup, allow_unicode=True), encoding="utf-8")
    source = PushedAnswers()
    parts = Parts(source=source, speaker=FakeSpeaker(), transcriber=FakeTranscriber.factory(HEARD))
    page = web_page.page
    with serve_in_process(workspace_dir, parts) as app:
        page.goto(app.url)
        open_deck(page, XSS_SCRIPT)
        page.get_by_test_id("start").first.click()
        for i, question in enumerate(markup["questions"]):
            page.wait_for_function(
                "() => document.querySelector('[data-testid=record-state]')?.textContent.trim()"
                " === 'recording'", timeout=60_000)
            assert _norm(page.get_by_test_id("question-text").inner_text()) == _norm(question["question"])
            source.push(tone(1.5))
            page.get_by_test_id("stop").click()
            page.get_by_test_id("score").wait_for(timeout=60_000)
            card = " ".join([*page.get_by_test_id("key-point").all_inner_texts(),
                             page.get_by_test_id("diff").inner_text()])
            for line in question["answer"].splitlines():
                assert _norm(line.removeprefix("- ")) in _norm(card), line
            expect_text(page, [HEARD[question["id"]]])
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss") is None
            assert page.locator("[onerror], [onload]").count() == 0
            if i + 1 < len(markup["questions"]):
                page.locator("#next").click()
    assert web_page.dialogs == [], web_page.dialogs
    assert web_page.errors == [], web_page.errors
