"""Record: the microphone answer, written to a WAV as it arrives.

Follows python-sounddevice's ``rec_unlimited.py``: the stream callback only copies blocks into a
queue; the file is opened before the stream starts and every block is written as it arrives, its
header rewritten after every block, so a crash leaves a file that plays up to the last block (0.1
s). A full disk ends the answer the same way: what reached the disk is kept, its header repaired.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.audio import (
    BLOCK_S,
    CHANNELS,
    SAMPLE_RATE,
    SUBTYPE,
    _sd,
    level_dbfs,
    quiet_portaudio,
    read_audio,
    write_wav,
)
from rehearse.errors import DeviceError, DiskError, Message
from rehearse.voice import EndOfAnswer, heard_voice

SYNC_EVERY_S = 1.0  # s between fsyncs of the WAV being written (against a power cut; a kill loses nothing)
SFC_SET_UPDATE_HEADER_AUTO = 0x1061  # libsndfile's sndfile.h: rewrite the header after every write
STALL_S = 3.0  # s without a block from PortAudio before the device counts as gone
POLL_S = 0.02  # s between looks at ``should_stop`` while waiting for the next block
FIRST_BLOCK_S = 6.0  # s the first block may take: a PulseAudio monitor starts ~2.5 s late under load
SHUTDOWN_S = 2.0  # s to wait for PortAudio to let go of a stream (see `_shut_down`)
TAIL_KEPT_S = 0.6  # s of silence kept after the last speech when an answer ends on silence
DEVICE_GONE = Message("the microphone stopped sending audio (unplugged, or the audio server stopped; "
                      "see `rehearse devices`)", "device.gone")


def repair_wav(path: Path) -> int:
    """Make a WAV's RIFF and data sizes match the bytes on disk; returns its frame count.

    libsndfile writes the sizes only when the file is closed, unless told to after every write
    (`AnswerFile` does; should libsndfile refuse, it calls this after every block). Recovery calls
    it after a crash, and `AnswerFile.close` after a failed write: the file plays up to the last
    sample written.
    """
    with open(path, "r+b") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise ValueError(f"{path} is not a RIFF/WAVE file")
        size = os.fstat(f.fileno()).st_size
        block_align = 2
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"fmt ":
                fmt = f.read(16)
                block_align = max(1, struct.unpack("<HHIIHH", fmt)[4])
            if chunk_id == b"data":
                data_bytes = (size - pos - 8) // block_align * block_align
                if data_bytes != chunk_size:
                    f.seek(pos + 4)
                    f.write(struct.pack("<I", data_bytes))
                    f.seek(4)
                    f.write(struct.pack("<I", pos + 8 + data_bytes - 8))
                return data_bytes // block_align
            pos += 8 + chunk_size + (chunk_size & 1)
    raise ValueError(f"{path} has no data chunk")


@contextlib.contextmanager
def _running(stream, failed: Callable[[], bool], ended: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Run a PortAudio stream; at the end stop it, or abort it when its device failed or when the
    recorder itself ended the answer (``ended()``: Enter, the time limit, silence).

    A draining ``stop()`` waits for PortAudio's buffers to play out: 80 ms to over a second on a
    PulseAudio source, measured (bench/bench_stop.py), while ``abort()`` returns in under a
    millisecond. The blocks the callback already queued are kept either way; abort drops only
    the part-filled block after the end, which is not the answer's.

    PortAudio's own lines about a failing device are kept off the terminal meanwhile
    (`rehearse.audio.quiet_portaudio`): the recorder says what happened in one sentence.
    """
    healthy, drain = False, True
    with quiet_portaudio():
        try:
            stream.start()
            yield
            healthy, drain = not failed(), not ended()
        except KeyboardInterrupt:
            healthy = True
            raise
        finally:
            _shut_down(stream, healthy, drain)


