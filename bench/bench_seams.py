"""Replay the stretches a feedback run committed, offline, to compare ways of decoding them.

Reads a `bench_feedback.py` result (its answers' texts and each run's stretches), speaks the same
answers again with espeak-ng, decodes every committed stretch (`heard_from_s`..`end_s`, its words
before `start_s` dropped, as the stream drops its context's) with each variant, and prints the
joined WER per answer against the whole file's. The segmentation is the run's, fixed, so the
variants differ in nothing but how a stretch is decoded; no timing is measured.

    .venv/bin/python bench/bench_seams.py bench/results/feedback-faster-provisional.json \
        --engine faster-whisper --delay 0.7 --out bench/results/seams-faster.json

Variants: ``plain`` (as the stream decodes today: the deck's filler prompt) and ``prompted`` (the
words committed before the stretch, its last ``--prompt-words``, after the filler prompt, as
whisper_streaming prompts its calls), ``contextN`` (heard from N s before the stretch at least,
its words there dropped: where a call costs the whole 30 s window anyway).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from answers import RATE, speak  # noqa: E402
from bench_feedback import deck_for, plan_answers  # noqa: E402
from bench_latency import wer  # noqa: E402

VARIANTS = ("plain", "prompted", "context8", "context15", "context25")


def committed(run: dict) -> list[dict]:
    """The stretches the run's transcript was joined from: the cut rules' (``by`` their rule) and
    those committed at Enter (``finish``: a pass's reused, or the tail), in order."""
    return sorted((s for s in run["stretches"] if s["by"] != "speculative"), key=lambda s: s["start_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("--engine", default="faster-whisper")
    parser.add_argument("--delay", default="0.7")
    parser.add_argument("--only", default=None, metavar="K,…")
    parser.add_argument("--prompt-words", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    import tempfile

    from rehearse.evaluate import deck_transcribe_options, transcribe_heard
    from rehearse.seams import words_after
    from rehearse.transcribe import TranscribeOptions, load_model, transcribe

    data = json.loads(args.result.read_text())
    plans = plan_answers(len(data["answers"]))
    deck = deck_for(plans, Path(tempfile.mkdtemp(prefix="rehearse-bench-seams-")))
    opts = deck_transcribe_options(deck, TranscribeOptions(engine=args.engine))
    load_model(opts)
    rows = []
    for row in data["engines"][args.engine]["rows"]:
        k = row["answer"]
        if args.only and str(k) not in args.only.split(","):
            continue
        a = plans[k]
        spoken = speak(a["sentences"], a["voice"], a["wpm"], a["pauses_s"])
        whole = transcribe_heard(spoken.audio, "en", opts)
        out = {"answer": k, "wer_whole": round(wer(spoken.text, whole.text), 2),
               "wer_run": row["runs"][args.delay]["wer"]}
        for variant in VARIANTS:
            said: list[str] = []
            for s in committed(row["runs"][args.delay]):
                lo, start, end = (round(s[f] * RATE) for f in ("heard_from_s", "start_s", "end_s"))
                if variant.startswith("context"):
                    lo = min(lo, max(0, start - round(float(variant[7:]) * RATE)))
                o = opts
                if variant == "prompted" and said:
                    before = " ".join(" ".join(said).split()[-args.prompt_words:])
                    o = replace(opts, initial_prompt=f"{opts.initial_prompt or ''} {before}".strip())
                part = words_after(transcribe(spoken.audio[lo:end], "en", o), (start - lo) / RATE)
                said.append(part.text.strip())
            out[variant] = round(wer(spoken.text, " ".join(said)), 2)
        rows.append(out)
        print(json.dumps(out), file=sys.stderr)
    for variant in VARIANTS:
        excess = [r[variant] - r["wer_whole"] for r in rows]
        print(f"{variant:>9}: mean +{sum(excess) / len(excess):.2f}, worst +{max(excess):.2f}, "
              f"answers over +2: {sum(e > 2 for e in excess)} of {len(excess)}")
    if args.out:
        args.out.write_text(json.dumps({"source": str(args.result), "engine": args.engine,
                                        "delay": args.delay, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
