"""The audio devices and the voices the settings screen offers, listed once in the background.

PortAudio's first listing (importing sounddevice and initialising it) takes 0.25-0.9 s, and
pyttsx3's first voice list about 0.1 s: the settings page is sent without them and fills its
lists from ``GET /api/devices`` (`rehearse.web.api.devices`), which answers from this cache.
PortAudio lists the devices it found when it started, so listing once per run loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rehearse.errors import RehearseError
from rehearse.web.words import LANGUAGES as PAGE_LANGUAGES
from rehearse.web.words import error_text, web_message

LANGUAGES = ("en", "ko")  # the voices offered: those of the languages a deck can have


def _list_devices() -> list:
    from rehearse.audio import list_devices

    return list_devices()


def _list_voices() -> dict[str, dict[str, Any]]:
    """Per language: its voices and the one a deck in it gets when none is chosen."""
    from rehearse.speak import choose_voice, list_voices

    out: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        voices = [{"id": v.id, "name": v.name} for v in list_voices(language)]
        try:
            default, error = choose_voice(language), None
        except RehearseError as e:
            default, error = None, _texts(e)
        out[language] = {"voices": voices, "default": default, "error": error}
    return out


@dataclass
class Catalog:
    """Lists the devices and the voices once, on a thread of its own, and keeps the answer.

    Args:
        list_devices: returns the PortAudio devices (`rehearse.audio.list_devices`).
        list_voices: returns, per language, ``{"voices": [{"id", "name"}], "default", "error"}``.
    """

    list_devices: Callable[[], list] = _list_devices
    list_voices: Callable[[], dict[str, dict[str, Any]]] = _list_voices
    ready: threading.Event = field(default_factory=threading.Event)
    _found: dict[str, Any] = field(default_factory=dict)
    _started: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """List in the background, once (later calls do nothing)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name="rehearse-catalog", daemon=True).start()

    def start_in(self, seconds: float) -> None:
        """`start` after ``seconds``, unless a page asks for the lists first."""
        timer = threading.Timer(seconds, self.start)
        timer.daemon = True
        timer.start()

    def get(self, wait_s: float) -> dict[str, Any] | None:
        """What was listed (``devices``, ``device_error``, ``voices``, ``voice_error``), waiting up
        to ``wait_s`` seconds for it; None while it is still being listed."""
        self.start()
        if not self.ready.wait(wait_s):
            return None
        return self._found

    def _run(self) -> None:
        found: dict[str, Any] = {"devices": [], "device_error": None, "voices": {}, "voice_error": None}
        try:
            found["devices"] = [_device(d) for d in self.list_devices()]
        except RehearseError as e:
            found["device_error"] = _texts(e)
        except Exception as e:  # PortAudio missing or broken: said in the page, never raised
            found["device_error"] = _failed("web.devices_failed", e)
        try:
            found["voices"] = self.list_voices()
        except RehearseError as e:
            found["voice_error"] = _texts(e)
        except Exception as e:
            found["voice_error"] = _failed("web.voices_failed", e)
        self._found = found
        self.ready.set()


def _failed(key: str, error: Exception) -> dict[str, str]:
    """An unexpected failure to list, in each page language."""
    return {lang: web_message(key, lang, name=type(error).__name__, detail=error) for lang in PAGE_LANGUAGES}


def _texts(error: RehearseError) -> dict[str, str]:
    """The error's sentence in each page language."""
    return {lang: error_text(error, lang) for lang in PAGE_LANGUAGES}


def in_language(found: dict[str, Any], language: str) -> dict[str, Any]:
    """What `Catalog.get` found, with each error said in ``language`` (the page's)."""

    def one(error: Any) -> Any:
        return error.get(language) or error.get("en") if isinstance(error, dict) else error

    voices = {lang: {**v, "error": one(v.get("error"))} for lang, v in found.get("voices", {}).items()}
    return {**found, "device_error": one(found.get("device_error")),
            "voice_error": one(found.get("voice_error")), "voices": voices}


def _device(d) -> dict[str, Any]:
    return {"index": d.index, "name": d.name, "input": d.max_input_channels > 0,
            "output": d.max_output_channels > 0, "default_input": d.is_default_input,
            "default_output": d.is_default_output}