def _shut_down(stream, healthy: bool, drain: bool = True) -> None:
    """Stop (``drain``) or abort and close a stream, giving up after `SHUTDOWN_S` rather than
    hanging the session.

    When the audio server dies, PortAudio's ALSA thread can fall into an endless error loop
    (``error:`` label → ``PA_UNLESS`` → ``goto error`` in ``PaAlsaStream_WaitForFrames``, with
    cancellation disabled): stop(), abort() and close() would all wait for it forever.
    """

    def close() -> None:
        if healthy and drain:
            stream.stop(ignore_errors=True)
        else:
            stream.abort(ignore_errors=True)  # cancels PortAudio's thread where it can be cancelled
        stream.close(ignore_errors=True)

    closer = threading.Thread(target=close, name="rehearse-close-stream", daemon=True)
    closer.start()
    closer.join(SHUTDOWN_S)
    if closer.is_alive():
        _abandon_portaudio()


def _abandon_portaudio() -> None:
    """Leave PortAudio's stuck thread behind: its endless error lines go to /dev/null instead of
    the terminal (Python's own stderr keeps a copy of the real one), and PortAudio is not
    terminated at exit, which would wait for that thread forever."""
    import atexit
    import sys

    import sounddevice as sd

    atexit.unregister(sd._exit_handler)
    try:
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = open(real, "w", buffering=1, encoding=sys.stderr.encoding or "utf-8",  # noqa: SIM115
                          errors="backslashreplace")
    except (OSError, ValueError):  # no real file descriptor 2 (an embedding host): leave it be
        pass


class AnswerFile:
    """The WAV an answer is written to as it arrives, its header brought up to date after every block.

    A write that fails (the disk is full, or refuses it) is kept in `error` instead of raised:
    the recorder then stops, and what reached the disk stays a playable file.
    """

    def __init__(self, path: Path, samplerate: int) -> None:
        import soundfile as sf

        self.path = path
        self.samplerate = samplerate
        self.frames = 0
        self.error: Exception | None = None
        self.reason = ""  # the operating system's words for `error`
        self.write_errors = (sf.SoundFileRuntimeError, OSError)  # libsndfile's, and repair_wav's
        try:
            self.file = sf.SoundFile(str(path), "w", samplerate, CHANNELS, SUBTYPE, format="WAV")
        except self.write_errors as e:
            raise DiskError(_not_written(path, _reason(e, None), 0.0)) from e
        # the sizes in the header follow every block, so a kill leaves a file that plays to its last
        # block as it lies, for any reader, before `rehearse recover` repairs anything
        self.header_auto = sf._snd.sf_command(self.file._file, SFC_SET_UPDATE_HEADER_AUTO, sf._ffi.NULL,
                                              1) == 1
        self.last_sync = time.monotonic()

    def write(self, block: np.ndarray) -> bool:
        """Append a block; False once a write has failed (nothing more is written then)."""
        if self.error is not None:
            return False
        try:
            self.file.write(block)
            self.frames += block.size
            if not self.header_auto:
                repair_wav(self.path)
            if time.monotonic() - self.last_sync > SYNC_EVERY_S:
                self.file.flush()  # fsync
                self.last_sync = time.monotonic()
        except self.write_errors as e:
            self.error = e
            self.reason = _reason(e, self.file)
            return False
        return True

    def close(self) -> None:
        """Close the file; after a failed write, repair its header and count what it holds."""
        try:
            self.file.close()
        except self.write_errors as e:
            if self.error is None:
                self.error, self.reason = e, _reason(e, None)
        if self.error is not None:
            # rewriting the header in place needs no new space; should it fail all the same,
            # `rehearse recover` repairs it once there is room
            with contextlib.suppress(OSError, ValueError):
                self.frames = repair_wav(self.path)

    def failure(self) -> DiskError:
        """The error to raise after a failed write: what happened, what is kept, what to do."""
        return DiskError(_not_written(self.path, self.reason, self.frames / self.samplerate))


def _reason(e: Exception, file) -> str:
    """The operating system's words for a failed write ("No space left on device").

    soundfile's exception says only "System error."; libsndfile keeps the words of the errno
    (for ``file``, or for the last failed open when it is None).
    """
    if isinstance(e, OSError):
        return e.strerror or str(e)
    import soundfile as sf

    try:
        handle = sf._ffi.NULL if file is None or file._file is None else file._file
        text = sf._ffi.string(sf._snd.sf_strerror(handle)).decode("utf-8", "replace")
    except (AttributeError, TypeError):  # a soundfile whose internals moved: its own words
        text = str(e)
    return text.removeprefix("System error : ").rstrip(".") or str(e)


