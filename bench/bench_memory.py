"""Peak memory (RSS) of a practice session, phase by phase, for each engine (issue 5's RSS target).

Each scenario runs in a fresh process and does what ``rehearse practice`` does, in order: import
the engine; load the model and analyse the deck in a background thread (as the session's warm-up
does); play a ~70 s espeak-ng answer at speaking pace through the recorder's path into the
incremental transcriber, then finish, join and score it. The English scenario then transcribes
the same answer whole and scores it (the path before issue 5, and the fallback). The Korean
scenario loads the deck's analyser, kiwipiepy, as a Korean deck does; its answer is still the
English recording, so only the memory is meaningful. A last process loads kiwipiepy alone.

Between phases the kernel's high-water mark is reset (``/proc/self/clear_refs``), so each phase
reports its own peak; the RSS left after it is split into the model's weights file, shared
libraries and anonymous memory (heap, thread stacks) from ``/proc/self/smaps``.

Prints a table and writes bench/results/memory.json; takes about 6 minutes.

    .venv/bin/python bench/bench_memory.py [--engines openai-whisper,faster-whisper] [--no-korean]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_latency import ENGINES, _cpu_name, incremental_run, make_answers, pin

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "memory.json"
MB = 1024  # kB per MB in /proc


def status() -> dict:
    """This process's peak and current RSS, in MB (``/proc/self/status``)."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0]) // MB
    return {"peak": fields["VmHWM"], "rss": fields["VmRSS"], "anon": fields["RssAnon"],
            "file": fields["RssFile"]}


