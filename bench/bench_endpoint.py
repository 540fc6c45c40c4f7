"""Endpointing in a real room (issue 14): `rehearse.voice`'s energy rule against Silero VAD.

Answers (espeak-ng, two voices, sentence pauses of 0.3-0.9 s and one 2.5 s pause to think) are
mixed with pink, fan-like and babble noise at 20, 10 and 5 dB SNR (speech level over the frames
inside words against the noise's RMS), and played as from a quiet microphone (speech at -55 dBFS
over -85 dBFS of self-noise). The noise runs on after the answer, as a room's does. For each
detector, through the recorder's own rule (`rehearse.voice.EndOfAnswer`, blocks of 0.1 s):

- **end**: the answer must end between its last word and ``silence_s`` + 0.5 s after it: *early*
  (before the last word: the speaker is cut off), *ok*, or *late* (later, or never: the time limit);
- **cuts mid-word**: every pause the stream could cut at (a quiet run of ``StreamOptions.pause_s``,
  cut where `rehearse.pauses.Pause.cut` cuts) that falls inside a word of the clean answer.

Silero is `rehearse.voice.SpeechDetector`: faster-whisper's bundled ONNX model on onnxruntime,
run block by block with its state carried, 32 ms windows, speech from 0.5 and until under 0.35
(its own thresholds); each 20 ms frame takes the decision of the window its middle falls in.

Prints a table and writes bench/results/endpoint.json.

    .venv/bin/python bench/bench_endpoint.py [--silence 4] [--answers 4] [--out ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import RATE, Spoken, inside_words, natural_pauses, speak, speech_level_db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "endpoint.json"

SENTENCES = [
    "I started my career as a support engineer at a small hosting company.",
    "Every night I read the logs of the servers that had failed during the day.",
    "After a year I wrote a tool that grouped the failures by their cause.",
    "The tool cut our response time in half, and the team still uses it today.",
    "Later I moved to the platform team, where I now lead three engineers.",
    "We run the build system for about two hundred developers.",
    "What I enjoy most is finding the one slow step that everybody else has stopped noticing.",
    "Last spring that was a test suite that took forty minutes.",
    "We split it by risk, and the common case now finishes in six minutes.",
    "I would like to bring that kind of patient measuring to your team.",
]
BABBLE = [
    "The meeting about the new office has been moved to Thursday afternoon.",
    "Could you send me the numbers from the last quarter before lunch?",
    "I think the train was late again because of the weather in the north.",
    "She said the coffee machine on the third floor is finally working.",
    "We should book the room for the whole day if the client agrees.",
    "Nobody knows where the spare keys for the storage room have gone.",
]
VOICES = ["en-us", "en-gb"]


# ---------------------------------------------------------------- noises


def shaped_noise(n: int, rng: np.random.Generator, gain) -> np.ndarray:
    """White noise shaped in frequency by ``gain(f)`` (f in Hz), unit RMS."""
    spectrum = np.fft.rfft(rng.normal(size=n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    x = np.fft.irfft(spectrum * gain(f), n)
    return (x / np.sqrt(np.mean(x ** 2))).astype(np.float32)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    return shaped_noise(n, rng, lambda f: 1 / np.sqrt(np.maximum(f, 20.0)))


def fan(n: int, rng: np.random.Generator) -> np.ndarray:
    """A laptop fan: broadband air noise with most of its energy at 150-1500 Hz, a blade-pass
    tone and its harmonics, and a slow wobble in speed and level."""
    air = shaped_noise(n, rng, lambda f: np.exp(-((np.log(np.maximum(f, 1.0)) - np.log(500)) ** 2) / 1.2)
                       + 0.05 / np.sqrt(np.maximum(f, 20.0)))
    t = np.arange(n) / RATE
    wobble = 1 + 0.02 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(180.0 * wobble) / RATE
    tones = sum(a * np.sin(k * phase) for k, a in ((1, 0.5), (2, 0.25), (3, 0.12)))
    x = air + tones.astype(np.float32)
    x *= (1 + 0.1 * np.sin(2 * np.pi * 0.17 * t)).astype(np.float32)
    return (x / np.sqrt(np.mean(x ** 2))).astype(np.float32)


def babble(n: int, rng: np.random.Generator, talkers: list[np.ndarray]) -> np.ndarray:
    """Six other people talking at once (espeak-ng voices), each looped from a random offset."""
    x = np.zeros(n, np.float32)
    for talk in talkers:
        loop = np.tile(talk, n // talk.size + 2)
        start = int(rng.integers(0, talk.size))
        x += loop[start:start + n] / np.sqrt(np.mean(talk ** 2))
    return (x / np.sqrt(np.mean(x ** 2))).astype(np.float32)


def make_talkers() -> list[np.ndarray]:
    voices = ["en-us", "en-gb", "en-gb-x-rp", "en-029", "en-gb-scotland", "en-us+f3"]
    return [speak([s], v, 160, [], lead_s=0.0, tail_s=0.2).audio for s, v in zip(BABBLE, voices, strict=True)]


# ---------------------------------------------------------------- detectors


def detector(name: str):
    """energy: `rehearse.voice.VoiceDetector`; silero: `rehearse.voice.SpeechDetector`."""
    from rehearse.voice import SpeechDetector, VoiceDetector, _silero_session

    return VoiceDetector() if name == "energy" else SpeechDetector(_silero_session())


# ---------------------------------------------------------------- measures


def end_of(mix: np.ndarray, name: str, silence_s: float) -> tuple[float | None, float]:
    """When the recorder's rule ends the answer (None: never), and CPU ms per s of audio."""
    from rehearse.voice import EndOfAnswer

    end = EndOfAnswer(RATE, silence_s, detector(name))
    started = time.process_time()
    for i in range(0, mix.size, 1600):
        if end.hear(mix[i:i + 1600]):
            cpu = (time.process_time() - started) * 1000 / ((i + 1600) / RATE)
            return (i + 1600) / RATE, cpu
    return None, (time.process_time() - started) * 1000 / (mix.size / RATE)


