"""How much speech before a short stretch Whisper should hear (``StreamOptions.context_s``).

Six espeak-ng English answers of 20-133 s (bench_latency's three, plus three more with other
voices, rates and sentence orders) are cut the way the incremental worker cuts them when it keeps
up: at the first sentence pause (>= 0.4 s) at least 12 s after the previous cut. Each stretch
shorter than ``context_s`` is transcribed with the audio before it, and only the words whose middle
falls inside the stretch are kept, as `rehearse.stream.IncrementalTranscriber` does; then the WER of
the joined words against the known text, next to the whole file's. The deck's filler prompt is on,
as in practice. Prints a table and writes bench/results/context.json.

    .venv/bin/python bench/bench_context.py [--contexts 0,8,14] [--engine openai-whisper]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_latency import SENTENCES, make_answers, wer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "context.json"
# (name, sentences, espeak-ng voice, words per minute, target seconds)
MORE = [("B", SENTENCES[12:] + SENTENCES[:12], "en-gb", 140, 90),
        ("C", SENTENCES[::-1], "en-us", 150, 90),
        ("D", SENTENCES[5::2] + SENTENCES[::3], "en-gb-x-rp", 125, 90)]


def more_answers(folder: Path) -> list[dict]:
    """Three answers in other voices, rates and orders than bench_latency's."""
    from rehearse.audio import duration_s
    from rehearse.demo import synthesise

    out = []
    for name, sentences, voice, wpm, target in MORE:
        words, chosen = 0, []
        for sentence in sentences:
            if words >= target * wpm / 60 * 0.95:
                break
            chosen.append(sentence)
            words += len(sentence.split())
        text = " ".join(chosen)
        path = synthesise(text, folder / f"answer-{name}.wav", voice=voice, wpm=wpm)
        out.append({"name": name, "path": str(path), "text": text, "duration_s": duration_s(path)})
    return out


def stretches(audio, rate: int) -> tuple[list[int], object]:
    """Cut points as the worker makes them when it keeps up, and the detector that found them."""
    from rehearse.stream import EnergyVad, StreamOptions

    options = StreamOptions()
    vad = EnergyVad(options, rate)
    vad.update(audio, audio.size)
    cuts, done = [0], 0
    for pause in vad.pauses:
        if pause.seconds >= options.sentence_pause_s and pause.cut - done >= options.min_chunk_s * rate:
            cuts.append(pause.cut)
            done = pause.cut
    return [*cuts, audio.size], vad


def joined_words(audio, language: str, opts, context_s: float) -> str:
    """Every stretch transcribed (short ones with context), its own words joined."""
    from rehearse.seams import window_start, words_after
    from rehearse.transcribe import transcribe

    rate = 16_000
    bounds, vad = stretches(audio, rate)
    words: list[str] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        heard = window_start(vad.pauses, start, end, context_s, rate)  # as the transcriber chooses
        part = words_after(transcribe(audio[heard:end], language, opts), (start - heard) / rate)
        words += [w.text for seg in part.segments for w in seg.words]
    return " ".join(words)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contexts", default="0,8,14", help="context_s values to compare (s)")
    parser.add_argument("--engine", default="openai-whisper")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    from rehearse.audio import read_audio
    from rehearse.deck import load_deck
    from rehearse.evaluate import deck_transcribe_options
    from rehearse.paths import BUNDLED_QUESTIONS
    from rehearse.transcribe import TranscribeOptions, load_model, transcribe

    deck = load_deck(BUNDLED_QUESTIONS / "sample-en.yaml")
    opts = deck_transcribe_options(deck, TranscribeOptions(engine=args.engine, threads=args.threads))
    load_model(opts)
    folder = Path(tempfile.mkdtemp(prefix="rehearse-bench-context-"))
    answers = [{**a, "name": f"{a['target_s']}s"} for a in make_answers(folder, [15, 60, 120])]
    answers += more_answers(folder)
    rows = {"whole file": [wer(a["text"], transcribe(read_audio(a["path"]), "en", opts).text)
                           for a in answers]}
    for context_s in [float(x) for x in args.contexts.split(",")]:
        rows[f"context_s {context_s:g}"] = [
            wer(a["text"], joined_words(read_audio(a["path"]), "en", opts, context_s)) for a in answers]
    names = [f"{a['name']} ({a['duration_s']:.0f} s)" for a in answers]
    print(f"{args.engine}, filler prompt on; WER % per answer and mean")
    print(f"{'':16}" + "".join(f"{n:>14}" for n in names) + f"{'mean':>8}")
    for label, values in rows.items():
        print(f"{label:16}" + "".join(f"{v:14.1f}" for v in values) + f"{sum(values) / len(values):8.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"engine": args.engine, "answers": names,
                                    "wer": {k: [round(v, 2) for v in vs] for k, vs in rows.items()}},
                                   indent=1))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