def _not_written(path: Path, reason: str, kept_s: float) -> Message:
    seconds = f"{kept_s:.1f}"
    if reason in (os.strerror(errno.ENOSPC), os.strerror(errno.EDQUOT)):
        if kept_s <= 0:
            return Message(f"{path}: the disk is full; nothing was recorded; free some space and try again",
                           "disk.full_nothing", path=path)
        return Message(f"{path}: the disk is full; recording stopped after {seconds} s, which are kept; "
                       "free some space, then run `rehearse recover`", "disk.full_kept", path=path,
                       seconds=seconds)
    if kept_s <= 0:
        return Message(f"{path}: the recording could not be written ({reason}); nothing was recorded",
                       "disk.unwritten_nothing", path=path, reason=reason)
    return Message(f"{path}: the recording could not be written ({reason}); it stopped after {seconds} s, "
                   "which are kept; run `rehearse recover` once the disk takes writes again",
                   "disk.unwritten_kept", path=path, reason=reason, seconds=seconds)


@dataclass
class RecordOptions:
    """When an answer ends and what counts as speech."""

    device: int | None = None  # input device index; None = the default input
    samplerate: int = SAMPLE_RATE  # Hz
    time_limit_s: float | None = 120.0  # s; the answer ends here (None = no limit)
    # s of silence after speech that ends the answer (0 = never); speech is `rehearse.voice`'s rule,
    # and it has started once `rehearse.voice.MIN_VOICE_S` of it were heard
    silence_s: float = 4.0


@dataclass
class Progress:
    """What the recorder reports about ten times a second."""

    elapsed_s: float
    level_db: float
    speech_started: bool
    silence_s: float  # s of silence since the last speech


@dataclass
class Recording:
    """A recorded (or imported) answer."""

    path: Path
    duration_s: float
    ended_by: str  # "enter", "time_limit", "silence", "interrupt", "device_error", "file"
    speech_detected: bool = True
    error: str | None = None
    # the recorder's own clock (time.monotonic()): when it saw the stop request (``should_stop``),
    # and when the answer was closed on disk, just before `record_answer` returned
    stop_seen_at: float | None = None
    closed_at: float | None = None