def cuts_of(mix: np.ndarray, name: str) -> list[float]:
    """Where the stream could cut (s): each quiet run of ``pause_s``, as `rehearse.pauses.Pause`."""
    from rehearse.pauses import Pause
    from rehearse.stream import StreamOptions
    from rehearse.voice import FRAME_S

    det = detector(name)
    voiced = np.concatenate([det.frames(mix[i:i + 1600], RATE) for i in range(0, mix.size, 1600)])
    need = round(StreamOptions().pause_s / FRAME_S)
    cuts, run = [], 0
    for i, v in enumerate([*voiced, True]):
        if not v:
            run += 1
            continue
        if run >= need:
            cuts.append(Pause(i - run, run, 320).cut / RATE)
        run = 0
    return cuts


def mid_word(cuts: list[float], words: np.ndarray, lead_s: float) -> int:
    """How many cuts fall inside a word of the clean answer (10 ms frames, ±10 ms)."""
    bad = 0
    for c in cuts:
        k = int(round((c - lead_s) * 100))
        if 0 <= k < words.size and words[max(0, k - 1):k + 2].all():
            bad += 1
    return bad


def conditions(answer: Spoken, rng: np.random.Generator, talkers, silence_s: float, lead_s: float):
    """(name, mixture) for every room: the answer after ``lead_s`` of room, and the room after it."""
    speech = np.concatenate([np.zeros(int(lead_s * RATE), np.float32), answer.audio,
                             np.zeros(int((silence_s + 4) * RATE), np.float32)])
    level = speech_level_db(answer.audio)
    for kind in ("pink", "fan", "babble"):
        noise = {"pink": pink, "fan": fan}[kind](speech.size, rng) if kind != "babble" else babble(
            speech.size, rng, talkers)
        for snr in (20, 10, 5):
            gain = 10 ** ((level - snr) / 20)  # noise RMS = speech level - SNR
            yield f"{kind} {snr} dB", speech * 10 ** ((-26 - level) / 20) + noise * gain * 10 ** (
                (-26 - level) / 20)
    quiet = speech * 10 ** ((-55 - level) / 20)
    yield "quiet mic -55 dBFS", quiet + rng.normal(0, 10 ** (-85 / 20), speech.size).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silence", type=float, default=4.0, help="silence_s of the end rule (default 4)")
    parser.add_argument("--answers", type=int, default=4, help="answers (voices alternate)")
    parser.add_argument("--detectors", default="energy,silero")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    lead_s = 1.0
    rng = np.random.default_rng(0)
    answers = []
    for k in range(args.answers):
        chosen = SENTENCES[(3 * k) % len(SENTENCES):] + SENTENCES
        chosen = chosen[:5]
        pauses = natural_pauses(len(chosen) - 1, seed=k)
        pauses[len(pauses) // 2] = 2.5  # thinking, well under silence_s
        answers.append(speak(chosen, VOICES[k % len(VOICES)], 150 + 15 * k, pauses))
    talkers = make_talkers()
    rows: dict[str, dict] = {}
    for answer in answers:
        words = inside_words(answer.audio)
        for name, mix in conditions(answer, rng, talkers, args.silence, lead_s):
            last = lead_s + answer.last_word_s
            for det in args.detectors.split(","):
                end, cpu = end_of(mix, det, args.silence)
                verdict = ("late" if end is None or end > last + args.silence + 0.5 else
                           "early" if end < last else "ok")
                cuts = [c for c in cuts_of(mix, det) if lead_s < c < last]
                r = rows.setdefault(f"{det}|{name}", {"detector": det, "room": name, "ok": 0, "early": 0,
                                                     "late": 0, "end_after_last_word_s": [],
                                                     "cuts": 0, "cuts_mid_word": 0, "cpu_ms_per_s": []})
                r[verdict] += 1
                r["end_after_last_word_s"].append(None if end is None else round(end - last, 2))
                r["cuts"] += len(cuts)
                r["cuts_mid_word"] += mid_word(cuts, words, lead_s)
                r["cpu_ms_per_s"].append(round(cpu, 2))
    result = {"silence_s": args.silence, "answers": [{"voice": a.voice, "duration_s": round(a.duration_s, 1),
                                                      "pauses_s": a.pauses_s} for a in answers],
              "load_avg": os.getloadavg(), "rows": list(rows.values())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(answers)} answers, silence_s {args.silence}: ends early / ok / late; stream cut points "
          "inside a word")
    print(f"{'room':<20} " + "  ".join(f"{d:<28}" for d in args.detectors.split(",")))
    rooms = list(dict.fromkeys(r["room"] for r in rows.values()))
    for room in rooms:
        cells = []
        for det in args.detectors.split(","):
            r = rows[f"{det}|{room}"]
            cells.append(f"{r['early']}/{r['ok']}/{r['late']}  "
                         f"mid-word {r['cuts_mid_word']:>2}/{r['cuts']:<3}")
        print(f"{room:<20} " + "  ".join(f"{c:<28}" for c in cells))
    for det in args.detectors.split(","):
        cpu = [c for r in rows.values() if r["detector"] == det for c in r["cpu_ms_per_s"]]
        print(f"{det}: CPU {np.median(cpu):.2f} ms per s of audio (median)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
