"""The settings screen: sent at once, its device and voice lists filled after it is shown (listing
PortAudio's devices takes up to a second), and a chosen microphone and voice saved and shown again.

The app runs in this process over the PulseAudio null sink (a real PortAudio device) and the real
pyttsx3/espeak-ng voices; the listing is held back by the app's own seam (`Catalog`) until the page
has been sent and drawn, so a page that listed before sending could not be served.
"""

from __future__ import annotations

import json
import threading

import pytest
from fakes import FakeSpeaker, FakeTranscriber
from web_helpers import cookie_header, request, serve_in_process

from rehearse.errors import DeviceError
from rehearse.parts import Parts, PushedAnswers
from rehearse.web.catalog import Catalog

pytestmark = pytest.mark.browser

PARTS = Parts(source=PushedAnswers(), speaker=FakeSpeaker(), transcriber=FakeTranscriber.factory({}))


def options_of(page, select: str) -> list[tuple[str, str, str]]:
    """(value, text, group label) of every option of a select."""
    return [tuple(o) for o in page.locator(select).evaluate(
        "s => [...s.options].map(o => [o.value, o.textContent, o.parentElement.label || ''])")]


def test_settings_are_sent_before_the_devices_are_listed_and_a_choice_round_trips(
        null_sink, espeak, workspace_dir, web_page):
    from rehearse.audio import list_devices
    from rehearse.speak import choose_voice

    released = threading.Event()

    def held_back() -> list:
        released.wait(120)
        return list_devices()

    page = web_page.page
    with serve_in_process(workspace_dir, PARTS, catalog=Catalog(list_devices=held_back)) as app:
        # the page comes while the devices are still being listed (a page that waited would time out)
        html = request(app, "GET", "/settings", cookie_header(app), timeout=15).text
        assert 'id="input_device"' in html and 'id="voice"' in html
        assert html.count("<option") == 3 + 3  # "default" thrice, the engines' three
        page.goto(app.url)
        page.goto(f"{app.origin}/settings")
        state = page.get_by_test_id("devices-state")
        assert state.is_visible() and "Listing devices" in state.inner_text()
        assert [v for v, _, _ in options_of(page, "#input_device")] == [""]

        released.set()
        page.wait_for_selector("#settings-form[data-listed=true]", timeout=30_000)
        assert not state.is_visible()
        devices = list_devices()
        inputs = [d for d in devices if d.max_input_channels > 0]
        assert inputs, "the null sink gives PortAudio no input"
        shown = options_of(page, "#input_device")
        assert shown[0][0] == ""  # the system default first
        for d in inputs:
            assert (str(d.index), f"{d.index}: {d.name}") in {(v, t.removesuffix(" (system default)"))
                                                              for v, t, _ in shown}
        outputs = {str(d.index) for d in devices if d.max_output_channels > 0}
        assert {v for v, _, _ in options_of(page, "#output_device")} == {"", *outputs}

        voices = options_of(page, "#voice")
        assert voices[0][0] == "" and "English: " in voices[0][1]  # "by the deck's language" first
        english = [v for v, _, g in voices if g == "English"]
        korean = [v for v, _, g in voices if g == "Korean"]
        assert choose_voice("en") in english and choose_voice("ko") in korean
        assert all(g in ("", "English", "Korean") for _, _, g in voices)
        marked = [v for v, t, _ in voices if "default for this language" in t]
        assert sorted(marked) == sorted([choose_voice("en"), choose_voice("ko")])

        microphone = inputs[-1]
        voice = next(v for v in english if v != choose_voice("en"))
        page.locator("#input_device").select_option(str(microphone.index))
        page.locator("#voice").select_option(voice)
        page.locator("#settings-form button[type=submit]").click()
        page.wait_for_url("**/settings?saved=1")
        saved = json.loads((workspace_dir / "recordings" / "app-settings.json").read_text(encoding="utf-8"))
        assert (saved["input_device"], saved["voice"]) == (str(microphone.index), voice)
        # shown again, chosen, before and after the lists are filled
        assert page.locator("#input_device").input_value() == str(microphone.index)
        page.wait_for_selector("#settings-form[data-listed=true]")
        assert page.locator("#input_device").input_value() == str(microphone.index)
        assert page.locator("#voice").input_value() == voice
        assert "not listed" not in page.locator("#voice").inner_text()
    assert web_page.errors == [], web_page.errors


def test_devices_that_cannot_be_listed_are_one_sentence_in_the_page(workspace_dir, web_page):
    def broken() -> list:
        raise DeviceError("could not list audio devices: PortAudio could not start (no sound server)")

    page = web_page.page
    catalog = Catalog(list_devices=broken, list_voices=lambda: {})
    with serve_in_process(workspace_dir, PARTS, catalog=catalog) as app:
        page.goto(app.url)
        page.goto(f"{app.origin}/settings")
        error = page.get_by_test_id("devices-error")
        error.wait_for()
        message = error.inner_text().strip()
        assert "PortAudio could not start" in message and "\n" not in message and "Traceback" not in message
        assert error.get_attribute("role") == "alert"
        assert [v for v, _, _ in options_of(page, "#input_device")] == [""]  # the default still offered
    assert web_page.errors == [], web_page.errors
