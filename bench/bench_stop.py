"""How long Enter takes to end a recording (issue 14): from the stop request to the session's
``recorded`` event, on a real PortAudio input (a PulseAudio null sink's monitor).

A `PracticeSession` records from the `Microphone` while a tone plays into the sink; another
thread calls ``session.stop()`` (what the CLI's Enter and the web app's button do) at a random
moment between 1 and 3 s in. Measured: request → ``recorded`` event, and the recorder's own
``closed_at - stop_seen_at`` (the stream shut down and the WAV closed). With ``--drain`` the
recorder's old path (a draining ``stream.stop()``) is measured too, for comparison.

Nothing is transcribed (the answer's transcript is not what is measured): the session's
transcriber hears nothing.

    .venv/bin/python bench/bench_stop.py [--runs 20] [--drain] [--out bench/results/stop.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "stop.json"


class SilentTranscriber:
    """A session transcriber that hears nothing (a `rehearse.parts.Transcriber`)."""

    prompt = None

    def __init__(self, deck, options) -> None:
        self.deck = deck

    def check(self) -> None: ...
    def warm_up(self) -> None: ...
    def ready(self) -> None: ...

    def stream(self, samplerate):
        return None

    def transcribe(self, path, incremental):
        from rehearse.transcript import Transcript

        return Transcript.from_text("", self.deck.language)


def pct(values: list[float], q: float) -> float:
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {"p50_ms": round(1000 * pct(values, 50), 1), "p90_ms": round(1000 * pct(values, 90), 1),
            "max_ms": round(1000 * max(values), 1), "n": len(values)}


def run(runs: int, drain: bool) -> dict:
    import numpy as np
    import soundfile as sf

    from rehearse import record
    from rehearse.deck import load_deck
    from rehearse.parts import Parts, Silent
    from rehearse.paths import BUNDLED_QUESTIONS, workspace
    from rehearse.practice import PracticeOptions, PracticeSession, SessionEvents

    deck = load_deck(BUNDLED_QUESTIONS / "sample-en.yaml")
    home = Path(tempfile.mkdtemp(prefix="rehearse-bench-stop-"))
    tone = home / "tone.wav"
    t = np.arange(60 * 16_000) / 16_000
    sf.write(str(tone), (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16_000)
    player = subprocess.Popen(["paplay", str(tone)])
    rng = random.Random(0)
    out: dict = {"to_recorded": [], "recorder_close": []}
    real_running = record._running
    if drain:  # the recorder before issue 14: the stream is always drained
        record._running = lambda stream, failed, ended=None: real_running(stream, failed)

    class Events(SessionEvents):
        def __init__(self) -> None:
            self.started = threading.Event()
            self.recorded_at = 0.0

        def recording(self, question, options) -> None:
            self.started.set()

        def recorded(self, recording) -> None:
            self.recorded_at = time.monotonic()

    try:
        for _ in range(runs):
            events = Events()
            os.environ["REHEARSE_HOME"] = str(home / f"ws-{len(out['to_recorded'])}")
            ws = workspace()
            session = PracticeSession(deck, PracticeOptions(only=[deck.questions[0].id], follow_ups=False),
                                      Parts(speaker=Silent(), transcriber=SilentTranscriber), events, ws)
            with session:
                session.next()
                asked = [0.0]

                def press(session=session, events=events, asked=asked) -> None:
                    events.started.wait(30)
                    time.sleep(rng.uniform(1.0, 3.0))
                    asked[0] = time.monotonic()
                    session.stop()

                presser = threading.Thread(target=press)
                presser.start()
                attempt = session.answer()
                presser.join()
            rec = attempt.recording
            out["to_recorded"].append(events.recorded_at - asked[0])
            out["recorder_close"].append(rec.closed_at - rec.stop_seen_at)
    finally:
        record._running = real_running
        player.kill()
        player.wait()
        shutil.rmtree(home, ignore_errors=True)
    return {k: summary(v) | {"values_ms": [round(1000 * x, 1) for x in v]} for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--drain", action="store_true", help="also measure the old draining stop")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    subprocess.run([str(ROOT / "scripts" / "null-sink.sh")], capture_output=True, check=True)
    sink = f"rehearse_bench_stop_{os.getpid()}"
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={sink}"],
                            capture_output=True, text=True, check=True)
    os.environ["PULSE_SINK"], os.environ["PULSE_SOURCE"] = sink, f"{sink}.monitor"
    try:
        result = {"load_avg_before": os.getloadavg(), "runs": args.runs, "abort": run(args.runs, False)}
        if args.drain:
            result["drain"] = run(args.runs, True)
        result["load_avg_after"] = os.getloadavg()
    finally:
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], capture_output=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for mode in ("abort", "drain"):
        if mode in result:
            r = result[mode]
            print(f"{mode:<6} stop request -> recorded event: p50 {r['to_recorded']['p50_ms']} ms, "
                  f"p90 {r['to_recorded']['p90_ms']} ms, max {r['to_recorded']['max_ms']} ms; "
                  f"recorder's own close: p50 {r['recorder_close']['p50_ms']} ms")
    print(f"load average {result['load_avg_before']} -> {result['load_avg_after']}; wrote {args.out}")


if __name__ == "__main__":
    main()
