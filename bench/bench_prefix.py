"""A stretch's context as a timed prefix (`TranscribeOptions.prefix`): time per call and word error rate.

A stretch shorter than `StreamOptions.context_s` (a speculative pass, the tail of an answer) is
heard with the speech before it, and Whisper decoded that speech again, token by token (~30 ms a
token on 2 cores), only for its words to be dropped (`rehearse.seams.words_after`). The stream
knows those words already: given to the decoder as a timed segment before the new one
(openai-whisper's prefix), they cost one forward pass instead.

Pieces: each sentence of an answer, heard with the sentences before it that make up at least 8 s
(the stream's ``context_s``), cut in the middle of the pause before it; the sentence alone is
at most 8 s. Each piece is transcribed twice, as a pass is (openai-whisper base, greedy, the
filler prompt, word timings): the whole window decoded and the context's words dropped, and with
those same words (what the first decode gave for them) as the timed prefix. Two sets:

- ``bench``: bench_feedback.py's twelve answers, in their voices and rates;
- ``held out``: every third transcript of tests/eval_cases_heldout2_en.yaml (text written by
  someone else), read by en-us and en-gb at 150-175 wpm, with pauses of 0.3-0.9 s.

Per set and way: the pooled word error rate of the new sentence against the text espeak-ng read,
the pieces that differ, and the time per call (p50 / p90). The machine must be idle (2 cores).
Prints a table and writes bench/results/prefix.json.

    .venv/bin/python bench/bench_prefix.py [--limit 200]
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
RESULTS = ROOT / "bench" / "results" / "prefix.json"
HELD_OUT = ROOT / "tests" / "eval_cases_heldout2_en.yaml"
CONTEXT_S = 8.0  # StreamOptions.context_s


def answers() -> list[tuple[str, str, int, list[str], list[float]]]:
    import yaml

    out = [("bench", a["voice"], a["wpm"], a["sentences"], a["pauses_s"]) for a in plan_answers(12)]
    cases = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))["cases"]
    for k, case in enumerate(cases[1::3]):
        sentences = [x for x in re.split(r"(?<=[.?!])\s+", case["transcript"].strip()) if x]
        voice, wpm = (("en-us", 150), ("en-gb", 165), ("en-us", 175))[k % 3]
        out.append(("held out", voice, wpm, sentences, natural_pauses(len(sentences), seed=k * 11)))
    return out


def pieces(sentences: list[str], voice: str, wpm: int, pauses: list[float]):
    """(audio, where the new sentence's stretch begins in s, its text) for every sentence after the first."""
    whole = speak(sentences, voice, wpm, pauses, lead_s=0.3)
    starts = [0.3] + [whole.sentence_ends_s[i] + 0.02 + pauses[i] for i in range(len(sentences) - 1)]
    for i in range(1, len(sentences)):
        end = whole.sentence_ends_s[i] + 0.3
        if end - starts[i] > CONTEXT_S:
            continue  # heard alone: no context
        j = i - 1
        while j > 0 and end - starts[j] < CONTEXT_S:
            j -= 1
        spoken = speak(sentences[j:i + 1], voice, wpm, pauses[j:i], lead_s=0.15, tail_s=0.3)
        yield spoken.audio, spoken.sentence_ends_s[-2] + 0.02 + pauses[i - 1] / 2, sentences[i]


def run(plan, limit: int) -> dict:
    import jiwer

    from rehearse.prompts import whisper_prompt
    from rehearse.seams import words_after
    from rehearse.transcribe import TranscribeOptions, load_model, transcribe

    prompt = whisper_prompt([], "en")
    load_model(TranscribeOptions())
    rows: list[dict] = []
    for name, voice, wpm, sentences, pauses in plan:
        for audio, cut_s, said in pieces(sentences, voice, wpm, pauses):
            if sum(r["set"] == name for r in rows) >= limit:
                break
            row = {"set": name, "duration_s": round(audio.size / 16_000, 2), "text": said}
            began = time.perf_counter()
            t = transcribe(audio, "en", TranscribeOptions(fallback=False, initial_prompt=prompt))
            row["again"] = {"seconds": round(time.perf_counter() - began, 3),
                            "text": words_after(t, cut_s).text}
            context = " ".join(w.text for s in t.segments for w in s.words
                               if (w.start + w.end) / 2 < cut_s)
            began = time.perf_counter()
            t = transcribe(audio, "en", TranscribeOptions(fallback=False, initial_prompt=prompt,
                                                          prefix=context, prefix_s=cut_s))
            row["prefix"] = {"seconds": round(time.perf_counter() - began, 3),
                             "text": words_after(t, cut_s).text}
            for way in ("again", "prefix"):
                row[way]["wer"] = round(wer(said, row[way]["text"]), 2)
            rows.append(row)
            print(f"  {name:<8} {row['duration_s']:5.1f} s  again {row['again']['wer']:5.1f}% "
                  f"{row['again']['seconds']:.2f} s  prefix {row['prefix']['wer']:5.1f}% "
                  f"{row['prefix']['seconds']:.2f} s", flush=True)
    summary: dict = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = [r for r in rows if r["set"] == name]
        summary[name] = {"pieces": len(mine),
                         "differ": sum(r["again"]["text"] != r["prefix"]["text"] for r in mine)}
        for way in ("again", "prefix"):
            pooled = jiwer.wer([normalise(r["text"]) for r in mine],
                               [normalise(r[way]["text"]) or "-" for r in mine])
            summary[name][way] = {
                "wer_pooled": round(100 * pooled, 2),
                "wer_worst": max(r[way]["wer"] for r in mine),
                "seconds_p50": round(pct([r[way]["seconds"] for r in mine], 50), 3),
                "seconds_p90": round(pct([r[way]["seconds"] for r in mine], 90), 3),
            }
    return {"rows": rows, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="at most this many pieces per set")
    args = parser.parse_args()
    result: dict = {"load_avg_before": os.getloadavg(), "cores": os.cpu_count()}
    result.update(run(answers(), args.limit))
    result["load_avg_after"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"load average {result['load_avg_before']} -> {result['load_avg_after']}")
    print(f"{'set':<9} {'context':<14} {'pieces':>6} {'differ':>6} {'WER pooled':>10} {'worst':>6} "
          f"{'p50 s':>6} {'p90 s':>6}")
    for name, s in result["summary"].items():
        for way, label in (("again", "decoded again"), ("prefix", "timed prefix")):
            w = s[way]
            print(f"{name:<9} {label:<14} {s['pieces']:>6} {s['differ']:>6} {w['wer_pooled']:>10.2f} "
                  f"{w['wer_worst']:>6.1f} {w['seconds_p50']:>6.3f} {w['seconds_p90']:>6.3f}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
