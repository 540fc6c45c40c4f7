"""Speak: render each question to a WAV with pyttsx3 (cached), then play it.

pyttsx3's ``say`` on espeak can return before any sound is made, so questions are rendered to a
file first and played through sounddevice: the reliable path, and it lets the output device be
chosen like the input device.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import Message, TTSError

#: Preferred voice ids per deck language (espeak-ng ids first, then other drivers' ids).
VOICE_PREFERENCES = {
    "en": ["gmw/en-us", "en-us", "gmw/en", "en"],
    "ko": ["ko", "sit/ko"],
}
LANGUAGE_NAMES = {"en": "english", "ko": "korean"}  # as Windows names its voices

# pyttsx3 keeps one engine per process and its drivers are not thread-safe.
_engine_lock = threading.Lock()
RENDER_TIMEOUT_S = 60.0  # s to wait for a question to be synthesised (espeak: ~50× real time)
RENDER_ATTEMPTS = 3  # the espeak driver now and then finishes an utterance with no audio


@dataclass
class SpeakOptions:
    """How questions are spoken."""

    voice: str | None = None  # a pyttsx3 voice id; None = chosen from the deck's language
    rate: int | None = None  # words per minute; None = the engine's default
    enabled: bool = True  # False = `--no-speak`: questions are shown only


@functools.lru_cache(maxsize=1)
def _engine():
    try:
        import pyttsx3

        engine = pyttsx3.init()
        # the espeak driver prints "Audio saved to …" for every file; silenced in its own module,
        # since redirecting sys.stdout would also hide what other threads print meanwhile
        driver = sys.modules.get("pyttsx3.drivers.espeak")
        if driver is not None:
            driver.print = lambda *args, **kwargs: None
    except (ImportError, RuntimeError, OSError) as e:
        raise TTSError(Message(
            f"the text-to-speech engine could not start ({e}); on Debian/Ubuntu install "
            "espeak-ng (sudo apt-get install espeak-ng), or use --no-speak", "tts.no_engine", detail=str(e)
        )) from e
    # free the engine while the interpreter is whole: pyttsx3's driver finaliser otherwise runs
    # during shutdown and prints an AttributeError traceback
    atexit.register(_release_engine)
    return engine


def _release_engine() -> None:
    import gc

    _engine.cache_clear()
    gc.collect()


def choose_voice(language: str, requested: str | None = None) -> str:
    """Pick the pyttsx3 voice for a deck's language (or check a requested one exists).

    Args:
        language: the deck's language code ("ko", "en").
        requested: a voice id the user or the deck asked for.

    Returns:
        A voice id the engine has.
    """
    with _engine_lock:  # a question may be rendering on another thread (`render_ahead`)
        voices = _engine().getProperty("voices")
    ids = {v.id: v for v in voices}
    if requested:
        if requested in ids:
            return requested
        for v in voices:
            if requested.lower() in (v.name or "").lower():
                return v.id
        raise TTSError(Message(f"the text-to-speech engine has no voice '{requested}'", "tts.no_voice",
                               voice=requested))
    for vid in VOICE_PREFERENCES.get(language, []):
        if vid in ids:
            return vid
    for v in voices:  # espeak: "en-us"; macOS: "ko_KR"
        if _speaks(v.languages, language):
            return v.id
    for v in voices:  # Windows (SAPI5) voices name their language only: "Microsoft Heami Desktop - Korean"
        if LANGUAGE_NAMES.get(language, "\0") in (v.name or "").lower():
            return v.id
    raise TTSError(Message(f"the text-to-speech engine has no voice for language '{language}'",
                           "tts.no_language_voice", language=language))


@dataclass(frozen=True)
class Voice:
    """One voice of the text-to-speech engine."""

    id: str  # what `SpeakOptions.voice` and `--voice` take
    name: str
    languages: tuple[str, ...]


def list_voices(language: str | None = None) -> list[Voice]:
    """The engine's voices; with ``language`` ("en", "ko"), those `choose_voice` counts as speaking it."""
    with _engine_lock:  # the engine is not thread-safe: a question may be rendering meanwhile
        voices = _engine().getProperty("voices")
    out = [Voice(str(v.id), str(v.name or v.id), tuple(str(x) for x in (v.languages or []))) for v in voices]
    if language is None:
        return out
    preferred = VOICE_PREFERENCES.get(language, [])
    return [v for v in out if v.id in preferred or _speaks(v.languages, language)
            or LANGUAGE_NAMES.get(language, "\0") in v.name.lower()]


