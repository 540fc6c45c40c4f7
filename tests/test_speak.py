"""Speaking questions: real pyttsx3/espeak-ng rendering, voice choice, the cache, playback."""

from __future__ import annotations

import soundfile as sf

from rehearse import speak


def test_voice_follows_the_deck_language():
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
