"""The web app's speed targets (issue 13): URL printed < 2 s, first paint < 300 ms, feedback card
< 150 ms after the core's result, level meter >= 10 updates/s.

1. ``rehearse app --no-browser`` is started as a command, ``--runs`` times: seconds from the
   process's start to its first ``http://`` line.
2. Each screen (decks, a deck, history, settings) is opened ``--runs`` times in the system Chromium
   against that process: its first paint and first contentful paint (the browser's own Paint
   Timing entries, from navigation start).
3. A practice answer is taken ``--runs`` times in an app running in this process (pushed samples,
   a transcriber that hears a fixed text, so no Whisper time is in the number): milliseconds from
   the moment the core hands its result to the page's events (``WebEvents.feedback``) to the
   frame in which the feedback card's score is in the page, split into building the event and
   showing it. The first of these answers comes in 0.1 s blocks on a 0.1 s clock, as a
   microphone's do: how many times a second the recorder's display (level meter, time) updates.

Prints a table and writes bench/results/web.json.

    .venv/bin/python bench/bench_web.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "web.json"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SAMPLE = ROOT / "questions" / "sample-en.yaml"

PAINT_JS = "() => Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]))"

# the frame in which the score appears: a MutationObserver notes it, requestAnimationFrame the paint
WATCH_JS = """() => {
  window.__cardAt = null;
  // installed while recording, when the last answer's card is hidden: the next card shown is the new one
  const seen = () => {
    const score = document.querySelector('[data-testid=score]');
    return score && score.textContent.trim() && score.getClientRects().length > 0;
  };
  const obs = new MutationObserver(() => {
    if (window.__cardAt === null && seen()) {
      window.__cardAt = -1;
      requestAnimationFrame(() => { window.__cardAt = Date.now(); });
      obs.disconnect();
    }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


# every update of the recorder's display (the elapsed time shown beside the level meter), timed
METER_JS = """() => {
  window.__meterAt = [];
  new MutationObserver(() => { window.__meterAt.push(performance.now()); })
    .observe(document.getElementById('elapsed'), {childList: true, characterData: true, subtree: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(home: Path) -> tuple[subprocess.Popen, str, float]:
    """``rehearse app --no-browser``: the process, its URL and the seconds it took to print it."""
    env = {**os.environ, "REHEARSE_HOME": str(home), "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    t0 = time.perf_counter()
    command = [sys.executable, "-m", "rehearse", "app", "--no-browser", "--port", str(free_port())]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    for line in proc.stdout:
        if line.startswith("http://"):
            return proc, line.strip(), time.perf_counter() - t0
    raise SystemExit(f"`rehearse app` exited ({proc.wait()}) without printing its URL")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(2)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def url_and_paint(browser, home: Path, runs: int) -> tuple[list[float], dict[str, list[dict]]]:
    starts: list[float] = []
    paints: dict[str, list[dict]] = {}
    screens: dict[str, str] | None = None
    for _ in range(runs):
        proc, url, took = start_app(home)
        starts.append(took)
        try:
            origin = url.split("/?", 1)[0]
            context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
            first = context.new_page()
            first.goto(url)  # the token becomes the cookie
            if screens is None:
                deck = first.locator("[data-testid=deck-item] a").first.get_attribute("href")
                screens = {"decks": "/", "deck": deck, "history": "/history", "settings": "/settings"}
            for name, path in screens.items():
                page = context.new_page()
                page.goto(origin + path, wait_until="load")
                page.wait_for_function("() => performance.getEntriesByType('paint').length > 0")
                paints.setdefault(name, []).append(page.evaluate(PAINT_JS))
                page.close()
            context.close()
        finally:
            stop(proc)
    return starts, paints


def feedback_latency(browser, runs: int) -> tuple[list[tuple[float, float, float]], list[float]]:
    """(result → card painted, result → event published, published → painted) in ms, per answer;
    and the level meter's updates per second while an answer comes at speaking pace."""
    import uvicorn

    from rehearse.deck import load_deck
    from rehearse.parts import Parts, PushedAnswers, Silent
    from rehearse.paths import workspace
    from rehearse.transcript import Transcript
    from rehearse.web import live
    from rehearse.web.app import create_app

    deck = load_deck(SAMPLE)
    heard = " ".join(deck.questions[0].key_points[:-1])

    class Hears:
        prompt = None

        def __init__(self, deck, options) -> None:
            self.deck = deck

        def check(self) -> None: ...
        def warm_up(self) -> None: ...
        def ready(self) -> None: ...

        def stream(self, samplerate):
            return None

        def transcribe(self, path, incremental):
            return Transcript.from_text(heard, "en", duration_s=2.0)

    handed: list[float] = []  # ms since the epoch: the core hands its result over
    published: list[float] = []  # the feedback event is on its way to the page
    original, publish = live.WebEvents.feedback, live.Broadcaster.publish

    def timed(self, result) -> None:
        handed.append(time.time() * 1000)
        original(self, result)

    def timed_publish(self, event, data) -> None:
        if event == "feedback":
            published.append(time.time() * 1000)
        publish(self, event, data)

    live.WebEvents.feedback = timed
    live.Broadcaster.publish = timed_publish
    source = PushedAnswers()
    port = free_port()
    app = create_app(workspace(), parts=Parts(source=source, speaker=Silent(), transcriber=Hears), token="b",
                     port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    import numpy as np

    t = np.arange(32_000) / 16_000
    voice = (0.14 * np.sin(2 * np.pi * 220 * t) * ((t % 0.3) < 0.2)).astype(np.float32)
    latencies = []
    meter_rates: list[float] = []
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page.goto(f"http://127.0.0.1:{port}/?token=b")
        page.locator("[data-testid=deck-item] a").filter(has_text=deck.title).first.click()
        page.locator("[data-testid=start]").first.click()
        for i in range(runs):
            page.wait_for_function(
                "() => document.querySelector('[data-testid=record-state]')?.textContent.trim()"
                " === 'recording'",
                timeout=60_000)
            page.evaluate(WATCH_JS)
            if i == 0:  # the first answer comes at speaking pace: how often does the meter move?
                page.evaluate(METER_JS)
                t0 = time.monotonic()
                for n, k in enumerate(range(0, len(voice), 1600)):  # 0.1 s blocks, on a 0.1 s clock
                    time.sleep(max(0.0, t0 + 0.1 * n - time.monotonic()))
                    source.push(voice[k:k + 1600])
                moves = page.evaluate("window.__meterAt")
                span_s = (moves[-1] - moves[0]) / 1000 if len(moves) > 2 else 0.0
                meter_rates.append((len(moves) - 1) / span_s if span_s else 0.0)
            else:
                source.push(voice)
            source.end()
            page.wait_for_function("() => window.__cardAt > 0", timeout=60_000)
            painted = page.evaluate("window.__cardAt")
            latencies.append((painted - handed[-1], published[-1] - handed[-1], painted - published[-1]))
            if i + 1 < runs:
                page.locator("#retry").click()
    finally:
        server.should_exit = True
        thread.join(15)
        live.WebEvents.feedback, live.Broadcaster.publish = original, publish
    return latencies, meter_rates


def summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "max": round(max(values), 3),
            "runs": [round(v, 3) for v in values]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("chromium is not installed")
    home = Path(tempfile.mkdtemp(prefix="rehearse-bench-web-"))
    (home / "questions").mkdir()
    shutil.copy(SAMPLE, home / "questions" / SAMPLE.name)
    os.environ["REHEARSE_HOME"] = str(home)
    sys.path.insert(0, str(ROOT))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=ARGS)
            starts, paints = url_and_paint(browser, home, args.runs)
            cards, meter = feedback_latency(browser, args.runs)
            browser.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)

    result = {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "url_printed_s": {**summary(starts), "target": 2.0},
        "first_paint_ms": {name: {**summary([e.get("first-paint", float("nan")) for e in runs]),
                                  "target": 300} for name, runs in paints.items()},
        "first_contentful_paint_ms": {name: summary([e.get("first-contentful-paint", float("nan"))
                                                     for e in runs]) for name, runs in paints.items()},
        "feedback_card_ms": {**summary([c[0] for c in cards]), "target": 150},
        "feedback_event_published_ms": summary([c[1] for c in cards]),
        "feedback_event_to_paint_ms": summary([c[2] for c in cards]),
        "meter_updates_per_s": {**summary(meter), "target": 10},
    }
    print(f"{'measure':34} {'median':>9} {'max':>9} {'target':>8}")
    r = result["url_printed_s"]
    print(f"{'URL printed (s)':34} {r['median']:9.2f} {r['max']:9.2f} {2.0:8.2f}")
    for name, r in result["first_paint_ms"].items():
        print(f"{'first paint, ' + name + ' (ms)':34} {r['median']:9.0f} {r['max']:9.0f} {300:8.0f}")
    r = result["feedback_card_ms"]
    print(f"{'feedback card after result (ms)':34} {r['median']:9.0f} {r['max']:9.0f} {150:8.0f}")
    for key, label in (("feedback_event_published_ms", "  of it: building the event"),
                       ("feedback_event_to_paint_ms", "  of it: event to painted card")):
        print(f"{label + ' (ms)':34} {result[key]['median']:9.0f} {result[key]['max']:9.0f}")
    r = result["meter_updates_per_s"]
    print(f"{'level meter updates per second':34} {r['median']:9.1f} {r['max']:9.1f} {10:8.0f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
