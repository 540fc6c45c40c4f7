"""Recovery: answers cut off by a crash, and attempts still waiting for a transcript.

A session holds an exclusive lock on ``<session folder>/.lock`` while it runs; the operating
system releases it when the process dies, however it dies. An attempt left in state
``recording`` or ``pending`` whose session lock is free therefore belongs to a session that is
gone: its WAV is repaired (`rehearse.record.repair_wav`) and it is transcribed and scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.deck import Deck, load_deck
from rehearse.errors import RehearseError
from rehearse.evaluate import evaluate
from rehearse.lock import session_is_live
from rehearse.parts import Transcriber, TranscriberFactory, WhisperTranscriber
from rehearse.paths import Workspace, workspace
from rehearse.record import repair_wav
from rehearse.store import Store
from rehearse.transcribe import TranscribeOptions


@dataclass
class Recovered:
    """What `recover` found and did, attempt by attempt."""

    repaired: list[int] = field(default_factory=list)  # crashed mid-answer, WAV repaired
    dropped: list[int] = field(default_factory=list)  # no audio at all (device failed at once)
    transcribed: list[int] = field(default_factory=list)  # pending, now transcribed and scored
    failed: list[tuple[int, str]] = field(default_factory=list)  # (attempt id, why it stays)


def _samplerate(wav: Path) -> int:
    import soundfile as sf

    return sf.info(str(wav)).samplerate  # repaired just before: the header is whole


def repair_crashed(ws: Workspace | None = None, store: Store | None = None) -> Recovered:
    """Repair attempts whose session died mid-answer; they become pending (no model needed).

    Args:
        ws: the workspace.
        store: the history, if one is open already (it is left open).
    """
    ws = ws or workspace()
    out = Recovered()
    own = store is None
    store = store or Store(ws.history_db)
    try:
        for a in store.attempts(status="recording"):
            wav = Path(a.audio_path or "")
            if session_is_live(wav.parent):
                continue
            try:
                # a 0-byte file: the disk was full before the first sample, nothing was said
                frames = 0 if wav.is_file() and wav.stat().st_size == 0 else repair_wav(wav)
                seconds = frames / _samplerate(wav) if frames else 0.0
            except (OSError, ValueError, RuntimeError) as e:
                store.set_status(a.id, "lost")
                out.failed.append((a.id, f"{wav}: no audio to recover ({e})"))
                continue
            if frames == 0:  # nothing was recorded (device failed, disk full): nothing to keep
                store.delete_attempt(a.id)
                wav.unlink(missing_ok=True)
                out.dropped.append(a.id)
                continue
            store.mark_recorded(a.id, seconds)
            out.repaired.append(a.id)
    finally:
        if own:
            store.close()
    return out


def transcribe_pending(
    ws: Workspace | None = None,
    transcribe_options: TranscribeOptions | None = None,
    on_attempt: Callable[[int, str], None] | None = None,
    transcriber: TranscriberFactory | None = None,
) -> Recovered:
    """Repair crashed attempts, then transcribe and score every pending one of a finished session.

    Args:
        ws: the workspace.
        transcribe_options: model and engine.
        on_attempt: told (attempt id, "question id") before each transcription, for progress.
        transcriber: makes the deck's transcriber, as a session's `rehearse.parts.Parts` does
            (default: Whisper).

    Returns:
        What was repaired, transcribed, and what could not be (with the reason).
    """
    ws = ws or workspace()
    out = repair_crashed(ws)
    opts = transcribe_options or TranscribeOptions()
    make = transcriber or WhisperTranscriber
    store = Store(ws.history_db)
    decks: dict[str, tuple[Deck, Transcriber]] = {}
    try:
        for a in store.attempts(status="pending"):
            wav = Path(a.audio_path or "")
            if session_is_live(wav.parent):
                continue
            session = store.session(a.session_id)
            deck_path = session.deck_path if session else None
            try:
                if not deck_path:
                    raise RehearseError("the session's deck file is not known")
                if deck_path not in decks:
                    deck = load_deck(deck_path)
                    decks[deck_path] = (deck, make(deck, opts))  # as the session itself would have
                deck, heard = decks[deck_path]
                question = deck.find(a.question_id)
                if on_attempt:
                    on_attempt(a.id, a.question_id)
                transcript = heard.transcribe(wav, None)
                score = evaluate(deck, question, transcript, heard.prompt)
            except RehearseError as e:
                out.failed.append((a.id, str(e)))
                continue
            store.complete_attempt(a.id, transcript, score.score, score.coverage, score.to_dict())
            out.transcribed.append(a.id)
    finally:
        store.close()
    return out