def breakdown(weights: str | None) -> dict:
    """Resident MB by kind of mapping: the weights file, shared libraries, anonymous memory."""
    kinds = {"weights": 0, "libraries": 0, "anonymous": 0, "other files": 0}
    where = ""
    with open("/proc/self/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                where = parts[5] if len(parts) > 5 else ""
            elif line.startswith("Rss:"):
                kb = int(line.split()[1])
                if weights and where.startswith(weights):
                    kinds["weights"] += kb
                elif ".so" in where:
                    kinds["libraries"] += kb
                elif not where or where.startswith("["):
                    kinds["anonymous"] += kb
                else:
                    kinds["other files"] += kb
    return {k: v // MB for k, v in kinds.items()}


class Phases:
    """Records each phase's own peak (the high-water mark is reset after each)."""

    def __init__(self, weights: str | None = None) -> None:
        self.weights = weights
        self.rows: list[dict] = []
        self.resettable = self._reset()

    @staticmethod
    def _reset() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            return True
        except OSError:
            return False

    def done(self, name: str, seconds: float | None = None) -> None:
        row = {"phase": name, **status(), "after": breakdown(self.weights)}
        if seconds is not None:
            row["s"] = round(seconds, 1)
        self.rows.append(row)
        print(f"  {name:<28} peak {row['peak']:5d} MB, after {row['rss']:5d} MB", file=sys.stderr)
        self._reset()


def run_scenario(engine: str, language: str, answer: dict, threads: int) -> dict:
    """One session's phases in this process (see ``--worker``)."""
    phases = Phases()
    from rehearse.audio import read_audio
    from rehearse.deck import load_deck
    from rehearse.evaluate import deck_texts, evaluate
    from rehearse.paths import BUNDLED_QUESTIONS
    from rehearse.score import warm_up
    from rehearse.transcribe import TranscribeOptions, check_model, load_model, transcribe

    phases.done("python + rehearse")
    if engine == "kiwi":
        deck = load_deck(BUNDLED_QUESTIONS / "interview-prep-ko.yaml")
        t = time.perf_counter()
        warm_up([], "ko", deck_texts=deck_texts(deck))
        phases.done("kiwipiepy + Korean deck", time.perf_counter() - t)
        return {"scenario": "kiwipiepy alone", "phases": phases.rows, "resettable": phases.resettable}

    opts = TranscribeOptions(engine=engine, threads=threads)
    phases.weights = str(check_model(opts))
    if engine == "faster-whisper":
        import faster_whisper  # noqa: F401
    else:
        import whisper  # noqa: F401
    phases.done(f"import {engine}")
    deck = load_deck(BUNDLED_QUESTIONS / ("sample-en.yaml" if language == "en" else "interview-prep-ko.yaml"))
    question = deck.questions[0]

    def warm() -> None:  # as the session's `_ModelWarmup` thread
        t = time.perf_counter()
        load_model(opts)
        phases.done("load + warm-up pass", time.perf_counter() - t)
        t = time.perf_counter()
        warm_up([], language, deck_texts=deck_texts(deck))
        phases.done("kiwipiepy + Korean deck" if language == "ko" else "deck analysis",
                    time.perf_counter() - t)

    thread = threading.Thread(target=warm)
    thread.start()
    thread.join()
    work = Path(tempfile.mkdtemp(prefix="rehearse-bench-memory-"))
    try:
        t = time.perf_counter()
        transcript, inc, _end = incremental_run(opts, Path(answer["path"]), work)
        evaluate(deck, question, transcript)
        phases.done("answer: incremental + score", time.perf_counter() - t)
        result = {"scenario": f"{engine}, {'English' if language == 'en' else 'Korean'} deck",
                  "engine": engine, "language": language, "incremental_text": transcript.text,
                  "stretches_s": [round((c.end - c.start) / 16_000, 1) for c in inc.chunks]}
        if language == "en":
            t = time.perf_counter()
            whole = transcribe(read_audio(answer["path"]), "en", opts)
            evaluate(deck, question, whole)
            phases.done("answer: whole file + score", time.perf_counter() - t)
            result["whole_text"] = whole.text
    finally:
        shutil.rmtree(work, ignore_errors=True)
    practice = [r["peak"] for r in phases.rows if not r["phase"].startswith("answer: whole")]
    result.update(phases=phases.rows, resettable=phases.resettable, practice_peak_mb=max(practice),
                  whole_file_peak_mb=max(r["peak"] for r in phases.rows))
    return result


def table(result: dict) -> str:
    lines = [f"{result['machine']['cores']} cores, {result['threads']} threads; answer "
             f"{result['answer_s']:.1f} s; MB: peak in the phase (RSS after: weights file + "
             "libraries + anonymous)"]
    for s in result["scenarios"]:
        lines.append(f"\n{s['scenario']}")
        for r in s["phases"]:
            a = r["after"]
            lines.append(f"  {r['phase']:<28} {r['peak']:5d}   ({r['rss']:4d}: {a['weights']:3d} + "
                         f"{a['libraries']:3d} + {a['anonymous']:3d})"
                         + (f"  {r['s']:.1f} s" if "s" in r else ""))
        if "practice_peak_mb" in s:
            lines.append(f"  peak of the practice path: {s['practice_peak_mb']} MB"
                         + (f"; with the whole-file answer: {s['whole_file_peak_mb']} MB"
                            if s["language"] == "en" else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-korean", action="store_true", help="skip the Korean-deck scenarios")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # ENGINE,LANGUAGE: one scenario, JSON out
    parser.add_argument("--answer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    pin(args.threads)
    if args.worker:
        engine, language = args.worker.split(",")
        answer = json.loads(args.answer.read_text())
        print(json.dumps(run_scenario(engine, language, answer, args.threads)))
        return

    work = Path(tempfile.mkdtemp(prefix="rehearse-bench-memory-"))
    try:
        answer = make_answers(work, [60])[0]
        (work / "answer.json").write_text(json.dumps(answer))
        runs = [(e, lang) for e in args.engines.split(",") for lang in ("en", "ko")
                if lang == "en" or not args.no_korean]
        runs += [] if args.no_korean else [("kiwi", "ko")]
        result: dict = {
            "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(), "cpu": _cpu_name()},
            "threads": args.threads, "answer_s": round(answer["duration_s"], 2),
            "answer_text": answer["text"], "load_avg_before": os.getloadavg(), "scenarios": [],
        }
        for engine, language in runs:
            print(f"{engine}, {language} …", file=sys.stderr)
            proc = subprocess.run([sys.executable, __file__, "--worker", f"{engine},{language}",
                                   "--answer", str(work / "answer.json"), "--threads", str(args.threads)],
                                  stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})
            if proc.returncode != 0:
                raise SystemExit(f"{engine}, {language} failed")
            result["scenarios"].append(json.loads(proc.stdout.strip().splitlines()[-1]))
        result["load_avg_after"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(table(result))
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
