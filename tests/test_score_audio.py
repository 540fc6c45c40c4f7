"""Delivery figures and "no answer detected" on real audio: espeak-ng English with known content,
through the real Whisper base transcriber, scored by the real scorer.

Fillers are written into the spoken text, pauses are silence put between espeak-ng clips, pace
comes from two espeak-ng rates; silence, noise and hum must give ``no_speech``. One model load
(cached by the transcriber), short clips. The prompt is the one practice gives Whisper
(:func:`rehearse.prompts.whisper_prompt`); see bench/PROMPTS.md for the measurements behind it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from rehearse.audio import SAMPLE_RATE, read_audio
from rehearse.fillers import find_fillers
from rehearse.nospeech import is_no_speech
from rehearse.prompts import filler_prompt, whisper_prompt
from rehearse.score import NO_ANSWER, Score, score_answer
from rehearse.transcribe import TranscribeOptions, transcribe
from rehearse.transcript import Segment, Transcript, Word
from rehearse.voice import heard_voice

ROOT = Path(__file__).resolve().parent.parent
DECK = yaml.safe_load((ROOT / "questions" / "sample-en.yaml").read_text("utf-8"))
DECK_TEXTS = [q["answer"] for q in DECK["questions"]]
PREPARED = DECK["questions"][0]["answer"]
PROMPT = whisper_prompt(DECK_TEXTS, "en")

# five fillers, each set off by commas the way a speaker hesitates
WITH_FILLERS = ("Um, I am a software engineer with, uh, six years of experience. So, for the last three "
                "years I have, like, led a small team, you know, that runs our payment system.")
FILLERS_SAID = 5
PLAIN = "I am a software engineer with six years of experience building web services."
PLAIN_WORDS = 13


# --- what real audio taught the scorer (Whisper output seen in bench/bench_prompts.py) ----------
def test_fillers_in_the_spellings_whisper_writes() -> None:
    said = "Err, now I want to, I mean, grow. Umm, I led it. Hmmm, and, uh, Mhm."
    found = find_fillers(said, "en")
    assert [f.text.lower() for f in found] == ["err", "i mean", "umm", "hmmm", "uh", "mhm"]
    assert is_no_speech(Transcript.from_text("Err... Ummm. Mhm.", "en"))


def _seg(text: str, no_speech_prob: float, avg_logprob: float, start: float = 0.0) -> Segment:
    return Segment(start, start + 3.0, text, no_speech_prob=no_speech_prob, avg_logprob=avg_logprob)


@pytest.mark.parametrize(("text", "no_speech_prob", "avg_logprob"), [
    ("Okay. Let me think like, hmm, okay, here's what I'm, like, thinking.", 0.53, -0.99),  # silence
    ("Okay, here's what I'm, like, thinking.", 0.65, -0.85),  # pink noise, filler prompt
    ("I'm, like, thinking.", 0.79, -0.94),  # 50 Hz hum, filler prompt
    ("Oh, man, the cl nochmal twist.", 0.53, -3.92),  # silence, filler prompt
    ("I'm going to get you a little bit more.", 0.79, -0.83),  # pink noise, no prompt
    ("I'm gonna have to wait for the first hour, and make some two...", 0.56, -2.96),  # white noise
    ("video members", 0.40, -5.83),  # the silence after a short answer
    ("brick convert.", 0.44, -1.66),  # the second window of a 33 s answer
])
def test_whisper_hallucinations_on_silence_and_noise_are_no_answer(
        text: str, no_speech_prob: float, avg_logprob: float) -> None:
    transcript = Transcript(text, "en", [_seg(text, no_speech_prob, avg_logprob)], duration_s=6.0)
    assert is_no_speech(transcript, prompt=filler_prompt("en"))
    assert judge(transcript).no_speech


def test_an_echo_of_the_jargon_prompt_covers_nothing() -> None:
    deck = ["We track every task in Jira and review all code in GitLab.",
            "Our CMP runs on Kubernetes and keeps its data in PostgreSQL."]
    prompt = whisper_prompt(deck, "en", jargon=True)
    said = _seg("We review all code carefully.", 0.02, -0.3)
    for ns in (0.3, 0.45):  # too sure of itself for Whisper's own silence rule
        echo = _seg("Jira, GitLab, CMP, Kubernetes.", ns, -0.4, start=4.0)
        t = Transcript(f"{said.text} {echo.text}", "en", [said, echo], duration_s=8.0)
        score = score_answer("q", deck[0], [], t, language="en", deck_texts=deck, prompt=prompt)
        # "review all code" is half the point; the echoed Jira and GitLab would make it whole
        assert "Jira" not in score.transcript and score.coverage <= 0.5
        assert is_no_speech(Transcript(echo.text, "en", [echo]), prompt=prompt)
    # the same words said clearly are an answer
    listed = _seg("Jira, GitLab.", 0.06, -0.2)
    assert not is_no_speech(Transcript(listed.text, "en", [listed]), prompt=prompt)


def test_a_hallucinated_tail_is_dropped_from_a_real_answer() -> None:
    real = _seg("I rewrote it as a single query and added a cache for the product data.", 0.05, -0.3)
    tail = _seg("They had come during the Olympics.", 0.51, -1.63, start=5.0)
    t = Transcript(f"{real.text} {tail.text}", "en", [real, tail], duration_s=9.0)
    score = judge(t)
    assert not score.no_speech and "Olympics" not in score.transcript


def test_the_first_word_after_silence_starts_where_it_is_heard() -> None:
    # Whisper's words for 1.5 s of silence, "I am a software engineer.", 3 s, "I have led a small
    # team." (espeak-ng: sound starts at 1.5 s; engineer ends at 3.26 s, the second "I" at 6.71 s)
    timings = [("I", 0.8, 1.6), ("am", 1.6, 1.72), ("a", 1.72, 1.86), ("software", 1.86, 2.26),
               ("engineer.", 2.26, 3.02), ("I", 6.02, 6.82), ("have", 6.82, 7.02), ("led", 7.02, 7.24),
               ("a", 7.24, 7.52), ("small", 7.52, 7.7), ("team.", 7.7, 8.26)]
    words = [Word(" " + w, a, b) for w, a, b in timings]
    text = " ".join(w for w, _a, _b in timings)
    score = judge(Transcript(text, "en", [Segment(0.8, 8.26, text, words)], duration_s=9.0))
    assert score.time_to_first_word_s == pytest.approx(1.5, abs=0.15)  # not 0.8
    assert score.pauses.count == 1 and score.pauses.longest_s == pytest.approx(3.45, abs=0.2)
    # a drawn-out "ummm" really lasts that long
    um = [Word(" Ummm,", 0.8, 1.6), *words[1:5]]
    text = "Ummm, am a software engineer."
    assert judge(Transcript(text, "en", [Segment(0.8, 3.02, text, um)])).time_to_first_word_s == 0.8


def test_whisper_prompt_is_the_filler_prompt_and_can_name_the_jargon() -> None:
    deck = ["We track every task in Jira and review all code in GitLab. Jenkins builds each change.",
            "Our CMP runs on Kubernetes and keeps its data in PostgreSQL. Since then it grew."]
    assert whisper_prompt(deck, "en") == filler_prompt("en")  # jargon lost speech: bench/PROMPTS.md
    assert whisper_prompt(deck, "ko") == filler_prompt("ko")
    prompt = whisper_prompt(deck, "en", jargon=True)
    assert prompt is not None and len(prompt) <= 120
    for term in ("Jira", "GitLab", "Jenkins", "CMP", "Kubernetes", "PostgreSQL"):
        assert term in prompt
    assert "Since" not in prompt and len(find_fillers(prompt, "en")) >= 3
    assert whisper_prompt(DECK_TEXTS, "en", jargon=True) == filler_prompt("en")  # no jargon there
    many = [" ".join(f"Tool{i}x" for i in range(40)) + " are ours."]
    assert len(whisper_prompt(many, "en", jargon=True)) <= 120
    ko = whisper_prompt(["CMP는 클라우드 관리 플랫폼입니다. Jenkins로 배포했습니다."], "ko", jargon=True)
    assert "CMP" in ko and "Jenkins" in ko and len(find_fillers(ko, "ko")) >= 2


# --- real audio ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def audio(espeak, whisper_base, tmp_path_factory):
    """``audio(text, wpm)`` -> 16 kHz samples of espeak-ng saying ``text`` (cached)."""
    from rehearse.demo import synthesise

    folder = tmp_path_factory.mktemp("espeak")

    @cache
    def say(text: str, wpm: int = 135) -> np.ndarray:
        path = folder / f"{abs(hash((text, wpm)))}.wav"
        return read_audio(synthesise(text, path, wpm=wpm))

    return say


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def hear(samples: np.ndarray, prompt: str | None = PROMPT) -> Transcript:
    return transcribe(samples, "en", TranscribeOptions(initial_prompt=prompt))


def judge(transcript: Transcript, prompt: str | None = PROMPT) -> Score:
    return score_answer("tell-me-about-yourself", PREPARED, [], transcript, language="en",
                        time_limit_s=90, deck_texts=DECK_TEXTS, prompt=prompt)


def test_fillers_said_are_counted_with_the_prompt(audio):
    samples = audio(WITH_FILLERS)
    with_prompt = judge(hear(samples))
    without = judge(hear(samples, prompt=None), prompt=None)
    print(f"\nfillers said {FILLERS_SAID}: counted {with_prompt.fillers.count} with the prompt "
          f"{with_prompt.fillers.items}, {without.fillers.count} without {without.fillers.items}")
    assert with_prompt.fillers.count >= FILLERS_SAID - 1, with_prompt.transcript
    assert with_prompt.fillers.count <= FILLERS_SAID, with_prompt.transcript
    assert with_prompt.fillers.count >= without.fillers.count
    span_min = (samples.size / SAMPLE_RATE) / 60
    assert with_prompt.fillers.per_minute >= with_prompt.fillers.count / span_min  # speech < audio
    assert with_prompt.fillers.per_minute > 12  # 5 fillers in ~12 s: "clearly hurts"
    assert with_prompt.delivery.fillers == 0 and "fillers/min" in with_prompt.verdict


@pytest.mark.parametrize(("wpm", "band"), [(110, "ok"), (200, "fast")])
def test_pace_of_two_espeak_rates_lands_in_its_band(audio, wpm, band):
    samples = audio(PLAIN, wpm)
    score = judge(hear(samples))
    speech = np.flatnonzero(np.abs(samples) > 0.02)
    true_wpm = PLAIN_WORDS / ((speech[-1] - speech[0]) / SAMPLE_RATE / 60)
    print(f"\nespeak -s {wpm}: pace {score.pace.value} wpm (words / speech span: {true_wpm:.0f})")
    assert score.pace.band == band and score.pace.unit == "wpm"
    assert score.pace.value == pytest.approx(true_wpm, rel=0.15)
    assert score.fillers.count == 0, score.transcript  # the prompt invents none
    assert score.pauses.count == 0


def _speech_span(samples: np.ndarray) -> tuple[float, float, list[float]]:
    """From the samples themselves: first and last sound (s) and the silences longer than 0.3 s."""
    frames = np.abs(samples[: samples.size // 160 * 160]).reshape(-1, 160).max(axis=1) > 0.02
    on = np.flatnonzero(frames) / 100  # 10 ms frames
    gaps = [float(b - a) for a, b in zip(on, on[1:], strict=False) if b - a > 0.3]
    return float(on[0]), float(on[-1]), gaps


def test_pauses_and_time_to_first_word_from_inserted_silence(audio):
    first, second, third = ("I am a software engineer.", "I have led a small team.",
                            "Now I want to mentor more engineers.")
    samples = np.concatenate([silence(1.5), audio(first), silence(3.0), audio(second), silence(1.0),
                              audio(third), silence(0.5)])
    onset, _end, gaps = _speech_span(samples)
    score = judge(hear(samples))
    print(f"\npauses {score.pauses}, first word at {score.time_to_first_word_s} s; in the audio: "
          f"first sound at {onset} s, silences {gaps}")
    assert len(gaps) == 2 and gaps[0] > 3.0 and 1.0 < gaps[1] < 2.0  # espeak-ng adds its own
    assert score.pauses.count == 1  # the 3 s gap; the 1 s one is not long
    assert score.pauses.longest_s == pytest.approx(gaps[0], abs=0.5)
    # Whisper starts a word after silence up to 0.7 s early; the scorer repairs that
    assert score.time_to_first_word_s == pytest.approx(onset, abs=0.3)
    assert score.delivery.pauses == 85
    assert not score.no_speech and score.coverage > 0


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size)
    f[0] = 1
    pink = np.fft.irfft(spectrum / np.sqrt(f), n)
    return 0.2 * pink / np.abs(pink).max()


def _non_speech(kind: str, seconds: float = 4.0) -> np.ndarray:
    n, rng = int(seconds * SAMPLE_RATE), np.random.default_rng(7)
    t = np.arange(n) / SAMPLE_RATE
    return {
        "silence": lambda: np.zeros(n),
        "white noise": lambda: 0.05 * rng.standard_normal(n),
        "pink noise": lambda: _pink(n, rng),
        "50 Hz hum": lambda: 0.1 * np.sin(2 * np.pi * 50 * t) + 0.03 * np.sin(2 * np.pi * 150 * t),
    }[kind]().astype(np.float32)


# With a prompt Whisper rarely calls silence silence: it echoes the prompt or makes sentences up
# and retries at higher temperatures (up to 40 s for 4 s of silence on 2 busy cores), so only the
# hum, which it answers with an echo at once, runs here with the prompt; bench/bench_prompts.py
# runs every kind with every prompt.
@pytest.mark.parametrize(("kind", "prompt"), [
    ("silence", None), ("white noise", None), ("pink noise", None), ("50 Hz hum", None),
    ("50 Hz hum", PROMPT),
], ids=["silence", "white-noise", "pink-noise", "hum", "hum-with-prompt"])
def test_silence_and_noise_are_no_answer(whisper_base, kind, prompt):
    transcript = hear(_non_speech(kind), prompt)
    score = judge(transcript, prompt)
    print(f"\n{kind}: heard {transcript.text!r}")
    assert score.no_speech and score.score == 0 and score.coverage == 0
    assert score.verdict == NO_ANSWER
    assert all(k.status == "missed" and k.evidence is None for k in score.key_points)
    assert json.loads(json.dumps(score.to_dict()))["no_speech"] is True


# --- what practice does with this: the prompt, and no Whisper for an answer without voice -------
@pytest.mark.parametrize("kind", ["silence", "white noise", "pink noise", "50 Hz hum"])
def test_no_voice_in_silence_or_steady_noise(kind):
    assert not heard_voice(_non_speech(kind), SAMPLE_RATE)


def test_voice_heard_in_speech_even_when_quiet_and_over_noise(audio):
    speech = audio(PLAIN)
    assert heard_voice(speech, SAMPLE_RATE)
    assert heard_voice(0.05 * speech, SAMPLE_RATE)  # 26 dB down: a quiet microphone
    noise = _non_speech("white noise", speech.size / SAMPLE_RATE) * 0.2
    assert heard_voice(speech + noise, SAMPLE_RATE)
    # a sigh of 0.2 s is not an answer
    assert not heard_voice(np.concatenate([silence(3.0), speech[:int(0.2 * SAMPLE_RATE)]]), SAMPLE_RATE)


def test_practice_gives_whisper_the_filler_prompt_and_skips_it_on_silence(audio, tmp_path, workspace_dir):
    """A session over two answer files: one with five fillers, one of silence. With the prompt
    Whisper keeps the fillers (3 of 5 without it, above); the silent answer never reaches Whisper,
    which given the prompt would echo it or make a sentence up."""
    import soundfile as sf

    from rehearse.deck import load_deck
    from rehearse.demo import sample_deck_path
    from rehearse.practice import PracticeOptions, run_session
    from rehearse.speak import SpeakOptions

    deck = load_deck(sample_deck_path())
    first, second = deck.questions[0].id, deck.questions[1].id
    answers = tmp_path / "answers"
    answers.mkdir()
    sf.write(answers / f"{first}.wav", audio(WITH_FILLERS), SAMPLE_RATE)
    sf.write(answers / f"{second}.wav", silence(6.0), SAMPLE_RATE)
    result = run_session(deck, PracticeOptions(only=[first, second], follow_ups=False,
                                               answers_from=answers,
                                               speak=SpeakOptions(enabled=False)))
    spoken, silent = result.attempts
    print(f"\npractice heard {spoken.transcript.text!r}: fillers {spoken.score.fillers.items}")
    assert spoken.score.fillers.count >= FILLERS_SAID - 1, spoken.transcript.text
    assert silent.transcript.text == "" and silent.transcript.segments == []
    assert silent.score.no_speech and silent.score.verdict == NO_ANSWER


# --- voice Whisper makes no words of ---------------------------------------------------------------
# the seed deck's answer to 낭비되는-자원을-…: espeak-ng's Korean is voice Whisper base cannot make
# out (as mumbling, another language or a distorted microphone would be)
UNCLEAR_KO = ("인적자원과 물적자원이 낭비된다고 판단하였습니다. 서버 구매, 소프트웨어 설치 등, "
              "IT 인프라 환경 조성에 드는 인적자원과 서비스를 구동하고나서 남는 물적자원인 리소스입니다.")


def test_voice_whisper_makes_no_words_of_is_unclear_and_decoded_once(espeak, whisper_base, tmp_path,
                                                                       monkeypatch):
    """15 s of espeak-ng Korean on the Korean seed deck, as practice transcribes it: Whisper's
    greedy decode of the window is a repetition loop in a window it rates as not speech, and it is
    not decoded again at higher temperatures (before, it was, three times in all: bench_unclear.py);
    the answer is "no words made out" with its seconds of voice, not "no answer"."""
    from whisper import decoding

    from rehearse.deck import load_deck
    from rehearse.decoding import COMPRESSION_MAX, LOGPROB_MIN, NO_SPEECH_MIN
    from rehearse.demo import synthesise
    from rehearse.evaluate import deck_transcribe_options, evaluate, transcribe_heard
    from rehearse.score import unclear_verdict

    runs: list[tuple[float, decoding.DecodingResult]] = []
    real_run = decoding.DecodingTask.run

    def run(task, mel):
        results = real_run(task, mel)
        runs.extend((task.options.temperature, r) for r in results)
        return results

    monkeypatch.setattr(decoding.DecodingTask, "run", run)
    deck = load_deck(ROOT / "questions" / "interview-prep-ko.yaml")
    question = next(q for q in deck.walk() if q.id.startswith("낭비되는-자원을"))
    samples = read_audio(synthesise(UNCLEAR_KO, tmp_path / "ko.wav", voice="ko", wpm=175))
    options = deck_transcribe_options(deck, TranscribeOptions())
    transcript = transcribe_heard(samples, "ko", options)
    score = evaluate(deck, question, transcript, options.initial_prompt)
    decodes = [(t, round(r.avg_logprob, 2), round(r.no_speech_prob, 2), round(r.compression_ratio, 1))
               for t, r in runs]
    print(f"\nheard {transcript.text!r}; decodes (temperature, logprob, no speech, compression) {decodes}")
    assert transcript.voiced_s is not None and transcript.voiced_s > 5.0
    assert score.unclear and not score.no_speech and score.score == 0
    assert score.verdict == unclear_verdict(transcript.voiced_s)
    assert "no words could be made out" in score.verdict and "language" in score.verdict
    assert runs and all(t == 0.0 for t, _ in runs)  # one greedy decode a window, no retry
    assert any(r.no_speech_prob > NO_SPEECH_MIN and (r.compression_ratio > COMPRESSION_MAX
                                                     or r.avg_logprob < LOGPROB_MIN) for _, r in runs)
