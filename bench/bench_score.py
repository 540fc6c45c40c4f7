"""How long scoring one answer takes once kiwi is loaded (issue 4: <= 50 ms).

Scores every transcript of the evaluation sets (tests/eval_cases_{ko,en}.yaml) plus a 2-minute
answer with word timings per language (against the 6-key-point self-introduction), with the
analysis caches cleared before each run, so prepared answer, key points and transcript are all
analysed every time (as for the first attempt at a question); then again with the key points and
the prepared answer analysed, and the key points embedded, beforehand by ``warm_up`` (as while the
user is answering), so only the transcript is left; and as practice runs it, where the answer so
far was scored at each pause while the user spoke (`practice._LiveScores`, with or without
``--live``): "at the last word" has the answer without its last sentence scored beforehand (Enter
right after it), "ready" the whole answer (the usual case: no speech after the last pause's pass).
Each answer is scored with its question as asked, as practice does. The sentence encoder
(rehearse/meaning.py) runs as in practice: only when a key point is not
covered, its embeddings cleared with the analysis caches.
Prints ms per answer and writes bench/results/score.json. The machine's load average is recorded
too: other processes on a 2-core machine slow kiwi's two worker threads.

    .venv/bin/python bench/bench_score.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import time
from pathlib import Path

import yaml

from rehearse import meaning, textnorm
from rehearse.coverage import deck_frequencies
from rehearse.score import ScoreOptions, score_answer, warm_up
from rehearse.text_ko import get_kiwi
from rehearse.transcript import Segment, Transcript, Word

ROOT = Path(__file__).resolve().parent.parent


def timed_transcript(text: str, language: str, words_per_s: float = 2.5) -> Transcript:
    """The text as a Whisper transcript with one word every 1/words_per_s seconds."""
    words, t = [], 0.8
    for w in text.split():
        words.append(Word(" " + w, t, t + 0.8 / words_per_s))
        t += 1 / words_per_s
    return Transcript(text, language, [Segment(0.0, t, text, words)], duration_s=t + 0.5)


def cases() -> list[tuple[str, str, str, list[str], Transcript, list[str], str]]:
    out = []
    for language in ("ko", "en"):
        data = yaml.safe_load((ROOT / "tests" / f"eval_cases_{language}.yaml").read_text("utf-8"))
        deck = [q["prepared"] for q in data["questions"].values()]
        for case in data["cases"]:
            q = data["questions"][case["question"]]
            out.append((f"{language}:{case['id']}", language, q["prepared"], q["key_points"],
                        Transcript.from_text(case["transcript"], language), deck, q["question"]))
        # a 2-minute answer (the longest a self-introduction should run) with word timings: the
        # set's paraphrases one after the other, cut at 120 s (Korean ~2 words/s = ~300
        # syllables/min, English 2.5 words/s = 150 wpm)
        rate = 2.0 if language == "ko" else 2.5
        words = " ".join(c["transcript"] for c in data["cases"] if c["kind"] == "paraphrase")
        long_text = " ".join(words.split()[: int(120 * rate)])
        q = data["questions"][data["cases"][0]["question"]]
        out.append((f"{language}:2-minute-timed", language, q["prepared"], q["key_points"],
                    timed_transcript(long_text, language, rate), deck, q["question"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    get_kiwi().tokenize("준비")  # load kiwi (not part of the per-answer time)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    meaning.embed(["준비"])  # load the sentence encoder (likewise once per process)
    encoder_s = time.perf_counter() - t0
    t0 = time.perf_counter()  # the first answer also imports numpy, rapidfuzz and jiwer
    score_answer("q", "배포를 했습니다", [], Transcript.from_text("배포를 했어요", "ko"), language="ko")
    first_s = time.perf_counter() - t0
    textnorm.clear_caches()
    results: dict[str, dict] = {}
    all_cases = cases()
    deck_s = {}
    for language in ("ko", "en"):
        # once per deck and process: the deck's answers are analysed for the rarity weights
        deck = next(c[5] for c in all_cases if c[1] == language)
        start = time.perf_counter()
        deck_frequencies(tuple(deck), language)
        deck_s[language] = round((time.perf_counter() - start) * 1000, 1)
    lexical = ScoreOptions(meaning=False)
    for name, language, prepared, key_points, transcript, deck, question in all_cases:
        times, warm, lexical_times, at_last_word, ready = [], [], [], [], []
        for _ in range(args.repeat):
            # the lexical match alone (no sentence encoder), from scratch
            textnorm.clear_caches()
            start = time.perf_counter()
            score_answer("q", prepared, key_points, transcript, language=language,
                         time_limit_s=90, deck_texts=deck, question=question, options=lexical)
            lexical_times.append((time.perf_counter() - start) * 1000)
            textnorm.clear_caches()
            meaning.clear_cache()
            start = time.perf_counter()
            score_answer("q", prepared, key_points, transcript, language=language,
                         time_limit_s=90, deck_texts=deck, question=question)
            times.append((time.perf_counter() - start) * 1000)
            # key points analysed while the user was answering (warm_up): only the transcript left
            textnorm.clear_caches()
            meaning.clear_cache()
            warm_up(key_points, language, prepared, deck)
            start = time.perf_counter()
            score_answer("q", prepared, key_points, transcript, language=language,
                         time_limit_s=90, deck_texts=deck, question=question)
            warm.append((time.perf_counter() - start) * 1000)
            # the answer scored at the pauses while it was spoken, then after Enter
            for kept, timings in ((_before_last_sentence(transcript.text), at_last_word),
                                  (transcript.text, ready)):
                textnorm.clear_caches()
                meaning.clear_cache()
                warm_up(key_points, language, prepared, deck)
                if kept:
                    so_far = _like(transcript, kept, language)
                    score_answer("q", prepared, key_points, so_far, language=language,
                                 time_limit_s=90, deck_texts=deck, question=question)
                start = time.perf_counter()
                score_answer("q", prepared, key_points, transcript, language=language,
                             time_limit_s=90, deck_texts=deck, question=question)
                timings.append((time.perf_counter() - start) * 1000)
        results[name] = {"language": language, "chars": len(transcript.text),
                         "median_ms": round(statistics.median(times), 2),
                         "max_ms": round(max(times), 2),
                         "warm_median_ms": round(statistics.median(warm), 2),
                         "lexical_median_ms": round(statistics.median(lexical_times), 2),
                         "at_last_word_median_ms": round(statistics.median(at_last_word), 2),
                         "ready_median_ms": round(statistics.median(ready), 2)}
    summary = {}
    for language in ("ko", "en"):
        rows = [r for r in results.values() if r["language"] == language]
        medians = sorted(r["median_ms"] for r in rows)
        summary[language] = {"answers": len(rows),
                             "median_ms": round(statistics.median(medians), 2),
                             "p95_ms": round(medians[int(0.95 * (len(medians) - 1))], 2),
                             "max_ms": round(max(r["max_ms"] for r in rows), 2),
                             "warm_median_ms": round(statistics.median(
                                 r["warm_median_ms"] for r in rows), 2),
                             "lexical_median_ms": round(statistics.median(
                                 r["lexical_median_ms"] for r in rows), 2),
                             "warm_p95_ms": round(sorted(r["warm_median_ms"] for r in rows)[
                                 int(0.95 * (len(rows) - 1))], 2),
                             "two_minute_answer_ms": results[f"{language}:2-minute-timed"]["median_ms"],
                             "two_minute_answer_warm_ms":
                                 results[f"{language}:2-minute-timed"]["warm_median_ms"],
                             "two_minute_answer_chars": results[f"{language}:2-minute-timed"]["chars"]}
        for key in ("at_last_word", "ready"):
            ms = sorted(r[f"{key}_median_ms"] for r in rows)
            summary[language] |= {f"{key}_median_ms": round(statistics.median(ms), 2),
                                  f"{key}_p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
                                  f"{key}_max_ms": round(ms[-1], 2),
                                  f"two_minute_answer_{key}_ms":
                                      results[f"{language}:2-minute-timed"][f"{key}_median_ms"]}
    report = {"load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
              "kiwi_load_s": round(load_s, 2), "encoder_load_s": round(encoder_s, 2),
              "meaning": meaning.available(), "first_answer_imports_s": round(first_s, 2),
              "deck_analysis_ms": deck_s, "repeat": args.repeat,
              "python": platform.python_version(), "machine": platform.machine(),
              "summary": summary, "answers": results}
    out = ROOT / "bench" / "results" / "score.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"kiwi load: {load_s:.1f} s, sentence encoder load: {encoder_s:.1f} s, imports on the "
          f"first answer {first_s:.2f} s (once per "
          "process); deck analysis (once per deck): "
          + ", ".join(f"{lang} {ms} ms" for lang, ms in deck_s.items()))
    for language, s in summary.items():
        print(f"{language}: {s['answers']} answers, median {s['median_ms']} ms, p95 {s['p95_ms']} "
              f"ms, max {s['max_ms']} ms; 2-minute answer ({s['two_minute_answer_chars']} chars) "
              f"{s['two_minute_answer_ms']} ms; with key points warmed up: median "
              f"{s['warm_median_ms']} ms (p95 {s['warm_p95_ms']} ms), 2-minute answer "
              f"{s['two_minute_answer_warm_ms']} ms; lexical match alone: median {s['lexical_median_ms']} ms")
        print(f"    scored at the pauses while spoken: at the last word median "
              f"{s['at_last_word_median_ms']} ms (p95 {s['at_last_word_p95_ms']}, max "
              f"{s['at_last_word_max_ms']}; 2-minute answer {s['two_minute_answer_at_last_word_ms']} ms), "
              f"ready median {s['ready_median_ms']} ms (p95 {s['ready_p95_ms']}, max {s['ready_max_ms']}; "
              f"2-minute answer {s['two_minute_answer_ready_ms']} ms)")
    print(f"wrote {out.relative_to(ROOT)}")


def _before_last_sentence(text: str) -> str:
    """The text up to its last sentence (empty for one sentence)."""
    ends = [m.end() for m in re.finditer(r"[.?!。](?=\s)", text.rstrip())]
    return text[:ends[-1]].strip() if ends else ""


def _like(transcript: Transcript, text: str, language: str) -> Transcript:
    """A transcript of ``text`` made as ``transcript`` was (with word timings or without)."""
    if transcript.segments and transcript.segments[0].words:
        words = transcript.segments[0].words
        rate = 1 / (words[1].start - words[0].start) if len(words) > 1 else 2.5
        return timed_transcript(text, language, rate)
    return Transcript.from_text(text, language)


if __name__ == "__main__":
    main()
