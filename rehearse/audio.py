"""Audio devices, audio files and playback (sounddevice + soundfile)."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.errors import AudioFileError, DeviceError, Message

SAMPLE_RATE = 16_000  # Hz: what Whisper wants, and what answers are recorded at
CHANNELS = 1  # mono
BLOCK_S = 0.1  # s of audio per recording block
SUBTYPE = "PCM_16"  # WAV sample format of recordings
MAX_AUDIO_FILE_BYTES = 2 * 1024**3  # refuse larger answer files instead of exhausting memory
MAX_AUDIO_S = 15 * 60  # s; an answer file longer than this is refused (answers run 30–120 s)
MIN_RATE, MAX_RATE = 4_000, 192_000  # Hz; an answer file's sample rate outside these is damage


@dataclass
class Device:
    """One PortAudio device as `rehearse devices` lists it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False


def _sd():
    """Import sounddevice, turning a missing PortAudio library into a clear error."""
    try:
        import sounddevice as sd
    except OSError as e:  # sounddevice raises OSError when libportaudio is absent
        raise DeviceError(f"the PortAudio library is not installed ({portaudio_hint()})") from e
    _quiet_alsa()
    return sd


def portaudio_hint() -> str:
    """How to install PortAudio here: a system package on Linux, sounddevice's own copy elsewhere."""
    if sys.platform.startswith("linux"):
        return "Debian/Ubuntu: sudo apt-get install libportaudio2"
    # the macOS and Windows wheels of sounddevice carry PortAudio: a missing one is a broken install
    return "reinstall sounddevice, whose wheel brings it: pip install --force-reinstall sounddevice"