def record_answer(
    path: Path,
    options: RecordOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_block: Callable[[np.ndarray], None] | None = None,
    on_started: Callable[[], None] | None = None,
) -> Recording:
    """Record one answer from the microphone into ``path`` until it ends.

    The answer ends when ``should_stop()`` returns True (the UI's Enter key), at the time limit,
    after ``silence_s`` of silence following speech, or on Ctrl+C (the audio is kept in every
    case). A device failure mid-answer also ends it, keeping what was captured.

    Args:
        path: the WAV file to write (its folder is created).
        options: limits and thresholds; defaults when None.
        on_progress: called with elapsed time and input level for the display.
        should_stop: polled every block and every `POLL_S` between blocks; True ends the answer
            at once (the stream is aborted, not drained: `Recording.stop_seen_at`, `closed_at`).
        on_block: receives every block of samples as it is written (incremental transcription).
        on_started: called once the input stream runs: the moment to tell the user to speak
            (opening a device can take a second or two on a busy machine).

    Returns:
        The recording, with how it ended.
    """
    import soundfile as sf

    sd = _sd()  # a missing PortAudio library is a DeviceError, and alsa-lib's chatter is off
    opts = options or RecordOptions()
    path.parent.mkdir(parents=True, exist_ok=True)
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    blocksize = int(opts.samplerate * BLOCK_S)

    def callback(indata, frames, time_info, status):  # runs on PortAudio's thread: copy only
        blocks.put(indata[:, 0].copy())

    end = EndOfAnswer(opts.samplerate, opts.silence_s)  # `rehearse.voice`'s rule
    ended_by = "interrupt"
    error: str | None = None
    stop_seen_at: float | None = None
    out = AnswerFile(path, opts.samplerate)
    try:
        try:
            with quiet_portaudio():
                stream = sd.InputStream(
                    samplerate=opts.samplerate, channels=CHANNELS, dtype="float32",
                    blocksize=blocksize, device=opts.device, callback=callback,
                )
        except (sd.PortAudioError, ValueError) as e:
            raise DeviceError(Message(f"could not open the audio input device: {e}", "device.open_failed",
                                      detail=str(e))) from e
        last_block = time.monotonic()
        try:
            with _running(stream, failed=lambda: ended_by == "device_error",
                          # before the first block (a source starting late) there is nothing
                          # to wait for but the answer's beginning: drained then
                          ended=lambda: ended_by in ("enter", "time_limit", "silence") and out.frames > 0):
                if on_started:
                    on_started()
                last_block = time.monotonic()  # the stream runs from here
                while True:
                    try:
                        block = blocks.get(timeout=POLL_S)  # Enter is seen within POLL_S
                    except queue.Empty:
                        stall = STALL_S if out.frames else FIRST_BLOCK_S
                        if time.monotonic() - last_block > stall or not stream.active:
                            ended_by, error = "device_error", DEVICE_GONE
                            break
                        block = None
                    if block is not None:
                        last_block = time.monotonic()
                        if not out.write(block):  # the disk is full: raised once the file is closed
                            break
                        if on_block:
                            on_block(block)
                        silent = end.hear(block)
                        level = level_dbfs(block)  # for the level meter
                        elapsed = out.frames / opts.samplerate
                        if on_progress:
                            on_progress(Progress(elapsed, level, end.started, end.silence))
                        if opts.time_limit_s and elapsed >= opts.time_limit_s:
                            ended_by = "time_limit"
                            break
                        if silent:
                            ended_by = "silence"
                            break
                    if should_stop and should_stop():
                        stop_seen_at = time.monotonic()
                        ended_by = "enter"
                        break
        except KeyboardInterrupt:
            ended_by = "interrupt"
        except sd.PortAudioError as e:
            ended_by, error = "device_error", Message(f"the audio input device failed ({e})",
                                                      "device.failed", detail=str(e))
        # blocks already captured belong to the answer too
        while not blocks.empty():
            block = blocks.get_nowait()
            if not out.write(block):
                break
            if on_block:
                on_block(block)
    finally:
        out.close()
    if out.error is not None:
        raise out.failure() from out.error
    frames_written = out.frames
    if ended_by == "device_error" and frames_written == 0:
        # nothing to keep or transcribe: the empty file's attempt is dropped by `repair_crashed`
        raise DeviceError(Message(f"{error}; nothing was recorded", "device.lost_nothing", cause=error))
    if ended_by == "silence":
        keep = min(frames_written, end.last_voice + int(TAIL_KEPT_S * opts.samplerate))
        with sf.SoundFile(str(path), "r+") as f:
            f.truncate(keep)
        frames_written = keep
    return Recording(
        path=path,
        duration_s=frames_written / opts.samplerate,
        ended_by=ended_by,
        speech_detected=end.started,
        error=error,
        stop_seen_at=stop_seen_at,
        closed_at=time.monotonic(),
    )


def answer_from_file(
    source: Path,
    path: Path,
    realtime: bool = False,
    on_block: Callable[[np.ndarray], None] | None = None,
) -> Recording:
    """Take a prepared audio file as the spoken answer (``--answers-from``).

    The file is converted to the recording format and stored at ``path`` exactly like a
    microphone answer, so everything after it is the same.

    Args:
        source: the answer file (any format `read_audio` reads).
        path: where the answer is kept, as a 16 kHz mono WAV.
        realtime: deliver the blocks at the pace of speech, as a microphone would.
        on_block: receives the answer block by block, like `record_answer`'s.

    Returns:
        The recording.
    """
    audio = read_audio(source)
    write_wav(path, audio)
    if on_block is not None:
        step = int(SAMPLE_RATE * BLOCK_S)
        start = time.monotonic()
        for i in range(0, audio.size, step):
            if realtime:
                time.sleep(max(0.0, start + i / SAMPLE_RATE - time.monotonic()))
            on_block(audio[i:i + step])
    return Recording(path=path, duration_s=audio.size / SAMPLE_RATE, ended_by="file",
                     speech_detected=heard_voice(audio, SAMPLE_RATE))
