"""`rehearse doctor`: check this machine before the first session, in the ways a user cannot see.

Each check gives a status (ok, warn, fail; skip when ``--no-audio`` leaves it out), the number it
measured and one sentence of advice. A muted microphone, a voice missing for the deck's language
or a Whisper model too small for Korean all let a session start and then fail quietly.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from rehearse.audio import BLOCK_S, SAMPLE_RATE
from rehearse.errors import RehearseError
from rehearse.voice import (
    CLEAR_VOICE_MARGIN_DB,
    MIN_VOICE_DB,
    MIN_VOICE_S,
    QUIET_PEAK_DB,
    frame_levels,
    voiced_s,
)

STATUSES = ("ok", "warn", "fail", "skip")
LEVEL_TEST_S = 3.0  # s of microphone the level test records
LEVEL_TIMEOUT_S = 10.0  # s past the test's length before a microphone that sends nothing counts as stuck
FLOOR_PERCENTILE = 10  # the noise floor: the level that 10 % of frames stay under
CLIP_LEVEL = 0.99  # |sample| at or above this is clipped
MAX_CLIPPED = 0.001  # fraction of clipped samples above which the gain is too high
ANSWER_BYTES_PER_HOUR = SAMPLE_RATE * 2 * 3600  # 16-bit mono at 16 kHz: 115 MB per hour of answers
TEST_PHRASE = {"en": "This is rehearse. If you can hear this, your speakers work.",
               "ko": "리허설입니다. 이 말이 들리면 스피커가 잘 작동합니다."}


@dataclass
class Check:
    """One check: what was tested, how it went, the number measured, and what to do about it."""

    name: str
    status: str  # one of STATUSES
    measured: str  # the number or fact measured, with its unit
    advice: str  # one sentence
    value: float | None = None  # the main number, for --json (unit in `unit`)
    unit: str = ""


@dataclass
class DoctorOptions:
    """What `run_doctor` checks."""

    deck: Path | None = None  # its language decides the voice and model checks; else the workspace's decks
    audio: bool = True  # False (--no-audio): no recording and no playing
    input_device: str | None = None  # index or name fragment; None for the default
    output_device: str | None = None
    model: str | None = None  # Whisper model name or path; None: REHEARSE_MODEL or base
    level_s: float = LEVEL_TEST_S


@dataclass
class Level:
    """What the level test heard."""

    floor_db: float  # dBFS: the noise floor (the quietest frames)
    peak_db: float  # dBFS: the loudest frame
    clipped: float  # fraction of samples at full scale
    voice_s: float  # s of voice, by `rehearse.voice`'s rule (the one sessions use)
    seconds: float = 0.0


def run_doctor(options: DoctorOptions, say: Callable[[str], None] = lambda message: None) -> list[Check]:
    """Run every check in order.

    Args:
        options: the deck, the devices and whether to use them.
        say: shows a line to the user before a test that needs them (speak now, listen now).

    Returns:
        One `Check` per check, every check present whatever failed before it.
    """
    languages = deck_languages(options.deck)
    checks = [check_portaudio()]
    audio_ok = checks[0].status != "fail"
    input_check, input_index = check_device("input", options.input_device, audio_ok)
    output_check, output_index = check_device("output", options.output_device, audio_ok)
    checks.append(input_check)
    if not options.audio:
        checks.append(_skipped("level test", "the microphone level test"))
    elif input_check.status == "fail":
        checks.append(Check("level test", "fail", "no input device", "Connect a microphone first."))
    else:
        say(f"Level test: say something for {options.level_s:.0f} seconds, as loud as you would answer …")
        checks.append(check_level(input_index, options.level_s))
        _mark_level_tested()
    checks.append(output_check)
    voices = [check_voice(language) for language in languages]
    if not options.audio:
        checks.append(_skipped("speaker test", "the spoken test phrase"))
    elif output_check.status == "fail":
        checks.append(Check("speaker test", "fail", "no output device", "Connect speakers or headphones."))
    else:
        say("Speaker test: you should hear a short sentence now …")
        checks.append(check_speaker(output_index, languages[0], voices[0]))
    checks.extend(voices)
    checks.extend(check_model(options.model, languages))
    checks.append(check_disk())
    checks.append(check_workspace())
    return checks


def _mark_level_tested() -> None:
    """Remember that the microphone was tested, so practice no longer suggests it."""
    from rehearse.paths import workspace

    mark = workspace().level_test_mark
    with contextlib.suppress(OSError):  # a read-only workspace is the workspace check's to report
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()


def exit_code(checks: list[Check]) -> int:
    """0 when no check failed, else 1."""
    return 1 if any(c.status == "fail" for c in checks) else 0


def to_json(checks: list[Check]) -> dict:
    """The ``--json`` document: whether nothing failed, and every check."""
    return {"ok": exit_code(checks) == 0, "checks": [asdict(c) for c in checks]}


def format_checks(checks: list[Check]) -> str:
    """The checks as lines for a terminal: status, name, measured, then the advice."""
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        lines.append(f"{c.status.upper():<4}  {c.name:<{width}}  {c.measured}")
        if c.advice:
            lines.append(f"{'':<4}  {'':<{width}}  → {c.advice}")
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    summary = f"{failed} failed, {warned} warning{'' if warned == 1 else 's'}"
    lines.append(summary if failed or warned else "Everything is ready.")
    return "\n".join(lines)


# ---------------------------------------------------------------- audio


def check_portaudio() -> Check:
    """The PortAudio library that sounddevice loads (bundled on Windows and macOS)."""
    from rehearse.audio import list_devices

    try:
        list_devices()
        import sounddevice as sd

        version = sd.get_portaudio_version()[1]
    except (RehearseError, OSError) as e:
        return Check("portaudio", "fail", "not found", _sentence(e))
    return Check("portaudio", "ok", str(version), "")


def check_device(kind: str, spec: str | None, portaudio: bool = True) -> tuple[Check, int | None]:
    """The input or output device a session would use.

    Args:
        kind: "input" or "output".
        spec: ``--input-device``/``--output-device``, or None for the default.
        portaudio: False when PortAudio itself is missing.

    Returns:
        The check, and the device index (None for the default).
    """
    from rehearse.audio import list_devices, resolve_device

    name = f"{kind} device"
    if not portaudio:
        return Check(name, "fail", "no PortAudio", "Install PortAudio first (see above)."), None
    try:
        index = resolve_device(spec, kind)
        devices = list_devices()
    except RehearseError as e:
        return Check(name, "fail", "none", _sentence(e)), None
    flag = "is_default_input" if kind == "input" else "is_default_output"
    chosen = [d for d in devices if (d.index == index if index is not None else getattr(d, flag))]
    label = f"#{chosen[0].index} {chosen[0].name} ({chosen[0].hostapi})" if chosen else "the system default"
    option = f"--{kind}-device"
    return Check(name, "ok", label, f"Another one: `rehearse devices`, then {option} INDEX."), index


def record_level(seconds: float, device: int | None = None) -> np.ndarray:
    """Record ``seconds`` of the microphone at 16 kHz mono (float32)."""
    from rehearse.audio import _sd, quiet_portaudio
    from rehearse.errors import DeviceError

    sd = _sd()
    want = int(seconds * SAMPLE_RATE)
    blocks: list[np.ndarray] = []
    got = [0]
    done = threading.Event()

    def callback(indata, frames, time_info, status) -> None:
        if got[0] < want:
            blocks.append(indata[:, 0].copy())
            got[0] += frames
        if got[0] >= want:
            done.set()

    try:
        with quiet_portaudio(), sd.InputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32",
                                               device=device, blocksize=int(BLOCK_S * SAMPLE_RATE),
                                               callback=callback):
            if not done.wait(seconds + LEVEL_TIMEOUT_S):
                raise DeviceError("the microphone sent no audio; check `rehearse devices`")
    except sd.PortAudioError as e:
        raise DeviceError(f"could not open the microphone: {e}") from e
    return np.concatenate(blocks)[:want] if blocks else np.zeros(0, np.float32)


def measure_level(audio: np.ndarray, samplerate: int = SAMPLE_RATE) -> Level:
    """Noise floor, speech peak, clipping and seconds of voice of a recording."""
    levels = frame_levels(audio, samplerate)
    if levels.size == 0:
        levels = np.array([MIN_VOICE_DB * 2])  # nothing recorded: as silent as silence
    clipped = float(np.mean(np.abs(audio) >= CLIP_LEVEL)) if audio.size else 0.0
    return Level(floor_db=float(np.percentile(levels, FLOOR_PERCENTILE)), peak_db=float(levels.max()),
                 clipped=clipped, voice_s=voiced_s(audio, samplerate), seconds=len(audio) / samplerate)


def judge_level(level: Level) -> Check:
    """What a level means for a session: no sound, too quiet, clipping, noisy, or fine."""
    measured = (f"speech peak {level.peak_db:.1f} dBFS, noise floor {level.floor_db:.1f} dBFS, "
                f"voice {level.voice_s:.1f} s, clipped {level.clipped:.2%} of {level.seconds:.1f} s")

    def check(status: str, advice: str) -> Check:
        return Check("level test", status, measured, advice, round(level.peak_db, 1), "dBFS")

    if level.peak_db < MIN_VOICE_DB:
        return check("fail", f"no sound: is the microphone muted? {_microphone_advice()}")
    if level.voice_s < MIN_VOICE_S:
        return check("fail", "Sound but no voice: speak during the test; if you did, your voice does not "
                             "stand out from the noise, so move closer or raise the input gain.")
    if level.clipped > MAX_CLIPPED:
        return check("warn", "Clipping: lower the microphone's input gain, or sit a little further away.")
    if level.peak_db < QUIET_PEAK_DB:
        return check("warn", "Too quiet: raise the microphone's input gain, or move closer to it.")
    if level.peak_db - level.floor_db < CLEAR_VOICE_MARGIN_DB:
        return check("warn", "Your voice is barely above the background noise: a quieter room or a "
                             "headset microphone will be transcribed better.")
    return check("ok", "The microphone hears you clearly.")


def _microphone_advice() -> str:
    if sys.platform == "darwin":
        return ("On macOS allow your terminal under System Settings > Privacy & Security > Microphone, "
                "then restart it.")
    if sys.platform == "win32":
        return ("On Windows check Settings > Privacy & security > Microphone (desktop apps) and the "
                "input level.")
    return "Check the input level and mute switch (pavucontrol or alsamixer), or pick another --input-device."


def check_level(device: int | None, seconds: float = LEVEL_TEST_S) -> Check:
    """Record a few seconds of the user speaking and judge the level."""
    try:
        audio = record_level(seconds, device)
    except RehearseError as e:
        return Check("level test", "fail", "no recording", _sentence(e))
    return judge_level(measure_level(audio))


def check_speaker(device: int | None, language: str, voice: Check) -> Check:
    """Speak a test phrase on the output device (with the deck language's voice)."""
    from rehearse.audio import duration_s
    from rehearse.speak import choose_voice, render, speak

    if voice.status == "fail":
        return Check("speaker test", "fail", "no voice to speak with", voice.advice)
    try:
        with tempfile.TemporaryDirectory(prefix="rehearse-doctor-") as tmp:
            path = render(TEST_PHRASE.get(language, TEST_PHRASE["en"]), choose_voice(language), Path(tmp))
            seconds = duration_s(path)
            speak(path, device)
    except RehearseError as e:
        return Check("speaker test", "fail", "not played", _sentence(e))
    return Check("speaker test", "ok", f"played {seconds:.1f} s", "If you heard nothing, turn the volume up "
                 "or pick another --output-device.", round(seconds, 1), "s")


# ---------------------------------------------------------------- voices and model


def deck_languages(deck: Path | None) -> list[str]:
    """The languages to check: the deck's, else those of the workspace's decks, else English."""
    from rehearse.deck import load_deck
    from rehearse.paths import workspace

    paths = [deck] if deck else sorted(workspace().questions.glob("*.yaml"))
    languages: list[str] = []
    for path in paths:
        try:
            language = load_deck(path).language
        except RehearseError:
            if deck:
                raise
            continue
        if language not in languages:
            languages.append(language)
    return languages or ["en"]


def tts_driver() -> str:
    """The pyttsx3 driver speaking here: espeak (Linux), sapi5 (Windows), nsss/avspeech (macOS)."""
    from rehearse.speak import _engine

    _engine()
    loaded = [name.rsplit(".", 1)[1] for name in sys.modules if name.startswith("pyttsx3.drivers.")]
    return next((name for name in ("espeak", "sapi5", "nsss", "avspeech") if name in loaded), "unknown")


def check_voice(language: str) -> Check:
    """A text-to-speech voice for ``language``, and whether it is espeak's robotic one."""
    from rehearse.speak import choose_voice

    name = f"voice ({language})"
    try:
        voice, driver = choose_voice(language), tts_driver()
    except RehearseError as e:
        return Check(name, "fail", "none", f"{_voice_advice(language)} ({e})")
    if driver == "espeak":
        return Check(name, "warn", f"'{voice}' of espeak-ng (robotic)", "Understandable but robotic; the "
                     "Windows and macOS voices sound natural, and --no-speak shows questions only.")
    return Check(name, "ok", f"'{voice}' of {driver} (an operating system voice)", "")


def _voice_advice(language: str) -> str:
    if sys.platform == "darwin":
        return (f"Add a '{language}' voice in System Settings > Accessibility > Spoken Content > "
                "System voice > Manage Voices.")
    if sys.platform == "win32":
        return f"Add the '{language}' speech voice in Settings > Time & language > Speech > Add voices."
    return "Install espeak-ng: sudo apt-get install espeak-ng."


def check_model(model: str | None, languages: list[str]) -> list[Check]:
    """The Whisper model: installed, its checksum, and whether it suits each language."""
    from rehearse.errors import ModelError
    from rehearse.models import language_fit, resolve_model, verify_checkpoint
    from rehearse.transcribe import model_spec

    spec = model or model_spec()
    try:
        path = resolve_model(spec)
        source, intact = verify_checkpoint(path)
    except ModelError as e:
        return [Check("whisper model", "fail", f"'{spec}' not installed", str(e))]
    size = path.stat().st_size / 1e6
    checks = []
    measured = f"{path} ({size:.0f} MB, from {source})"
    if intact is False:
        checks.append(Check("whisper model", "fail", f"{measured}, sha256 differs",
                            f"The file is damaged: reinstall it with `rehearse models install {path.stem}`.",
                            round(size, 1), "MB"))
    else:
        note = "sha256 verified" if intact else "no recorded sha256 to verify"
        checks.append(Check("whisper model", "ok", f"{measured}, {note}", "", round(size, 1), "MB"))
    for language in languages:
        status, advice = language_fit(path.stem, language)
        checks.append(Check(f"model for {language}", status, f"'{path.stem}' for {language}", advice))
    return checks


# ---------------------------------------------------------------- workspace


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk() -> Check:
    """Free space where answers are written: at least an hour of them."""
    from rehearse.paths import workspace

    folder = _existing(workspace().recordings)
    free = shutil.disk_usage(folder).free
    hours = free / ANSWER_BYTES_PER_HOUR
    measured = f"{free / 1e9:.1f} GB free in {folder} ({hours:,.0f} h of answers)"
    if hours < 1:
        return Check("free disk", "fail", measured, "Free some space: an hour of answers takes 115 MB.",
                     round(hours, 2), "h")
    return Check("free disk", "ok", measured, "", round(hours, 1), "h")


def check_workspace() -> Check:
    """The workspace can be written: recordings and the history database go there."""
    from rehearse.paths import workspace

    ws = workspace()
    folder = _existing(ws.recordings)
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return Check("workspace", "fail", f"{folder} is not writable ({e.strerror or e})",
                     "Set REHEARSE_HOME to a folder you can write, or run rehearse from one.")
    where = "is writable" if folder == ws.recordings else f"can be created (in {folder})"
    return Check("workspace", "ok", f"{ws.recordings} {where}", "")


def _sentence(error: Exception) -> str:
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def _skipped(name: str, what: str) -> Check:
    return Check(name, "skip", "not run (--no-audio)",
                 f"Run `rehearse doctor` without --no-audio for {what}.")
