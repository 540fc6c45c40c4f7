"""Test helpers: real history databases filled with `Score` results at the times a test chooses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import soundfile as sf

from rehearse.score import Delivery, Fillers, KeyPointResult, Pace, Pauses, Score, Verbatim
from rehearse.store import Store
from rehearse.transcript import Transcript

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a fixed clock for every test


def result(qid: str, score: int, coverage: float | None = None, *, transcript: str = "an answer",
           points: list[tuple[str, str]] | None = None, pace: float | None = 140.0,
           fillers_per_min: float | None = 0.5, over_time: bool = False, no_speech: bool = False,
           unit: str = "wpm") -> Score:
    """A scored answer built through the scorer's own types (what `Score.to_dict()` stores)."""
    kps = [KeyPointResult(text=t, status=s, covered=s == "covered", evidence=t if s != "missed" else None,
                          similarity=1.0 if s == "covered" else 0.0)
           for t, s in (points or [("the first point", "covered"), ("the second point", "missed")])]
    return Score(
        question_id=qid, transcript=transcript, language="en", score=score,
        coverage=score / 100 if coverage is None else coverage, key_points=kps,
        verbatim=Verbatim(metric="wer", value=0.5),
        pace=Pace(value=pace, unit=unit, band="ok", low=120.0, high=160.0),
        fillers=Fillers(count=1, per_minute=fillers_per_min, items={"um": 1}),
        pauses=Pauses(count=0, longest_s=0.4), delivery=Delivery(),
        duration_s=10.0, over_time=over_time, no_speech=no_speech, content_score=score,
    )


def tone(path: Path, seconds: float, hz: float, rate: int = 16_000) -> Path:
    """A sine tone WAV (a recording whose length and pitch a test can recognise)."""
    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), (0.4 * np.sin(2 * np.pi * hz * t)).astype(np.float32), rate, subtype="PCM_16")
    return path


def add(store: Store, session: str, deck: str, qid: str, when: datetime, res: Score | None, *,
        audio: Path | None = None, question: str | None = None, deck_path: str | None = None) -> int:
    """Add one attempt (and its session, if new) at a given time; ``res`` None leaves it pending."""
    clock, store.clock = store.clock, lambda: when  # the store stamps everything with ``when``
    try:
        if store.session(session) is None:
            store.start_session(session, deck, deck_path, "en")
        duration = sf.info(str(audio)).duration if audio and audio.is_file() else None
        aid = store.add_attempt(session_id=session, deck=deck, question_id=qid,
                                question=question or f"{qid}?", started_at=when.isoformat(),
                                audio_path=str(audio) if audio else None, duration_s=duration)
        if res is not None:
            t = Transcript(res.transcript, "en", engine="openai-whisper", model="base")
            store.complete_attempt(aid, t, res.score, res.coverage, res.to_dict())
    finally:
        store.clock = clock
    return aid


def days(n: float) -> timedelta:
    """``n`` days."""
    return timedelta(days=n)
