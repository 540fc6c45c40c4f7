"""Voice Whisper cannot make out: how long it takes, and whether clear speech loses anything.

espeak-ng Korean answers (voiced, but unintelligible to Whisper base: like mumbling, another
language or a distorted microphone) from the seed deck ``questions/interview-prep-ko.yaml``, and
espeak-ng English answers of bench_latency.py's sentences, each transcribed whole with the deck's
filler prompt through the voice gate (``rehearse.evaluate.transcribe_heard``) and scored, as
``rehearse practice --answers-from`` does. Each answer runs twice: ``before``, Whisper's own
temperature fallback (``TranscribeOptions.retry_non_speech=True``), and ``after``, where a window
Whisper rates as not speech whose greedy decode fails its checks is silence at once (the default).

Per answer: seconds taken, the decoder runs (``whisper.decoding.DecodingTask.run``; greedy plus
each retry), the outcome (answer / no answer / no words made out) and, for English, the whole-file
word error rate against the text espeak-ng read. Prints a table and writes bench/results/unclear.json.

    .venv/bin/python bench/bench_unclear.py [--ko 5] [--en 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_latency import SENTENCES, wer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "unclear.json"
KO_DECK = ROOT / "questions" / "interview-prep-ko.yaml"
EN_DECK = ROOT / "questions" / "sample-en.yaml"


def korean_texts(n: int, lo: int = 70, hi: int = 140) -> list[tuple[str, str]]:
    """(question id, text) for ``n`` answers spread over the Korean deck, each its prepared answer's
    first sentences, ``lo``-``hi`` characters (8-20 s as espeak-ng reads Korean)."""
    from rehearse.deck import load_deck

    deck = load_deck(KO_DECK)
    qs = [q for q in deck.walk() if q.answer and len(q.answer) >= lo]
    picked = qs[:: max(1, len(qs) // n)][:n]
    out = []
    for q in picked:
        text = ""
        for sentence in re.split(r"(?<=[.다요])\s+", " ".join(q.answer.split())):
            if len(text) >= lo:
                break
            text = f"{text} {sentence}".strip()
        out.append((q.id, text[:hi]))
    return out


def english_texts(n: int, per: int = 4) -> list[str]:
    """``n`` answers of ``per`` plain sentences each (15-20 s)."""
    return [" ".join(SENTENCES[i * per:(i + 1) * per]) for i in range(n)]


class DecodeCounter:
    """Counts whisper's decoder runs (one per temperature tried per 30 s window)."""

    def __init__(self) -> None:
        from whisper import decoding

        self.runs = 0
        self.retries = 0  # runs at a temperature above 0
        self._run = decoding.DecodingTask.run
        counter = self

        def run(task, mel):
            counter.runs += 1
            counter.retries += task.options.temperature > 0
            return counter._run(task, mel)

        decoding.DecodingTask.run = run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ko", type=int, default=5, help="Korean answers (default 5)")
    parser.add_argument("--en", type=int, default=3, help="English answers (default 3)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: every core)")
    args = parser.parse_args()

    from rehearse.audio import read_audio
    from rehearse.deck import load_deck
    from rehearse.demo import DEMO_VOICE, synthesise
    from rehearse.evaluate import deck_transcribe_options, evaluate, transcribe_heard
    from rehearse.transcribe import TranscribeOptions, load_model

    ko_deck, en_deck = load_deck(KO_DECK), load_deck(EN_DECK)
    base = TranscribeOptions(threads=args.threads)
    options = {"ko": deck_transcribe_options(ko_deck, base), "en": deck_transcribe_options(en_deck, base)}
    load_model(options["ko"])
    counter = DecodeCounter()
    tmp = Path(tempfile.mkdtemp(prefix="rehearse-bench-unclear-"))
    answers = [("ko", qid, text, synthesise(text, tmp / f"ko-{i}.wav", voice="ko"))
               for i, (qid, text) in enumerate(korean_texts(args.ko))]
    en_q = en_deck.questions[0]
    answers += [("en", en_q.id, text, synthesise(text, tmp / f"en-{i}.wav", voice=DEMO_VOICE))
                for i, text in enumerate(english_texts(args.en))]
    rows = []
    for lang, qid, text, wav in answers:
        audio = read_audio(wav)
        deck = ko_deck if lang == "ko" else en_deck
        question = deck.find(qid)
        row = {"language": lang, "question_id": qid, "audio_s": round(audio.size / 16_000, 2), "text": text}
        for mode, retry in (("before", True), ("after", False)):
            opts = replace(options[lang], retry_non_speech=retry)
            counter.runs = counter.retries = 0
            t0 = time.perf_counter()
            transcript = transcribe_heard(audio, lang, opts)
            took = time.perf_counter() - t0
            score = evaluate(deck, question, transcript, opts.initial_prompt)
            outcome = "unclear" if score.unclear else "no_speech" if score.no_speech else "answer"
            row[mode] = {"seconds": round(took, 2), "decodes": counter.runs, "retries": counter.retries,
                         "outcome": outcome,
                         "voice_s": transcript.voiced_s, "heard": transcript.text,
                         "verdict": score.verdict}
            if lang == "en":
                row[mode]["wer"] = round(wer(text, transcript.text), 2)
            print(f"{lang} {audio.size / 16_000:5.1f} s {mode:6} {took:6.1f} s {counter.runs:2} decodes "
                  f"({counter.retries} retries) "
                  f"{outcome:9} {row[mode].get('wer', '')} {transcript.text[:50]!r}", flush=True)
        rows.append(row)

    def total(lang: str, mode: str, key: str) -> float:
        return round(sum(r[mode][key] for r in rows if r["language"] == lang), 2)

    summary = {}
    for lang in ("ko", "en"):
        audio_s = sum(r["audio_s"] for r in rows if r["language"] == lang)
        if not audio_s:
            continue
        summary[lang] = {"answers": sum(r["language"] == lang for r in rows), "audio_s": round(audio_s, 1)}
        for mode in ("before", "after"):
            secs = total(lang, mode, "seconds")
            part = {"seconds": secs, "rtf": round(secs / audio_s, 3),
                    "decodes": int(total(lang, mode, "decodes")),
                    "outcomes": sorted({r[mode]["outcome"] for r in rows if r["language"] == lang})}
            if lang == "en":
                part["mean_wer"] = round(total(lang, mode, "wer") / summary[lang]["answers"], 2)
            summary[lang][mode] = part
    print("\nlanguage  audio      before: s (RTF) decodes   after: s (RTF) decodes   WER before/after")
    for lang, s in summary.items():
        b, a = s["before"], s["after"]
        wers = f"{b['mean_wer']} / {a['mean_wer']} %" if lang == "en" else ""
        print(f"{lang:8}  {s['audio_s']:6.1f} s  {b['seconds']:7.1f} ({b['rtf']:.2f}) {b['decodes']:3}      "
              f"{a['seconds']:7.1f} ({a['rtf']:.2f}) {a['decodes']:3}      {wers}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"threads": args.threads or os.cpu_count(), "load_average": os.getloadavg(),
                                   "summary": summary, "answers": rows}, ensure_ascii=False, indent=2),
                       encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
