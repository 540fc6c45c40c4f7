"""How long feedback takes after a spoken answer ends (issue 5), on the real pipeline.

espeak-ng English answers of about 15, 60 and 120 s are fed at speaking pace through the recorder's
own path (``answer_from_file(realtime=True, on_block=...)``) into `IncrementalTranscriber`, then
finished, joined and scored exactly as a practice session does. For comparison the same answers are
transcribed whole after they end (what the recorder's CPU does meanwhile does not matter then, so
those runs do not replay the audio). Each engine runs in a subprocess of its own, so its peak RSS is
its own. Also measured: launch of ``rehearse practice`` until the first question is audible on a
PulseAudio null sink, and where the energy VAD cuts compared with Silero.

Prints a table and writes bench/results/latency.json. Threads are pinned (``--threads``, default
every core: CPU affinity, torch/CTranslate2 threads, OMP/MKL) and the load average is recorded,
since other processes on a small machine slow Whisper down.

    .venv/bin/python bench/bench_latency.py [--runs 5] [--lengths 15,60,120] [--engines ...]
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latency.json"
ENGINES = ("openai-whisper", "faster-whisper")
WPS = 2.45  # words per second espeak-ng speaks at rehearse's demo rate (measured)

# Plain interview sentences espeak-ng pronounces well; answers take them in order until long enough.
SENTENCES = [
    "I have spent the last five years building data systems for a logistics company.",
    "In my current role I lead a team of four engineers and one designer.",
    "We moved our weekly reports to a new system, and that cut the waiting time from two days to one hour.",
    "The hardest part was not the technology.",
    "It was convincing the finance team that the numbers would still be correct.",
    "So we ran both systems side by side for a month and compared every report.",
    "After that, nobody asked again.",
    "I would like to bring the same habit of measuring before deciding to your team.",
    "Before that job I worked at a small online shop as its only developer.",
    "I learned to talk to customers, to write clear notes, and to fix problems quickly.",
    "One winter our payment page failed every evening at the same time.",
    "I found that a nightly backup was locking the main table, and I moved it to the morning.",
    "Since then I always look at what else is running before I blame the code.",
    "My manager describes me as calm and careful, and sometimes a little too patient.",
    "I am working on giving feedback sooner instead of waiting for the perfect moment.",
    "Last year I started a short weekly meeting where anyone can show a small improvement.",
    "It takes fifteen minutes, and it has become the most popular meeting of the week.",
    "Outside work I teach a free evening class on basic programming for adults.",
    "Teaching has made me better at explaining hard ideas in simple words.",
    "I am applying here because your product helps small companies plan their deliveries.",
    "That is the problem I have worked on for years, from the other side.",
    "In my first three months I would listen, read the code, and fix a few small things.",
    "After that I would like to take ownership of one part of the system and improve it step by step.",
    "I believe good software comes from many small changes that are measured and kept simple.",
    "When people disagree, I ask them what result would change their mind.",
    "Usually the answer shows us a small test we can run together.",
    "I enjoy work where I can see the effect of what I build on real people.",
    "Thank you for listening, and I am happy to answer any questions about my experience.",
    "One more example comes from my time at the shop, during our busiest season.",
    "Orders doubled in one week, and our servers started to slow down every afternoon.",
    "I added a simple cache for the product pages and the problem went away that same day.",
    "Later we replaced it with a proper solution, but the quick fix gave us time to think.",
    "I try to keep that balance between a fast fix today and a good design next month.",
    "I also write short notes after every incident so that the next person does not start from zero.",
    "Those notes became our team handbook, and new engineers read it in their first week.",
    "Finally, I care about the people I work with, and I want every meeting to end with a clear next step.",
]


# ---------------------------------------------------------------- answers and measures


def make_answers(folder: Path, lengths: list[int]) -> list[dict]:
    """Synthesise one espeak-ng answer per target length; returns its path, text and duration."""
    from rehearse.audio import duration_s
    from rehearse.demo import synthesise

    answers = []
    for target in lengths:
        words, chosen = 0, []
        for sentence in SENTENCES * 3:
            if words >= target * WPS:
                break
            chosen.append(sentence)
            words += len(sentence.split())
        text = " ".join(chosen)
        path = synthesise(text, folder / f"answer-{target}s.wav")
        answers.append({"target_s": target, "path": str(path), "text": text, "duration_s": duration_s(path)})
    return answers


_NUMBERS = {str(i): w for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


def normalise(text: str) -> str:
    """Lower case, words only, small numbers spelled out (Whisper writes "5" for "five")."""
    words = re.findall(r"[a-z]+|\d+", text.lower().replace("-", " "))
    return " ".join(_NUMBERS.get(w, w) for w in words)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate in percent after `normalise`."""
    import jiwer

    return 100.0 * jiwer.wer(normalise(reference), normalise(hypothesis) or "-")


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between ranks."""
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {"p50": round(pct(values, 50), 3), "p90": round(pct(values, 90), 3), "n": len(values),
            "values": [round(v, 3) for v in values]}


# ---------------------------------------------------------------- one engine (a subprocess)


def incremental_run(opts, audio_path: Path, work: Path, silence_s: float = 0.0) -> tuple:
    """Play an answer at speaking pace into the incremental transcriber, as from a microphone.

    With ``silence_s``, the answer is followed by that much silence and then trimmed, as the
    recorder does when an answer ends on silence; the feedback clock starts when recording stops.

    Returns:
        (transcript, the transcriber, time.monotonic() of the last block).
    """
    import numpy as np
    import soundfile as sf

    from rehearse.audio import read_audio, write_wav
    from rehearse.evaluate import transcribe_heard
    from rehearse.record import answer_from_file
    from rehearse.stream import IncrementalTranscriber, transcribe_answer

    source = audio_path
    audio = read_audio(audio_path)
    if silence_s:
        source = work / "with-silence.wav"
        write_wav(source, np.concatenate([audio, np.zeros(int(silence_s * 16_000), np.float32)]))
    inc = IncrementalTranscriber("en", opts)
    last_block = [0.0]

    def on_block(block):
        inc.feed(block)
        last_block[0] = time.monotonic()

    wav = work / "answer.wav"
    answer_from_file(source, wav, realtime=True, on_block=on_block)
    end = last_block[0]
    if silence_s:  # the recorder keeps 0.6 s after the last speech; espeak's own tail is ~0.5 s
        with sf.SoundFile(str(wav), "r+") as f:
            f.truncate(audio.size + int(0.1 * 16_000))
    return transcribe_answer(wav, "en", opts, inc, transcribe_fn=transcribe_heard), inc, end


def run_engine(engine: str, answers: list[dict], runs: int, threads: int, silence_s: float,
               silence_target: int) -> dict:
    """Every measurement of one engine; runs in a process of its own (see ``--worker``)."""
    import resource

    from rehearse.audio import read_audio
    from rehearse.deck import load_deck
    from rehearse.evaluate import deck_transcribe_options, evaluate, transcribe_heard
    from rehearse.paths import BUNDLED_QUESTIONS
    from rehearse.transcribe import TranscribeOptions, load_model
    from rehearse.transcript import Transcript

    deck = load_deck(BUNDLED_QUESTIONS / "sample-en.yaml")
    question = deck.questions[0]
    # a practice session's own settings: the deck's filler prompt, the voice gate on whole files
    opts = deck_transcribe_options(deck, TranscribeOptions(engine=engine, threads=threads))
    prompt = opts.initial_prompt
    started = time.perf_counter()
    load_model(opts)  # includes the warm-up pass a session does at launch
    load_s = time.perf_counter() - started
    evaluate(deck, question, Transcript.from_text("warm up", "en"), prompt)  # as the session's warm-up does
    out: dict = {"engine": engine, "load_s": round(load_s, 2), "answers": []}
    work = Path(tempfile.mkdtemp(prefix="rehearse-bench-"))
    for answer in answers:
        audio = read_audio(answer["path"])
        row: dict = {"target_s": answer["target_s"], "duration_s": round(answer["duration_s"], 2),
                     "whole": {"latency": [], "transcribe": [], "score": [], "wer": []},
                     "incremental": {"latency": [], "tail": [], "score": [], "wer": [], "compute": [],
                                     "early_share": [], "tail_audio_s": [], "tail_heard_s": [],
                                     "chunks": [],
                                     "fallbacks": 0},
                     "on_silence": {"latency": [], "wer": [], "fallbacks": 0}}
        for _ in range(runs):
            # whole file: transcription starts when the answer ends
            t0 = time.perf_counter()
            whole = transcribe_heard(audio, "en", opts)
            t1 = time.perf_counter()
            evaluate(deck, question, whole, prompt)
            t2 = time.perf_counter()
            w = row["whole"]
            w["latency"].append(t2 - t0)
            w["transcribe"].append(t1 - t0)
            w["score"].append(t2 - t1)
            w["wer"].append(wer(answer["text"], whole.text))

            # incremental: the answer plays at speaking pace into the worker, as from a microphone,
            # and ends with the file (as when Enter is pressed right after the last word)
            t, inc, end = incremental_run(opts, Path(answer["path"]), work)
            t1m = time.monotonic()
            evaluate(deck, question, t, prompt)
            t2m = time.monotonic()
            i = row["incremental"]
            i["latency"].append(t2m - end)
            i["tail"].append(t1m - end)
            i["score"].append(t2m - t1m)
            i["wer"].append(wer(answer["text"], t.text))
            i["compute"].append(sum(c.done_at - c.started_at for c in inc.chunks))
            total = sum(c.end - c.start for c in inc.chunks) or 1
            early = sum(c.end - c.start for c in inc.chunks if c.by == "worker" and c.done_at <= end)
            i["early_share"].append(early / total)
            i["tail_audio_s"].append(sum(c.end - c.start for c in inc.chunks if c.by == "finish") / 16_000)
            i["tail_heard_s"].append(sum(c.end - c.heard_from for c in inc.chunks
                                         if c.by == "finish" and c.voiced) / 16_000)
            i["chunks"].append(len(inc.chunks))
            i["fallbacks"] += inc.fallback_reason is not None

            if answer["target_s"] == silence_target:  # ended by the recorder's silence rule
                t, inc, end = incremental_run(opts, Path(answer["path"]), work, silence_s)
                evaluate(deck, question, t, prompt)
                row["on_silence"]["latency"].append(time.monotonic() - end)
                row["on_silence"]["wer"].append(wer(answer["text"], t.text))
                row["on_silence"]["fallbacks"] += inc.fallback_reason is not None
        out["answers"].append(row)
        out["load_avg_after_" + str(answer["target_s"])] = os.getloadavg()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    shutil.rmtree(work, ignore_errors=True)
    return out


def pin(threads: int) -> None:
    """Pin this process to the first ``threads`` cores and every numeric library to as many threads."""
    cores = sorted(os.sched_getaffinity(0))[:threads]
    os.sched_setaffinity(0, cores)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)


# ---------------------------------------------------------------- launch to first question


def launch_runs(runs: int, answer: Path) -> dict:
    """Seconds from starting ``rehearse practice`` to the first audible sound of the question.

    A private null sink plays the question; ``parec`` listens to its monitor. Cold: a new workspace
    (the question's speech is rendered); warm: the workspace of an earlier run (rendered speech cached).
    """
    import numpy as np

    if not (shutil.which("pactl") and shutil.which("parec")):
        return {"skipped": "PulseAudio tools (pactl, parec) are missing"}
    subprocess.run([str(ROOT / "scripts" / "null-sink.sh")], capture_output=True)
    sink = f"rehearse_bench_{os.getpid()}"
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={sink}"],
                            capture_output=True, text=True)
    if loaded.returncode != 0:
        return {"skipped": f"no null sink: {loaded.stderr.strip()}"}
    results: dict = {"cold": [], "warm": []}
    home = Path(tempfile.mkdtemp(prefix="rehearse-bench-launch-"))
    try:
        deck = ROOT / "questions" / "sample-en.yaml"
        answers = home / "answers"
        answers.mkdir()
        shutil.copy(answer, answers / "tell-me-about-yourself.wav")
        for kind in ["cold"] * runs + ["warm"] * runs:
            ws = home / ("warm" if kind == "warm" else f"cold-{len(results['cold'])}")
            env = {**os.environ, "REHEARSE_HOME": str(ws), "PULSE_SINK": sink, "PYTHONUNBUFFERED": "1"}
            if kind == "warm" and not (ws / "recordings" / ".tts-cache").is_dir():
                subprocess.run([sys.executable, "-m", "rehearse", "practice", str(deck), "--only",
                                "tell-me-about-yourself", "--answers-from", str(answers)],
                               env=env, capture_output=True, timeout=300)
            rec = subprocess.Popen(["parec", f"--device={sink}.monitor", "--raw", "--format=s16le",
                                    "--rate=16000", "--channels=1", "--latency-msec=10"],
                                   stdout=subprocess.PIPE)
            rec.stdout.read(3200)  # listening before the launch
            t0 = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-m", "rehearse", "practice", str(deck), "--only",
                                     "tell-me-about-yourself", "--answers-from", str(answers)],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            heard = None
            while time.monotonic() - t0 < 60:
                data = rec.stdout.read(320)
                samples = np.frombuffer(data, np.int16).astype(np.float32) / 32768
                if samples.size and 20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-9) > -50:
                    heard = time.monotonic() - t0
                    break
            proc.kill()
            proc.wait()
            rec.kill()
            rec.wait()
            if heard is not None:
                results[kind].append(heard)
    finally:
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    return {k: summary(v) for k, v in results.items() if v}


# ---------------------------------------------------------------- VAD: energy vs Silero


def vad_study(answer: Path) -> dict:
    """Where the energy VAD finds pauses compared with Silero's gaps, with noise added; CPU cost."""
    import numpy as np

    from rehearse.audio import read_audio
    from rehearse.stream import EnergyVad, StreamOptions

    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps, get_vad_model
    except ImportError:
        return {"skipped": "faster-whisper (for its Silero model) is not installed"}
    audio = read_audio(answer)
    stamps = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=150, speech_pad_ms=0))
    gaps = [(a["end"] / 16_000, b["start"] / 16_000) for a, b in zip(stamps, stamps[1:], strict=False)]
    get_vad_model()
    rng = np.random.default_rng(0)
    rows = []
    for noise_db in (None, -55, -45, -35):
        x = audio if noise_db is None else audio + rng.normal(0, 10 ** (noise_db / 20), audio.size).astype(
            np.float32)
        vad = EnergyVad(StreamOptions(), 16_000)
        t = time.perf_counter()
        for i in range(0, x.size, 1600):
            vad.update(x, min(x.size, i + 1600))
        energy_ms = (time.perf_counter() - t) * 1000 / (x.size / 16_000)
        t = time.perf_counter()
        get_speech_timestamps(x, VadOptions(min_silence_duration_ms=150, speech_pad_ms=0))
        silero_ms = (time.perf_counter() - t) * 1000 / (x.size / 16_000)
        pauses = [p.cut / 16_000 for p in vad.pauses if 0.5 < p.cut / 16_000 < x.size / 16_000 - 0.5]
        inside = sum(any(s - 0.05 <= p <= e + 0.05 for s, e in gaps) for p in pauses)
        rows.append({"noise_dbfs": noise_db, "energy_pauses": len(pauses), "in_silero_gaps": inside,
                     "silero_gaps_clean": len(gaps), "energy_ms_per_s": round(energy_ms, 2),
                     "silero_ms_per_s": round(silero_ms, 2)})
    return {"answer_s": round(audio.size / 16_000, 1), "rows": rows}


