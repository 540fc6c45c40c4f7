"""Whisper initial prompts measured on real espeak-ng English audio (issue 4, item 5).

Each prompt setting transcribes the same clips with the real Whisper base model (the default
engine, greedy), and the transcripts are scored by the real scorer:

- **fillers**: the sample deck's four prepared answers with fillers inserted (um, uh, hmm, er,
  like, you know, I mean, so; 8 per answer): filler *count recall* (sum over answers of
  min(counted, inserted) / inserted, counted by ``score_answer`` as the user would see it), and
  the WER of the rest (fillers removed from both sides, whisper's English normaliser).
- **clean**: the same answers without fillers: WER, and fillers the prompt *invents* (phantoms).
- **jargon**: sentences naming Jira, Jenkins, GitLab, CMP, Kubernetes, PostgreSQL, Terraform,
  Grafana: share of the terms spelled right (case-insensitive, as one word).
- **inflation**: answers to a jargon-heavy deck that never say its terms (other tools, partial,
  off-topic, a long pause), scored against the deck: coverage must not rise with the prompt.
  Full answers show the prompt's benefit.
- **no speech**: silence, white and pink noise, a 50 Hz hum: ``no_speech`` must stay true.

Prints a table and writes bench/results/prompts.json; bench/PROMPTS.md keeps the conclusions.

    .venv/bin/python bench/bench_prompts.py [--voice en-us] [--wpm 135] [--only none,both]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from rehearse.audio import SAMPLE_RATE, read_audio
from rehearse.demo import synthesise
from rehearse.fillers import find_fillers
from rehearse.prompts import filler_prompt, jargon_prompt, whisper_prompt
from rehearse.score import score_answer
from rehearse.transcribe import TranscribeOptions, transcribe

ROOT = Path(__file__).resolve().parent.parent

# Fillers inserted into the sample answers, two per sentence, set off by commas as a speaker's
# hesitation: one opens the sentence, one follows its 4th word.
OPENING_FILLERS = ["Um", "So", "Hmm", "Er"]
INNER_FILLERS = ["uh", "like", "you know", "I mean"]

# A deck whose answers are full of jargon, and answers to it.
JARGON_DECK = {
    "tools": "We track every task in Jira and review all code in GitLab. "
             "Jenkins builds and tests each change before it reaches production.",
    "platform": "Our CMP manages cloud accounts for forty teams. "
                "It runs on Kubernetes and keeps its data in PostgreSQL.",
    "infra": "I wrote the Terraform modules for our network. "
             "I also built Grafana dashboards that show the cost of each service.",
}
JARGON_TERMS = ["Jira", "GitLab", "Jenkins", "CMP", "Kubernetes", "PostgreSQL", "Terraform", "Grafana"]
JARGON_SPOKEN = [
    ("tools", "We track every task in Jira and review all code in GitLab."),
    ("tools", "Jenkins builds and tests each change before it reaches production."),
    ("platform", "Our CMP manages cloud accounts for forty teams."),
    ("platform", "It runs on Kubernetes and keeps its data in PostgreSQL."),
    ("infra", "I wrote the Terraform modules for our network."),
    ("infra", "I also built Grafana dashboards that show the cost of each service."),
    ("tools", "I moved our release notes from spreadsheets into Jira, and Jenkins posts each "
              "build to GitLab."),
    ("platform", "Before the CMP, every team asked for servers by email."),
]
# (question, kind, what is said): answers that never name the deck's terms
INFLATION = [
    ("tools", "other-tools", "We track every task in Trello and review all code on Bitbucket. "
                             "Travis builds and tests each change before it reaches production."),
    ("tools", "partial", "We review all code carefully and test each change."),
    ("tools", "off-topic", "I enjoy turning slow manual work into simple tools that save people time."),
    ("platform", "other-tools", "Our portal manages cloud accounts for forty teams. "
                                "It runs on virtual machines and keeps its data in MySQL."),
    ("platform", "off-topic", "My greatest strength is that I stay calm under pressure."),
    ("infra", "partial", "I built dashboards that show the cost of each service."),
    ("infra", "pause", "I wrote some scripts for our network. <3> And that is all I did."),
    ("platform", "trailing-silence", "Our portal manages cloud accounts. <8>"),
    ("tools", "full", "We track every task in Jira and review all code in GitLab. "
                      "Jenkins builds and tests each change before it reaches production."),
    ("platform", "full", "Our CMP manages cloud accounts for forty teams. "
                         "It runs on Kubernetes and keeps its data in PostgreSQL."),
]
NOISES = ["silence", "white", "pink", "hum"]


def insert_fillers(answer: str, offset: int = 0) -> tuple[str, int]:
    """The answer with two fillers in each sentence, and how many were inserted."""
    out = []
    for i, sentence in enumerate(s for s in re.split(r"(?<=[.?!])\s+", answer.strip()) if s):
        words = sentence.split()
        words[3] += ","
        words.insert(4, INNER_FILLERS[(offset + i) % 4] + ",")
        first = words[0] if words[0] == "I" else words[0].lower()
        out.append(" ".join([f"{OPENING_FILLERS[(offset + i) % 4]},", first, *words[1:]]))
    return " ".join(out), 2 * len(out)


def noise(kind: str, seconds: float, seed: int = 0) -> np.ndarray:
    """Synthetic non-speech: silence, white noise, pink (1/f) noise or a 50 Hz mains hum."""
    n = int(seconds * SAMPLE_RATE)
    rng = np.random.default_rng(seed)
    if kind == "silence":
        return np.zeros(n, np.float32)
    if kind == "white":
        return (0.05 * rng.standard_normal(n)).astype(np.float32)
    if kind == "pink":
        spectrum = np.fft.rfft(rng.standard_normal(n))
        f = np.arange(spectrum.size)
        f[0] = 1
        pink = np.fft.irfft(spectrum / np.sqrt(f), n)
        return (0.2 * pink / np.abs(pink).max()).astype(np.float32)
    t = np.arange(n) / SAMPLE_RATE
    return (0.1 * np.sin(2 * np.pi * 50 * t) + 0.03 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)


def speak(text: str, folder: Path, name: str, voice: str, wpm: int) -> np.ndarray:
    """espeak-ng audio of ``text`` at 16 kHz; ``<N>`` in the text is N seconds of silence."""
    parts = re.split(r"\s*<(\d+(?:\.\d+)?)>\s*", text)
    audio = []
    for k, part in enumerate(parts):
        if k % 2:
            audio.append(np.zeros(int(float(part) * SAMPLE_RATE), np.float32))
        elif part.strip():
            audio.append(read_audio(synthesise(part, folder / f"{name}-{k}.wav", voice, wpm)))
    audio.append(np.zeros(int(0.5 * SAMPLE_RATE), np.float32))
    return np.concatenate(audio)


def normalise(text: str) -> str:
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()(text)


def without_fillers(text: str) -> str:
    found = find_fillers(text, "en")
    for f in reversed(found):
        text = text[: f.start] + text[f.end :]
    return text


def wer(refs: list[str], hyps: list[str]) -> float:
    import jiwer

    pairs = [(normalise(without_fillers(r)), normalise(without_fillers(h)))
             for r, h in zip(refs, hyps, strict=True)]
    return round(float(jiwer.wer([r for r, _ in pairs], [h or "-" for _, h in pairs])), 3)


def term_hits(text: str, terms: list[str]) -> int:
    """How many of ``terms`` appear spelled right (case-insensitive, whole word)."""
    return sum(bool(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text, re.IGNORECASE)) for t in terms)


def run(name: str, prompt: str | None, clips: dict, deck_texts: list[str]) -> dict:
    """Transcribe and score every clip with one prompt setting."""
    import torch

    opts = TranscribeOptions(initial_prompt=prompt)
    times: list[float] = []
    speech_segments: list[dict] = []  # Whisper's own ratings of the segments of real speech

    def hear(audio: np.ndarray, prepared: str, qid: str, deck: list[str] | None = None,
             speech: bool = True):
        torch.manual_seed(0)  # temperature fallback samples: the same draw for every setting
        start = time.perf_counter()
        t = transcribe(audio, "en", opts)
        times.append(time.perf_counter() - start)
        s = score_answer(qid, prepared, [], t, language="en", deck_texts=deck, prompt=prompt)
        if speech:  # which segments the scorer dropped as not speech
            speech_segments.extend(
                {"text": g.text, "no_speech_prob": round(g.no_speech_prob, 3),
                 "avg_logprob": round(g.avg_logprob, 3),
                 "dropped": bool(g.text.strip()) and g.text.strip() not in s.transcript}
                for g in t.segments)
        return t, s

    result: dict = {"prompt": prompt, "prompt_chars": len(prompt or "")}
    # fillers (and the rest's WER), and the clean answers
    if clips["fillers"]:
        inserted = counted = kept = 0
        refs, hyps, items, per_answer = [], [], {}, []
        for qid, (text, n, audio, prepared) in clips["fillers"].items():
            t, s = hear(audio, prepared, qid)
            inserted += n
            counted += s.fillers.count
            kept += min(n, s.fillers.count)
            for k, v in s.fillers.items.items():
                items[k] = items.get(k, 0) + v
            refs.append(text)
            hyps.append(s.transcript)
            per_answer.append({"id": qid, "inserted": n, "counted": s.fillers.count, "transcript": t.text})
        result["fillers"] = {"inserted": inserted, "counted": counted,
                             "recall": round(kept / inserted, 3), "items": items,
                             "wer_rest": wer(refs, hyps), "answers": per_answer}
    if clips["clean"]:
        refs, hyps, phantoms, per_answer = [], [], 0, []
        for qid, (text, audio, prepared) in clips["clean"].items():
            t, s = hear(audio, prepared, qid)
            phantoms += s.fillers.count
            refs.append(text)
            hyps.append(s.transcript)
            per_answer.append({"id": qid, "fillers": s.fillers.count, "coverage": s.coverage,
                               "transcript": t.text})
        result["clean"] = {"wer": wer(refs, hyps), "phantom_fillers": phantoms, "answers": per_answer}
    # answers longer than Whisper's 30 s window: is a window lost?
    if clips["long"]:
        inserted = kept = lost = 0
        refs, hyps, per_answer = [], [], []
        for qid, (text, n, audio, prepared) in clips["long"].items():
            t, s = hear(audio, prepared, qid)
            inserted += n
            kept += min(n, s.fillers.count)
            share = len(normalise(without_fillers(s.transcript)).split()) / len(
                normalise(without_fillers(text)).split())
            lost += share < 0.85
            refs.append(text)
            hyps.append(s.transcript)
            per_answer.append({"id": qid, "seconds": round(audio.size / SAMPLE_RATE, 1), "inserted": n,
                               "counted": s.fillers.count, "words_heard_share": round(share, 2),
                               "transcript": t.text})
        result["long"] = {"answers": per_answer, "lost_windows": lost, "wer": wer(refs, hyps),
                          "filler_recall": round(kept / inserted, 3) if inserted else None}
    # jargon spelled right
    if clips["jargon"]:
        hits = total = 0
        per_sentence = []
        for qid, text, audio in clips["jargon"]:
            terms = [term for term in JARGON_TERMS if term_hits(text, [term])]
            t, s = hear(audio, JARGON_DECK[qid], qid, deck_texts)
            got = term_hits(s.transcript, terms)
            hits += got
            total += len(terms)
            per_sentence.append({"said": text, "heard": t.text, "terms": len(terms), "right": got})
        result["jargon"] = {"terms": total, "right": hits, "accuracy": round(hits / total, 3),
                            "wer": wer([p["said"] for p in per_sentence], [p["heard"] for p in per_sentence]),
                            "sentences": per_sentence}
    # coverage of answers that never say the deck's terms (and of full answers)
    if clips["inflation"]:
        rows = []
        for qid, kind, _said, audio in clips["inflation"]:
            t, s = hear(audio, JARGON_DECK[qid], qid, deck_texts)
            rows.append({"question": qid, "kind": kind, "heard": t.text, "scored": s.transcript,
                         "coverage": s.coverage, "score": s.score, "no_speech": s.no_speech,
                         "terms_heard": [term for term in JARGON_TERMS if term_hits(s.transcript, [term])]})
        result["inflation"] = rows
    # silence and noise
    if clips["noise"]:
        rows = []
        for kind, audio in clips["noise"].items():
            t, s = hear(audio, JARGON_DECK["tools"], "tools", deck_texts, speech=False)
            rows.append({"kind": kind, "heard": t.text, "no_speech": s.no_speech, "score": s.score,
                         "transcribe_s": round(times[-1], 1),
                         "segments": [(round(g.no_speech_prob, 2), round(g.avg_logprob, 2))
                                      for g in t.segments]})
        result["noise"] = rows
    result["speech_segments"] = speech_segments
    result["transcribe_s"] = {"total": round(sum(times), 1), "median": round(statistics.median(times), 2),
                              "max": round(max(times), 1)}
    print(f"  {name}: done in {sum(times):.0f} s", flush=True)
    return result


def settings(deck_texts: list[str]) -> dict[str, str | None]:
    """The prompt settings compared: none, each part alone, the parts one after the other (both
    ways round), one sentence of fillers and terms, and the one practice uses
    (:func:`rehearse.prompts.whisper_prompt`)."""
    jargon = jargon_prompt(deck_texts, "en")
    return {
        "none": None,
        "filler": filler_prompt("en"),
        "jargon": jargon or None,
        "filler+jargon": f"{filler_prompt('en')} {jargon}".strip(),
        "jargon+filler": f"{jargon} Umm, let me think like, hmm...".strip(),
        "jargon sentence": whisper_prompt(deck_texts, "en", jargon=True),
        "whisper_prompt": whisper_prompt(deck_texts, "en"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="en-us")
    parser.add_argument("--wpm", type=int, default=135)
    parser.add_argument("--only", default="", help="comma-separated settings to run")
    parser.add_argument("--sections", default="", help="comma-separated parts to run (fillers, clean, "
                        "long, jargon, inflation, noise); default all")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "prompts.json"))
    args = parser.parse_args()
    deck_texts = list(JARGON_DECK.values())
    prompts = settings(deck_texts)
    if args.only:
        prompts = {k: v for k, v in prompts.items() if k in args.only.split(",")}
    sample = yaml.safe_load((ROOT / "questions" / "sample-en.yaml").read_text("utf-8"))
    answers = [(q["id"], q["answer"]) for q in sample["questions"]] + list(JARGON_DECK.items())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clips: dict = {"fillers": {}, "clean": {}, "long": {}, "jargon": [], "inflation": [], "noise": {}}
        for i, (qid, answer) in enumerate(answers):
            text, n = insert_fillers(answer, 2 * i)
            clips["fillers"][qid] = (text, n, speak(text, folder, f"f{i}", args.voice, args.wpm), answer)
            if qid not in JARGON_DECK:
                clips["clean"][qid] = (answer, speak(answer, folder, f"c{i}", args.voice, args.wpm), answer)
        # long answers (30-90 s, as real ones): two or three answers said one after the other
        gap = np.zeros(int(0.7 * SAMPLE_RATE), np.float32)
        parts = list(clips["fillers"].items())
        for ids in ([0, 1], [2, 3], [4, 5, 6], [0, 2, 4]):
            picked = [parts[k] for k in ids]
            name = "+".join(qid for qid, _ in picked)
            text = " ".join(c[0] for _, c in picked)
            audio = np.concatenate([x for _, c in picked for x in (c[2], gap)])
            clips["long"][name] = (text, sum(c[1] for _, c in picked), audio,
                                   " ".join(c[3] for _, c in picked))
        clean = list(clips["clean"].items())
        text = " ".join(c[0] for _, c in clean[:3])
        clips["long"]["clean:" + "+".join(qid for qid, _ in clean[:3])] = (
            text, 0, np.concatenate([x for _, c in clean[:3] for x in (c[1], gap)]), text)
        for i, (qid, text) in enumerate(JARGON_SPOKEN):
            clips["jargon"].append((qid, text, speak(text, folder, f"j{i}", args.voice, args.wpm)))
        for i, (qid, kind, text) in enumerate(INFLATION):
            clips["inflation"].append((qid, kind, text, speak(text, folder, f"i{i}", args.voice, args.wpm)))
        for k, kind in enumerate(NOISES):
            clips["noise"][kind] = noise(kind, 6.0, seed=k)
        if args.sections:
            clips = {k: v if k in args.sections.split(",") else type(v)() for k, v in clips.items()}
        transcribe(noise("silence", 1.0), "en")  # load the model (not timed)
        results: dict[str, dict] = {}
        for name, prompt in prompts.items():
            same = next((k for k in results if prompts[k] == prompt), None)
            if same is not None:
                results[name] = {**results[same], "same_as": same}
                continue
            print(f"{name}: {prompt!r}", flush=True)
            results[name] = run(name, prompt, clips, deck_texts)
    report = {"voice": args.voice, "espeak_wpm": args.wpm, "model": "base", "engine": "openai-whisper",
              "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
              "python": platform.python_version(), "settings": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(results)
    print(f"wrote {out}")


def table_rows(results: dict) -> list[dict[str, str]]:
    """One row of figures per setting ("-" for a part not run)."""
    rows = []
    base = results.get("none", {})
    for name, r in results.items():
        row = {"setting": name, "chars": str(r["prompt_chars"])}
        if "fillers" in r:
            f = r["fillers"]
            row["filler recall"] = f"{f['recall']:.0%} ({f['counted']}/{f['inserted']})"
            row["WER rest"] = f"{f['wer_rest']:.3f}"
        if "clean" in r:
            row["WER clean"] = f"{r['clean']['wer']:.3f}"
            row["phantom fillers"] = str(r["clean"]["phantom_fillers"])
        if "long" in r:
            row["long: lost"] = f"{r['long']['lost_windows']}/{len(r['long']['answers'])}"
            row["long: WER"] = f"{r['long']['wer']:.3f}"
            row["long: filler recall"] = f"{r['long']['filler_recall']:.0%}"
        if "jargon" in r:
            row["jargon right"] = f"{r['jargon']['right']}/{r['jargon']['terms']}"
        if "inflation" in r:
            no_term = [x for x in r["inflation"] if x["kind"] != "full"]
            row["cov. no-term"] = f"{statistics.mean(x['coverage'] for x in no_term):.2f}"
            if "inflation" in base:
                rises = [x["coverage"] - b["coverage"] for x, b in zip(r["inflation"], base["inflation"],
                                                                         strict=True) if x["kind"] != "full"]
                row["max rise"] = f"{max(rises):+.2f}"
            full = [x["coverage"] for x in r["inflation"] if x["kind"] == "full"]
            row["cov. full"] = f"{statistics.mean(full):.2f}"
        if "noise" in r:
            row["no_speech"] = f"{sum(x['no_speech'] for x in r['noise'])}/{len(r['noise'])}"
            row["noise s"] = f"{max(x['transcribe_s'] for x in r['noise']):.0f}"
        row["s/clip"] = f"{r['transcribe_s']['median']:.1f}"
        rows.append(row)
    return rows


def print_table(results: dict) -> None:
    rows = table_rows(results)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    widths = {c: max(len(c), *(len(row.get(c, "-")) for row in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(row.get(c, "-").rjust(widths[c]) for c in columns))
    for name, r in results.items():
        segs = [g for g in r["speech_segments"] if g["text"].strip()]
        kept = [g for g in segs if not g["dropped"]]
        if kept:
            print(f"{name}: {len(segs)} segments of speech, dropped as not speech: "
                  f"{[g['text'] for g in segs if g['dropped']]}; the kept ones have no_speech_prob <= "
                  f"{max(g['no_speech_prob'] for g in kept):.2f}, avg_logprob >= "
                  f"{min(g['avg_logprob'] for g in kept):.2f}")


if __name__ == "__main__":
    main()
