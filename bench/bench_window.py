"""The encoder's window for short audio (`TranscribeOptions.window_floor_s`): time and word error rate.

Whisper pads every window to 30 s and encodes all of it; a speculative pass or the tail of an
answer is often 3-10 s. Encoding only the audio and `WINDOW_MARGIN_S` after it (10 s at least)
is whisper.cpp's ``audio_ctx`` trade. This measures it on two sets of espeak-ng pieces of one to
three sentences (3-20 s, the length of a pass or a tail), each transcribed the way a pass is
(openai-whisper base, greedy, the filler prompt, word timings), once per window setting:

- ``bench``: the sentences of bench_feedback.py's twelve answers, in their voices and rates;
- ``held out``: the transcripts of every other case of tests/eval_cases_heldout2_en.yaml, text
  written by someone else, read by en-us and en-gb at 150-175 wpm.

Per set and setting: the pooled and mean word error rate against the text espeak-ng read, the
worst piece, and the time per call (p50 / p90). The machine must be idle for the times (2 cores).
Prints a table and writes bench/results/window.json.

    .venv/bin/python bench/bench_window.py [--floors none 10 15] [--limit 90] [--engine faster-whisper]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import natural_pauses, speak  # noqa: E402
from bench_feedback import plan_answers  # noqa: E402
from bench_latency import normalise, pct, wer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "window.json"
HELD_OUT = ROOT / "tests" / "eval_cases_heldout2_en.yaml"
MAX_S = 20.0  # longer pieces are left out: a pass or a tail is shorter


def bench_pieces() -> list[tuple[str, int, list[str], list[float]]]:
    """bench_feedback.py's answers cut into runs of one to three sentences."""
    out = []
    for k, a in enumerate(plan_answers(12)):
        s, i = a["sentences"], 0
        while i < len(s):
            n = 1 + (k + i) % 3
            out.append((a["voice"], a["wpm"], s[i:i + n], a["pauses_s"][i:i + n]))
            i += n
    return out


def held_out_pieces() -> list[tuple[str, int, list[str], list[float]]]:
    """Every other held-out English eval transcript, cut the same way, in three voices and rates."""
    import yaml

    cases = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))["cases"]
    out = []
    for k, case in enumerate(cases[::2]):
        sentences = [x for x in re.split(r"(?<=[.?!])\s+", case["transcript"].strip()) if x]
        voice, wpm = (("en-us", 150), ("en-gb", 165), ("en-us", 175))[k % 3]
        i = 0
        while i < len(sentences):
            n = 1 + (k + i) % 3
            out.append((voice, wpm, sentences[i:i + n], natural_pauses(n, seed=k * 7 + i)))
            i += n
    return out


def run(pieces, floors: list[float | None], engine: str = "openai-whisper") -> dict:
    import jiwer

    from rehearse.prompts import whisper_prompt
    from rehearse.transcribe import TranscribeOptions, load_model, transcribe

    prompt = whisper_prompt([], "en")
    load_model(TranscribeOptions(engine=engine))
    rows = []
    for voice, wpm, sentences, pauses in pieces:
        spoken = speak(sentences, voice, wpm, pauses, lead_s=0.3, tail_s=0.3)
        if spoken.duration_s > MAX_S:
            continue
        row = {"duration_s": round(spoken.duration_s, 2), "text": spoken.text, "runs": {}}
        for floor in floors:
            began = time.perf_counter()
            t = transcribe(spoken.audio, "en", TranscribeOptions(fallback=False, initial_prompt=prompt,
                                                                  window_floor_s=floor, engine=engine))
            row["runs"][str(floor)] = {"seconds": round(time.perf_counter() - began, 3), "text": t.text,
                                       "wer": round(wer(spoken.text, t.text), 2)}
        rows.append(row)
        print(f"  {spoken.duration_s:5.1f} s  " + "  ".join(
            f"{k}: {v['wer']:5.1f}% {v['seconds']:.2f} s" for k, v in row["runs"].items()), flush=True)
    summary = {}
    for floor in floors:
        runs = [r["runs"][str(floor)] for r in rows]
        pooled = jiwer.wer([normalise(r["text"]) for r in rows], [normalise(x["text"]) or "-" for x in runs])
        summary[str(floor)] = {
            "pieces": len(runs),
            "wer_pooled": round(100 * pooled, 2),
            "wer_mean": round(sum(x["wer"] for x in runs) / len(runs), 2),
            "wer_worst": max(x["wer"] for x in runs),
            "seconds_p50": round(pct([x["seconds"] for x in runs], 50), 3),
            "seconds_p90": round(pct([x["seconds"] for x in runs], 90), 3),
        }
    return {"rows": rows, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floors", nargs="+", default=["none", "10"],
                        help="window floors in seconds to compare; 'none' is Whisper's 30 s window")
    parser.add_argument("--limit", type=int, default=90, help="at most this many pieces per set")
    parser.add_argument("--engine", default="openai-whisper", choices=["openai-whisper", "faster-whisper"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    floors = [None if f == "none" else float(f) for f in args.floors]
    result: dict = {"load_avg_before": os.getloadavg(), "cores": os.cpu_count(), "engine": args.engine,
                    "sets": {}}
    for name, pieces in (("bench", bench_pieces()), ("held out", held_out_pieces())):
        print(f"{name}:")
        result["sets"][name] = run(pieces[:args.limit], floors, args.engine)
    result["load_avg_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"load average {result['load_avg_before']} -> {result['load_avg_after']}")
    print(f"{'set':<9} {'window floor':>12} {'pieces':>6} {'WER pooled':>10} {'mean':>6} {'worst':>6} "
          f"{'p50 s':>6} {'p90 s':>6}")
    for name, data in result["sets"].items():
        for floor, s in data["summary"].items():
            label = "30 s (none)" if floor == "None" else f"{floor} s"
            print(f"{name:<9} {label:>12} {s['pieces']:>6} {s['wer_pooled']:>10.2f} {s['wer_mean']:>6.2f} "
                  f"{s['wer_worst']:>6.1f} {s['seconds_p50']:>6.3f} {s['seconds_p90']:>6.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
