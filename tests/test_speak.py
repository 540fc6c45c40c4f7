"""Speaking questions: real pyttsx3/espeak-ng rendering, voice choice, the cache, playback."""

from __future__ import annotations

import soundfile as sf

from rehearse import speak


def test_voice_follows_the_deck_language(espeak):
    en = speak.choose_voice("en")
    ko = speak.choose_voice("ko")
    assert "en" in en and "ko" in ko


def test_render_makes_audio_and_reuses_the_cache(tmp_path, espeak):
    voice = speak.choose_voice("en")
    path = speak.render("Tell me about yourself.", voice, tmp_path)
    info = sf.info(str(path))
    assert info.frames / info.samplerate > 0.5
    mtime = path.stat().st_mtime_ns
    assert speak.render("Tell me about yourself.", voice, tmp_path) == path
    assert path.stat().st_mtime_ns == mtime
    assert speak.render("Why this role?", voice, tmp_path) != path


def test_korean_question_renders(tmp_path, espeak):
    path = speak.render("자기소개를 해 주세요.", speak.choose_voice("ko"), tmp_path)
    assert sf.info(str(path)).frames > 0


def test_speak_plays_on_the_output_device(null_sink, tmp_path, espeak):
    path = speak.render("Hello.", speak.choose_voice("en"), tmp_path)
    speak.speak(path)  # raises DeviceError if PortAudio cannot play


def test_a_session_renders_the_next_question_while_the_answer_is_taken(null_sink, espeak, whisper_base,
                                                                      tmp_path):
    import subprocess

    from rehearse.deck import load_deck
    from rehearse.paths import BUNDLED_QUESTIONS, workspace
    from rehearse.practice import PracticeOptions, SessionEvents, run_session

    deck = load_deck(BUNDLED_QUESTIONS / "sample-en.yaml")
    ids = [q.id for q in deck.questions[:2]]
    answers = tmp_path / "answers"
    answers.mkdir()
    for qid in ids:
        subprocess.run(["espeak-ng", "-w", str(answers / f"{qid}.wav"), "I enjoy careful work."], check=True)
    cache = workspace().tts_cache
    cached: list[list[str]] = []  # the rendered questions when each question is asked

    class Events(SessionEvents):
        def question(self, index, total, question, asked) -> None:
            cached.append(sorted(p.name for p in cache.glob("*.wav") if ".part." not in p.name))

    result = run_session(deck, PracticeOptions(only=ids, follow_ups=False, answers_from=answers),
                         events=Events())
    assert len(result.attempts) == 2
    assert cached[0] == [] and len(cached[1]) == 2  # the second was rendered during the first answer