def _speaks(languages, language: str) -> bool:
    langs = [str(x).lower().replace("_", "-") for x in (languages or [])]
    return any(x == language or x.startswith(language + "-") for x in langs)


def render(text: str, voice: str, cache_dir: Path, rate: int | None = None) -> Path:
    """Render ``text`` with ``voice`` to a WAV in ``cache_dir`` (reused when already there).

    Args:
        text: what to say.
        voice: a pyttsx3 voice id (see `choose_voice`).
        cache_dir: where rendered questions are kept, keyed by text, voice and rate.
        rate: speaking rate in words per minute, or None for the engine's default.

    Returns:
        The WAV file's path.
    """
    key = hashlib.sha256(f"{voice}\0{rate}\0{text}".encode()).hexdigest()[:24]
    path = cache_dir / f"{key}.wav"
    if path.is_file() and path.stat().st_size > 44:
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f"{key}.part.wav"
    with _engine_lock:
        if path.is_file() and path.stat().st_size > 44:  # rendered ahead while this one waited
            return path
        engine = _engine()
        engine.setProperty("voice", voice)
        if rate:
            engine.setProperty("rate", rate)
        for _ in range(RENDER_ATTEMPTS):
            tmp.unlink(missing_ok=True)
            _save(engine, text, tmp)
            if _whole_wav(tmp):
                tmp.replace(path)
                return path
    raise TTSError(Message(f"the text-to-speech engine produced no audio for voice '{voice}'", "tts.no_audio",
                           voice=voice))


def render_ahead(text: str, voice: str, cache_dir: Path, rate: int | None = None) -> threading.Thread:
    """Start rendering ``text`` into the cache in the background (the next question, while the
    current answer is recorded), so that `render` finds it there. A failure is left for `render`
    to raise when the question is asked."""

    def run() -> None:
        with contextlib.suppress(Exception):  # whatever it is, `render` meets it again
            render(text, voice, cache_dir, rate)

    thread = threading.Thread(target=run, name="rehearse-render-ahead", daemon=True)
    thread.start()
    return thread


def _save(engine, text: str, path: Path) -> None:
    """Synthesise into ``path`` and return once the engine is done with it.

    pyttsx3's espeak driver synthesises on espeak's own thread, and ``runAndWait()`` can return
    before the file is written (long questions then "produced no audio", or a half-written file
    went into the cache): wait for the driver's "finished-utterance".
    """
    finished = threading.Event()
    token = engine.connect("finished-utterance", lambda *args, **kwargs: finished.set())
    try:
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        finished.wait(RENDER_TIMEOUT_S)
    finally:
        engine.disconnect(token)


def _whole_wav(path: Path) -> bool:
    """True for a finished WAV with samples: its RIFF size matches the file (the espeak driver
    sometimes ends an utterance with an empty file; a second attempt then works)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return False
    return size > 44 and head[:4] == b"RIFF" and int.from_bytes(head[4:8], "little") == size - 8


def speak(path: Path, device: int | None = None) -> None:
    """Play a rendered question on the output device and wait until it ends."""
    import soundfile as sf

    from rehearse.audio import play

    data, rate = sf.read(str(path), dtype="float32")
    if data.ndim > 1:
        data = data.mean(axis=1)
    play(data, rate, device)
