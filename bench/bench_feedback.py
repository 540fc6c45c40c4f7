"""Feedback after Enter (issue 14): speculative passes at pauses, on the real pipeline.

Twelve espeak-ng answers of 15-120 s in two voices (en-us, en-gb) at 140-175 wpm, with sentence
pauses drawn from 0.3-0.9 s: four from bench_latency.py's sentences and eight written for this
benchmark, each of those ending on a long sentence (the case where the last stretch is long).
The last three answers are held out: nothing in rehearse was tuned on them, and they are
reported apart. Each answer is played at speaking pace through the recorder's own path
(``answer_from_file(realtime=True)``) into `IncrementalTranscriber`, then finished and scored as
`rehearse practice` does (the deck's filler prompt, `transcribe_answer`, `evaluate`), with Enter
(the end of the audio) right at the last word or 0.7 s after it.

Measured, per engine:
- **feedback after Enter**: the last block → the score, p50 / p90 over the answers (the recorder's
  own stop, ~10 ms, is bench_stop.py's);
- **Whisper calls after Enter**, from the worker's own timestamps (0 when the last speculative
  pass had decoded the end);
- **WER** of the joined transcript against the whole file transcribed in one call, per answer;
- **live key points**: three of each answer's sentences are its key points; the delay from a
  point's last word to the first live score that has it covered;
- **CPU while speaking**: the process's CPU seconds per second of answer (Whisper's threads,
  the worker, the feeding), and with ``--drop-check`` a 120 s answer through the null sink into
  the real recorder: every sample played must be in the WAV.

The machine must be idle for the numbers to mean anything (2 cores): the load average is
recorded before and after. Prints a table and writes bench/results/feedback.json.

    .venv/bin/python bench/bench_feedback.py                      # the full run (~60-90 min)
    .venv/bin/python bench/bench_feedback.py --answers 2 --engines openai-whisper --delays 0.7
    .venv/bin/python bench/bench_feedback.py --engines openai-whisper --stream speculate_long_s=3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import RATE, Spoken, natural_pauses, speak  # noqa: E402
from bench_latency import SENTENCES as OLD_SENTENCES  # noqa: E402
from bench_latency import pct, wer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "feedback.json"

# written for this benchmark; the answers built from them end on one of LONG
NEW = [
    "My first real project was a booking system for a chain of dental clinics.",
    "The clinics kept losing appointments because each one had its own calendar.",
    "I spent the first two weeks sitting at the front desks, watching how people worked.",
    "That taught me more than any document could have.",
    "We built one shared calendar, and missed appointments fell by a third.",
    "A few months later I was asked to lead the move to the cloud.",
    "Nobody on the team had done it before, including me.",
    "So we started with the smallest service and wrote down every surprise.",
    "By the end we had a checklist of forty steps that the other teams reused.",
    "I like problems where the people matter as much as the code.",
    "When a release goes wrong, I first make sure that customers are safe.",
    "Then I look for the cause, and only then for someone to talk to.",
    "I have learned to say no to work that does not move our main goal.",
    "That was hard at first, because I like to help.",
    "Now I explain what we would have to drop, and the answer usually becomes clear.",
    "At my last job I mentored two junior developers.",
    "One of them now leads the mobile team.",
    "I gave them real problems early, with a safety net, instead of small practice tasks.",
    "Our biggest mistake was a database migration that we tested only on a small copy.",
    "On the real data it took nine hours instead of twenty minutes.",
    "Since then we test every migration on a full copy of production.",
    "I read every pull request on my team, but I do not block on style.",
    "The formatter decides style, and people decide design.",
    "In my free time I repair old bicycles and give them to students.",
    "It reminds me that simple machines last longest when they are easy to fix.",
    "Your team builds tools that other engineers use every day.",
    "That is the kind of work I enjoy most, because the feedback is honest and fast.",
    "I would want to understand your users before changing anything.",
]
LONG = [
    "In the end what I would bring to this team is a habit of measuring before deciding, a lot of "
    "patience with systems that nobody wants to touch any more, and the experience of having moved "
    "several of them to something simpler without stopping the business for a single day.",
    "So if I had to sum it up, I would say that I am at my best when there is a messy problem that "
    "matters to real customers, a small team that is willing to try things, and enough time to "
    "measure whether what we changed actually made their lives better.",
    "Looking back, the thing I am proudest of is not any single system but the fact that the teams "
    "I worked with kept the same careful habits after I left, and that the checklists and notes we "
    "wrote together are still being used and improved by people I have never met.",
    "What I learned from that failure is that a test on a small copy tells you very little about "
    "the real thing, that the people who will be woken up at night should have a say in the plan, "
    "and that writing down what surprised us is worth more than any post-mortem meeting.",
]
# (target s, voice, wpm, new text?) ; the last three are held out
PLAN = [
    (15, "en-us", 150, True), (25, "en-gb", 160, False), (40, "en-us", 140, True),
    (60, "en-gb", 150, True), (75, "en-us", 165, False), (90, "en-gb", 145, True),
    (110, "en-us", 155, False), (120, "en-gb", 150, True), (30, "en-us", 175, True),
    (50, "en-gb", 140, True), (85, "en-us", 160, False), (100, "en-gb", 170, True),
]
HELD_OUT = 3
WPS = 2.5  # words per second at ~150 wpm


def plan_answers(n: int) -> list[dict]:
    """The texts of the first ``n`` answers of `PLAN` (sentences, voice, rate, pauses)."""
    out = []
    for k, (target, voice, wpm, new) in enumerate(PLAN[:n]):
        pool = NEW[(5 * k) % len(NEW):] + NEW if new else OLD_SENTENCES[(7 * k) % len(OLD_SENTENCES):] + \
            OLD_SENTENCES
        ending = [LONG[k % len(LONG)]] if new else []
        budget = target * wpm / 60 - sum(len(s.split()) for s in ending)
        chosen, words = [], 0
        for s in pool:
            if words >= budget - 4 and chosen:
                break
            chosen.append(s)
            words += len(s.split())
        sentences = chosen + ending
        out.append({"target_s": target, "voice": voice, "wpm": wpm, "new": new,
                    "held_out": k >= len(PLAN) - HELD_OUT, "sentences": sentences,
                    "pauses_s": natural_pauses(len(sentences) - 1, seed=100 + k)})
    return out


def deck_for(answers: list[dict], folder: Path):
    """A deck with one question per answer; its key points are three of the answer's sentences."""
    import yaml

    from rehearse.deck import load_deck

    questions = []
    for k, a in enumerate(answers):
        s = a["sentences"]
        points = sorted({0, len(s) // 2, len(s) - 1})
        a["key_points"] = points
        questions.append({"id": f"a{k}", "question": "Tell me about your work.",
                          "answer": "\n".join(f"- {s[i]}" for i in points)})
    path = folder / "deck.yaml"
    path.write_text(yaml.safe_dump({"title": "Feedback bench", "language": "en", "time_limit": 180,
                                    "questions": questions}, sort_keys=False))
    return load_deck(path)


def run_one(opts, deck, question, spoken: Spoken, points: list[int], enter_after_s: float,
            work: Path, stream: dict | None = None) -> dict:
    """One answer played at speaking pace, Enter ``enter_after_s`` after its last word; ``stream``:
    `StreamOptions` fields other than their defaults."""
    import numpy as np

    from rehearse.audio import write_wav
    from rehearse.evaluate import evaluate, transcribe_heard
    from rehearse.practice import _LiveScores
    from rehearse.record import answer_from_file
    from rehearse.stream import IncrementalTranscriber, StreamOptions, transcribe_answer

    tail = int(round(enter_after_s * RATE))
    audio = spoken.audio[:int(spoken.last_word_s * RATE) + 320]
    src = work / "src.wav"
    write_wav(src, np.concatenate([audio, np.zeros(tail, np.float32)]))
    inc = IncrementalTranscriber("en", opts, StreamOptions(**(stream or {})))
    ticked: dict[int, float] = {}
    clock = {"start": 0.0, "last": 0.0}

    def show(score, elapsed_s: float) -> None:
        now = time.monotonic()
        for i, p in enumerate(score.key_points):
            if p.status == "covered" and i not in ticked:
                ticked[i] = now

    # scored as a practice session with `live` scores it: in order, on a thread of its own
    live = _LiveScores(lambda t: evaluate(deck, question, t, opts.initial_prompt), show)
    inc.on_partial = lambda t: live.offer(t, inc.fed_s)

    def on_block(block) -> None:
        if not clock["start"]:
            clock["start"] = time.monotonic()
        inc.feed(block)
        clock["last"] = time.monotonic()

    cpu0 = time.process_time()
    answer_from_file(src, work / "answer.wav", realtime=True, on_block=on_block)
    cpu_cores = (time.process_time() - cpu0) / max(1e-6, clock["last"] - clock["start"])
    enter = clock["last"]
    live.close()
    t = transcribe_answer(work / "answer.wav", "en", opts, inc, transcribe_fn=transcribe_heard)
    inc.on_partial = None
    evaluate(deck, question, t, opts.initial_prompt)
    latency = time.monotonic() - enter
    calls_after = sum(1 for c in [*inc.passes, *inc.chunks]
                      if c.voiced and not c.reused and c.started_at >= enter)
    ends = spoken.sentence_ends_s
    tick_delays = [round(ticked[j] - clock["start"] - ends[i], 2) if j in ticked else None
                   for j, i in enumerate(points)]
    return {"latency_s": round(latency, 3), "whisper_calls_after_enter": calls_after,
            "fallback": inc.fallback_reason, "text": t.text, "cpu_cores_while_speaking": round(cpu_cores, 2),
            "passes": len(inc.passes), "tick_delays_s": tick_delays,
            "stretches": [{"by": c.by, "reused": c.reused, "start_s": round(c.start / RATE, 2),
                           "end_s": round(c.end / RATE, 2), "heard_from_s": round(c.heard_from / RATE, 2),
                           "started_after_enter_s": round(c.started_at - enter, 2), "text": c.text}
                          for c in sorted([*inc.passes, *inc.chunks], key=lambda c: c.started_at)]}


def drop_check(opts, seconds: float, work: Path) -> dict:
    """A long answer through the null sink into the real recorder, transcribed as it plays, ended
    by 3 s of silence: the WAV must hold every sample played (none dropped while Whisper runs);
    compared by the count of loud samples (over 0.05), which a dropped 0.1 s block would lower."""
    import subprocess

    import numpy as np

    from rehearse.audio import duration_s, write_wav
    from rehearse.record import RecordOptions, record_answer
    from rehearse.stream import IncrementalTranscriber

    sentences = (NEW * 3)[: int(seconds * WPS / 12)]
    spoken = speak(sentences, "en-us", 150, natural_pauses(len(sentences) - 1, seed=7), lead_s=0.3)
    src = work / "long.wav"
    write_wav(src, spoken.audio)
    subprocess.run([str(ROOT / "scripts" / "null-sink.sh")], capture_output=True, check=True)
    sink = f"rehearse_bench_drop_{os.getpid()}"
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={sink}"],
                            capture_output=True, text=True, check=True)
    os.environ["PULSE_SINK"], os.environ["PULSE_SOURCE"] = sink, f"{sink}.monitor"
    inc = IncrementalTranscriber("en", opts)
    player: list = []
    try:
        import sounddevice as sd

        sd._terminate()
        sd._initialize()
        cpu0, wall0 = time.process_time(), time.monotonic()
        rec = record_answer(work / "long-rec.wav",
                            RecordOptions(silence_s=3.0, time_limit_s=spoken.duration_s + 15),
                            on_block=inc.feed,
                            on_started=lambda: player.append(subprocess.Popen(["paplay", str(src)])))
        cores = (time.process_time() - cpu0) / (time.monotonic() - wall0)
    finally:
        for p in player:
            p.wait()
        inc.close()
        inc._worker.join(120)  # not left inside Whisper when the process exits
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], capture_output=True)
    got, _ = __import__("soundfile").read(str(rec.path), dtype="float32")
    # where each 5 s of the played answer sits in the recording (normalised correlation of the
    # 10 ms level envelopes): a block dropped while Whisper ran would move every later window
    # 0.1 s earlier. The first window is left out: a null sink's monitor misses what plays before
    # the recording stream is connected.
    from answers import levels_10ms

    def envelope(x: np.ndarray) -> np.ndarray:
        return np.maximum(levels_10ms(x), -70.0)

    rec_env = envelope(got)
    n, offsets = 5 * RATE, []
    for start in range(n, spoken.audio.size - n, n):
        win = envelope(spoken.audio[start:start + n])
        win = (win - win.mean()) / (win.std() + 1e-9)
        view = np.lib.stride_tricks.sliding_window_view(rec_env, win.size)
        view = (view - view.mean(1, keepdims=True)) / (view.std(1, keepdims=True) + 1e-9)
        offsets.append(int(np.argmax(view @ win)) - start // 160)
    return {"played_s": round(spoken.duration_s, 2), "recorded_s": round(duration_s(rec.path), 2),
            "ended_by": rec.ended_by, "window_offsets_ms": [10 * o for o in offsets],
            "dropped_ms": 10 * (max(offsets) - min(offsets)) if offsets else None,
            "cpu_cores": round(cores, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=len(PLAN))
    parser.add_argument("--only", default=None, metavar="K,…", help="run only these answers (0-based)")
    parser.add_argument("--engines", default="openai-whisper,faster-whisper")
    parser.add_argument("--delays", default="0,0.7", help="s from the last word to Enter")
    parser.add_argument("--drop-check", type=float, default=0, metavar="SECONDS",
                        help="also play an answer this long through the null sink into the recorder")
    parser.add_argument("--quiet-pass", type=float, default=0.0, metavar="SECONDS",
                        help="StreamOptions.speculate_quiet_s: passes in a long unpaused stretch (0: off)")
    parser.add_argument("--stream", action="append", default=[], metavar="FIELD=SECONDS",
                        help="another StreamOptions value, e.g. speculate_long_s=3 (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    stream = {"speculate_quiet_s": args.quiet_pass} | {
        k: float(v) for k, v in (item.split("=", 1) for item in args.stream)}
    from rehearse.evaluate import deck_transcribe_options, transcribe_heard
    from rehearse.transcribe import TranscribeOptions, load_model

    work = Path(tempfile.mkdtemp(prefix="rehearse-bench-feedback-"))
    plans = plan_answers(args.answers)
    deck = deck_for(plans, work)
    spoken = [speak(a["sentences"], a["voice"], a["wpm"], a["pauses_s"]) for a in plans]
    delays = [float(d) for d in args.delays.split(",")]
    result: dict = {"load_avg_before": os.getloadavg(), "cores": os.cpu_count(), "delays_s": delays,
                    "quiet_pass_s": args.quiet_pass, "stream": stream,
                    "answers": [{k: a[k] for k in ("target_s", "voice", "wpm", "new", "held_out", "pauses_s")}
                                | {"duration_s": round(s.duration_s, 1), "text": s.text}
                                for a, s in zip(plans, spoken, strict=True)], "engines": {}}
    for engine in args.engines.split(","):
        opts = deck_transcribe_options(deck, TranscribeOptions(engine=engine))
        load_model(opts)
        rows = []
        for k, (a, s) in enumerate(zip(plans, spoken, strict=True)):
            if args.only and str(k) not in args.only.split(","):
                continue
            q = deck.questions[k]
            whole = transcribe_heard(s.audio, "en", opts)
            row = {"answer": k, "duration_s": round(s.duration_s, 1), "held_out": a["held_out"],
                   "wer_whole": round(wer(s.text, whole.text), 2), "runs": {}}
            for d in delays:
                r = run_one(opts, deck, q, s, a["key_points"], d, work, stream)
                r["wer"] = round(wer(s.text, r["text"]), 2)
                row["runs"][str(d)] = r
                print(f"{engine} answer {k} ({s.duration_s:.0f} s) Enter +{d} s: {r['latency_s']:.2f} s, "
                      f"calls after Enter {r['whisper_calls_after_enter']}, WER {r['wer']} vs whole "
                      f"{row['wer_whole']}, CPU {r['cpu_cores_while_speaking']}", file=sys.stderr)
            rows.append(row)
        summary = {}
        for d in delays:
            lat = [r["runs"][str(d)]["latency_s"] for r in rows]
            ticks = [t for r in rows for t in r["runs"][str(d)]["tick_delays_s"] if t is not None]
            missed = sum(t is None for r in rows for t in r["runs"][str(d)]["tick_delays_s"])
            diffs = [r["runs"][str(d)]["wer"] - r["wer_whole"] for r in rows]
            cpu = [r["runs"][str(d)]["cpu_cores_while_speaking"] for r in rows]
            summary[str(d)] = {
                "feedback_p50_s": round(pct(lat, 50), 2), "feedback_p90_s": round(pct(lat, 90), 2),
                "held_out_feedback_p50_s": round(pct([r["runs"][str(d)]["latency_s"] for r in rows
                                                      if r["held_out"]], 50), 2) if any(
                    r["held_out"] for r in rows) else None,
                "answers_without_whisper_call_after_enter": sum(
                    r["runs"][str(d)]["whisper_calls_after_enter"] == 0 for r in rows),
                "wer_mean": round(sum(r["runs"][str(d)]["wer"] for r in rows) / len(rows), 2),
                "wer_whole_mean": round(sum(r["wer_whole"] for r in rows) / len(rows), 2),
                "wer_worst_excess": round(max(diffs), 2),
                "tick_p50_s": round(pct(ticks, 50), 2) if ticks else None, "points_never_ticked": missed,
                "cpu_cores_mean": round(sum(cpu) / len(cpu), 2),
            }
        result["engines"][engine] = {"rows": rows, "summary": summary}
    if args.drop_check:
        opts = deck_transcribe_options(deck, TranscribeOptions(engine=args.engines.split(",")[0]))
        result["drop_check"] = drop_check(opts, args.drop_check, work)
    result["load_avg_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average {result['load_avg_before']} -> {result['load_avg_after']}; {len(plans)} answers")
    print("engine          Enter after  feedback p50/p90 s  no call after Enter  WER joined/whole (worst +)  "
          "tick p50 s  CPU cores")
    for engine, e in result["engines"].items():
        for d, s in e["summary"].items():
            print(f"{engine:<15} {d:>5} s      {s['feedback_p50_s']:5.2f} / {s['feedback_p90_s']:5.2f}"
                  f"       {s['answers_without_whisper_call_after_enter']:>2}/{len(e['rows']):<2}"
                  f"               {s['wer_mean']:5.2f} / {s['wer_whole_mean']:5.2f} "
                  f"({s['wer_worst_excess']:+.1f})"
                  f"        {s['tick_p50_s']}      {s['cpu_cores_mean']}")
    if "drop_check" in result:
        print(f"drop check: {result['drop_check']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