@functools.lru_cache(maxsize=1)
def _quiet_alsa() -> None:
    """Stop alsa-lib printing recoverable underruns to the terminal (PortAudio still reports errors)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("asound")
    if not name:
        return
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                    ctypes.c_char_p)
    global _ALSA_HANDLER
    _ALSA_HANDLER = handler_type(lambda *args: None)  # kept alive: alsa holds the pointer
    lib.snd_lib_error_set_handler(_ALSA_HANDLER)


_ALSA_HANDLER = None


@contextlib.contextmanager
def quiet_portaudio() -> Iterator[None]:
    """While a stream runs, drop PortAudio's own diagnostics from the terminal.

    When a device fails, PortAudio's ALSA code prints lines like ``Expression '…' failed in
    'src/hostapi/alsa/pa_linux_alsa.c', line: 3665`` before rehearse can say what happened.
    It prints them with C's ``fprintf(stderr, …)``, and the libportaudio that distributions ship
    does not export ``PaUtil_SetDebugPrintFunction``, so they cannot be turned off. Instead C's
    ``stderr`` (not file descriptor 2: Python's own output is untouched) is pointed at a pipe
    whose reader drops those lines and passes every other one on. Where C's ``stderr`` cannot be
    swapped (not glibc), nothing changes.
    """
    quiet = _stderr_filter()
    if quiet is None:
        yield
        return
    with quiet:
        yield


@functools.lru_cache(maxsize=1)
def _stderr_filter() -> _StderrFilter | None:
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        import ctypes

        return _StderrFilter(ctypes.CDLL(None))
    except (OSError, ValueError, AttributeError):  # no confstr name, no libc symbol
        return None


class _StderrFilter:
    """C's ``stderr`` through a pipe that drops PortAudio's diagnostics (see `quiet_portaudio`).

    The pipe and its reader live as long as the process: PortAudio's thread may still hold the
    pipe's ``FILE *`` after a stream is given up (`rehearse.record._abandon_portaudio`). C output
    still in the pipe when the process aborts is lost; Python's own output never passes here.
    """

    DRAINED = b"\0rehearse-stderr-drained\0"  # written on the way out: all before it is passed on

    def __init__(self, libc) -> None:
        import ctypes

        self.stderr = ctypes.c_void_p.in_dll(libc, "stderr")
        read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)  # a full pipe drops lines, never stalls an audio thread
        libc.fdopen.restype = ctypes.c_void_p
        libc.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
        libc.setvbuf.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t]
        self.file = libc.fdopen(self.write_fd, b"w")
        if not self.file:
            raise OSError("fdopen failed")
        libc.setvbuf(self.file, None, 2, 0)  # _IONBF: one write per line, like the real stderr
        self.lock = threading.Lock()
        self.users = 0
        self.saved: int | None = None
        self.drained = threading.Event()
        threading.Thread(target=self._forward, args=(read_fd,), name="rehearse-stderr-filter",
                         daemon=True).start()

    def __enter__(self) -> None:
        with self.lock:
            if self.users == 0:
                self.saved = self.stderr.value
                self.stderr.value = self.file
            self.users += 1

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.users -= 1
            if self.users:
                return
            self.stderr.value = self.saved
        self.drained.clear()
        try:
            os.write(self.write_fd, self.DRAINED)
        except OSError:  # full: a stuck PortAudio thread is filling it; nothing worth waiting for
            return
        self.drained.wait(1.0)  # what C printed during the stream comes before what follows it

    def _forward(self, read_fd: int) -> None:
        while data := os.read(read_fd, 1 << 16):
            drained = self.DRAINED in data
            kept = b"".join(line for line in data.replace(self.DRAINED, b"").splitlines(keepends=True)
                            if not (line.startswith(b"Expression '") and b"' failed in '" in line))
            if kept:
                with contextlib.suppress(OSError):
                    os.write(2, kept)
            if drained:
                self.drained.set()


def list_devices() -> list[Device]:
    """Return every PortAudio device, the defaults marked."""
    sd = _sd()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as e:
        raise DeviceError(f"could not list audio devices: {e}") from e
    out = []
    for i, d in enumerate(devices):
        out.append(
            Device(
                index=i,
                name=d["name"],
                hostapi=hostapis[d["hostapi"]]["name"],
                max_input_channels=d["max_input_channels"],
                max_output_channels=d["max_output_channels"],
                default_samplerate=d["default_samplerate"],
                is_default_input=i == default_in,
                is_default_output=i == default_out,
            )
        )
    return out


def resolve_device(spec: str | int | None, kind: str) -> int | None:
    """Turn ``--input-device``/``--output-device`` (index or name fragment) into an index.

    Args:
        spec: None for the system default, an index, or a case-insensitive name fragment.
        kind: "input" or "output".

    Returns:
        The device index, or None for the default (after checking a default exists).
    """
    devices = list_devices()
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    usable = [d for d in devices if getattr(d, channels) > 0]
    if spec is None or spec == "":
        if not usable:
            raise DeviceError(Message(
                f"no audio {kind} device found; connect one (or start the audio server) "
                "and check `rehearse devices`", "device.none", kind=kind))
        return None
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        match = [d for d in usable if d.index == index]
        if not match:
            raise DeviceError(Message(
                f"there is no audio {kind} device with index {index}; see `rehearse devices`",
                "device.no_index", kind=kind, index=index))
        return index
    match = [d for d in usable if text.lower() in d.name.lower()]
    if not match:
        raise DeviceError(Message(f"no audio {kind} device matches '{text}'; see `rehearse devices`",
                                  "device.no_match", kind=kind, name=text))
    return match[0].index


def read_audio(path: str | Path, samplerate: int = SAMPLE_RATE) -> np.ndarray:
    """Read an answer file (wav, flac, ogg, mp3 …) as mono float32 at ``samplerate``.

    Args:
        path: the audio file.
        samplerate: the rate to return (resampled when the file differs).

    Returns:
        A 1-D float32 array in [-1, 1].
    """
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise AudioFileError(f"{p}: no such audio file")
    size = p.stat().st_size
    if size == 0:
        raise AudioFileError(f"{p}: the audio file is empty (0 bytes)")
    if size > MAX_AUDIO_FILE_BYTES:
        raise AudioFileError(f"{p}: the audio file is larger than 2 GiB")
    try:
        mono, rate = _read_mono(p, sf)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        return _read_with_ffmpeg(p, samplerate, e)
    audio = resample(mono, rate, samplerate)
    if audio.size == 0:  # none at all, or fewer than one at `samplerate` (a damaged rate)
        raise AudioFileError(f"{p}: the audio file holds no samples")
    return audio


def _read_mono(path: Path, sf) -> tuple[np.ndarray, int]:
    """Decode block by block: a damaged header may claim billions of frames (reading it whole
    would ask for tens of GB at once), so memory follows the samples actually decoded."""
    chunks, frames = [], 0
    with sf.SoundFile(str(path)) as f:
        rate, block = f.samplerate, max(1, 2**20 // max(1, f.channels))  # ≤ 4 MB per read
        if not MIN_RATE <= rate <= MAX_RATE:  # a damaged header: 8 MHz would cost GBs per minute
            raise AudioFileError(f"{path}: an unusable sample rate ({rate} Hz); the file is damaged")
        while True:
            data = f.read(block, dtype="float32", always_2d=True)
            if data.shape[0] == 0:
                break
            frames += data.shape[0]
            if frames > MAX_AUDIO_S * rate:
                raise AudioFileError(f"{path}: the recording is longer than {MAX_AUDIO_S // 60} minutes; "
                                     "give one answer per file")
            # a float WAV may hold NaN, infinities or values far past full scale (a damaged file):
            # Whisper would make nonsense of them, so they become silence or full scale
            with np.errstate(invalid="ignore", over="ignore"):
                chunks.append(np.clip(np.nan_to_num(data.mean(axis=1), nan=0.0), -1.0, 1.0))
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.float32)), rate


def _read_with_ffmpeg(path: Path, samplerate: int, first_error: Exception) -> np.ndarray:
    """Decode formats libsndfile lacks (older mp3 support, m4a …) through ffmpeg, as whisper does."""
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        raise AudioFileError(f"{path}: not a readable audio file ({first_error})") from first_error
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-t", str(MAX_AUDIO_S + 1),
           "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", str(samplerate), "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        reason = proc.stderr.decode(errors="replace").strip().splitlines()
        detail = reason[-1].removeprefix(f"{path}: ") if reason else "no audio decoded"
        raise AudioFileError(f"{path}: not a readable audio file ({detail})")
    if len(proc.stdout) > MAX_AUDIO_S * samplerate * 2:
        raise AudioFileError(f"{path}: the recording is longer than {MAX_AUDIO_S // 60} minutes; "
                             "give one answer per file")
    return np.frombuffer(proc.stdout, np.int16).astype(np.float32) / 32768.0


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample mono audio by linear interpolation (enough for speech going into Whisper)."""
    if rate_in == rate_out or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    n_out = int(round(audio.size * rate_out / rate_in))
    x_old = np.linspace(0.0, 1.0, audio.size, endpoint=False)
    x_new = np.linspace(0.0, 1.0, n_out, endpoint=False)
    return np.interp(x_new, x_old, audio).astype(np.float32)


def write_wav(path: Path, audio: np.ndarray, samplerate: int = SAMPLE_RATE) -> None:
    """Write mono float audio as a 16-bit WAV, atomically."""
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    sf.write(str(tmp), audio, samplerate, subtype=SUBTYPE, format="WAV")
    tmp.replace(path)


def duration_s(path: str | Path) -> float:
    """Length of an audio file in seconds."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as e:
        raise AudioFileError(f"{path}: not a readable audio file ({e})") from e
    return info.frames / info.samplerate


def level_dbfs(block: np.ndarray) -> float:
    """RMS level of a block in dB full scale (-120 for digital silence)."""
    if block.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return max(-120.0, 20.0 * np.log10(rms + 1e-12))


def play(audio: np.ndarray, samplerate: int, device: int | None = None) -> None:
    """Play audio and wait for it to end; Ctrl+C stops it cleanly.

    Args:
        audio: mono float32 samples.
        samplerate: their rate in Hz.
        device: an output device index, or None for the default.
    """
    sd = _sd()
    data = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1, 1)
    if device is None:
        try:
            sd.query_devices(kind="output")
        except (sd.PortAudioError, ValueError) as e:  # PortAudio would say "Error querying device -1"
            raise DeviceError(Message("no audio output device found; connect one (or start the audio "
                                      "server) and check `rehearse devices`", "device.none",
                                      kind="output")) from e
    try:
        # a stream of our own, closed (after draining) as soon as the clip ends: sd.play() leaves
        # its stream open, and an idle open ALSA stream underruns and replays stale audio. High
        # latency: a buffer of ~0.1-0.2 s instead of a few ms, so a busy CPU (Whisper transcribing
        # the previous answer) does not cut gaps into the clip; nothing here needs a fast start
        with quiet_portaudio(), sd.OutputStream(samplerate=samplerate, channels=1, dtype="float32",
                                                device=device, latency="high") as out:
            out.write(data)
    except KeyboardInterrupt:
        raise
    except sd.PortAudioError as e:
        raise DeviceError(f"could not play audio on the output device: {e}") from e


def play_file(path: str | Path, device: int | None = None, start_s: float = 0.0) -> None:
    """Play an audio file from ``start_s`` seconds."""
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as e:
        raise AudioFileError(f"{path}: not a readable audio file ({e})") from e
    first = int(max(0.0, start_s) * rate)
    play(data[first:].mean(axis=1), rate, device)