# ---------------------------------------------------------------- report


def table(result: dict) -> str:
    lines = [
        f"{result['machine']['cores']} cores, {result['threads']} threads pinned; load average before "
        f"{result['load_avg_before']}, after {result['load_avg_after']}; {result['runs']} runs each",
        "",
        "engine          answer  mode         feedback p50/p90 s   transcribe  score ms  WER %   RTF   "
        "audio done early",
    ]
    for e in result["engines"]:
        for row in e["answers"]:
            dur = row["duration_s"]
            w, i = row["whole"], row["incremental"]
            lines.append(
                f"{e['engine']:<15} {dur:5.1f}s  whole-file   "
                f"{w['latency']['p50']:6.2f} / {w['latency']['p90']:5.2f}"
                f"      {w['transcribe']['p50']:6.2f} s  {1000 * w['score']['p50']:6.0f}  "
                f"{w['wer']['p50']:5.1f}  {w['transcribe']['p50'] / dur:5.3f}   -")
            lines.append(
                f"{'':<15} {'':6}  incremental  {i['latency']['p50']:6.2f} / {i['latency']['p90']:5.2f}"
                f"      {i['tail']['p50']:6.2f} s  {1000 * i['score']['p50']:6.0f}  "
                f"{i['wer']['p50']:5.1f}  {i['compute']['p50'] / dur:5.3f}   "
                f"{100 * i['early_share']['p50']:.0f}% (tail {i['tail_audio_s']['p50']:.1f} s, "
                f"heard {i['tail_heard_s']['p50']:.1f} s)")
            q = row["on_silence"]
            if isinstance(q["latency"], dict):
                lines.append(
                    f"{'':<15} {'':6}  ended by {result['silence_s']:.0f} s silence "
                    f"{q['latency']['p50']:5.2f} / {q['latency']['p90']:5.2f}"
                    f"{'':28}{q['wer']['p50']:5.1f}")
        lines.append(f"{'':<15} load {e['load_s']:.1f} s (incl. warm-up pass), "
                     f"peak RSS {e['peak_rss_mb']:.0f} MB")
    launch = result.get("launch", {})
    for kind in ("cold", "warm"):
        if kind in launch:
            lines.append(f"launch -> first question audible ({kind} speech cache): "
                         f"p50 {launch[kind]['p50']:.2f} s, p90 {launch[kind]['p90']:.2f} s")
    vad = result.get("vad", {})
    for r in vad.get("rows", []):
        noise = "clean" if r["noise_dbfs"] is None else f"noise {r['noise_dbfs']} dBFS"
        lines.append(f"VAD {noise:<16} energy pauses {r['energy_pauses']:3d}, "
                     f"{r['in_silero_gaps']} of them in Silero's {r['silero_gaps_clean']} gaps; "
                     f"CPU {r['energy_ms_per_s']} vs {r['silero_ms_per_s']} ms per s of audio")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lengths", default="15,60,120", help="answer lengths in seconds")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--silence", type=float, default=4.0,
                        help="silence that ends an answer (the recorder's default), for the 2nd length")
    parser.add_argument("--no-launch", action="store_true", help="skip launch -> first question audible")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # ENGINE: run one engine, print JSON
    parser.add_argument("--answers", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    pin(args.threads)
    if args.worker:
        answers = json.loads(args.answers.read_text())
        print(json.dumps(run_engine(args.worker, answers, args.runs, args.threads, args.silence,
                                    int(args.lengths.split(",")[min(1, args.lengths.count(","))]))))
        return

    work = Path(tempfile.mkdtemp(prefix="rehearse-bench-answers-"))
    try:
        answers = make_answers(work, [int(x) for x in args.lengths.split(",")])
        (work / "answers.json").write_text(json.dumps(answers))
        result: dict = {
            "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(), "cpu": _cpu_name()},
            "threads": args.threads, "runs": args.runs, "load_avg_before": os.getloadavg(),
            "silence_s": args.silence,
            "answers": [{k: a[k] for k in ("target_s", "duration_s", "text")} for a in answers],
            "engines": [],
        }
        for engine in args.engines.split(","):
            print(f"{engine}: {args.runs} runs of {args.lengths} s answers …", file=sys.stderr)
            proc = subprocess.run([sys.executable, __file__, "--worker", engine, "--answers",
                                   str(work / "answers.json"), "--runs", str(args.runs),
                                   "--lengths", args.lengths, "--threads", str(args.threads),
                                   "--silence", str(args.silence)],
                                  capture_output=True, text=True,
                                  env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"{engine} failed")
            raw = json.loads(proc.stdout.strip().splitlines()[-1])
            for row in raw["answers"]:
                for mode in ("whole", "incremental", "on_silence"):
                    for key, values in list(row[mode].items()):
                        if isinstance(values, list) and values:
                            row[mode][key] = summary(values)
            result["engines"].append(raw)
        if not args.no_launch:
            print("launch -> first question audible …", file=sys.stderr)
            result["launch"] = launch_runs(args.runs, Path(answers[0]["path"]))
        longest = max(answers, key=lambda a: a["duration_s"])
        result["vad"] = vad_study(Path(longest["path"]))
        result["load_avg_after"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"\nwrote {args.out}")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
