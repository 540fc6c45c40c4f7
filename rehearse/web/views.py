"""What the pages show, as plain data: feedback, decks, word timings and settings.

Everything user-written stays text here; the templates (autoescaped) and app.js (``textContent``)
show it as text.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rehearse.errors import RehearseError
from rehearse.paths import BUNDLED_QUESTIONS, Workspace
from rehearse.score import Score, seconds_said
from rehearse.transcript import Transcript
from rehearse.web import words
from rehearse.web.words import LANGUAGES

DIFF_OPS = {"red strike": "missed", "green": "added"}


# ---------------------------------------------------------------- feedback


def diff_items(prepared: str, said: str, language: str) -> list[dict[str, str]]:
    """The prepared answer against what was said, as runs of ``same``/``missed``/``added`` text
    (`rehearse.feedback.render_diff`'s alignment, read from its styled spans)."""
    from rehearse.feedback import render_diff

    text = render_diff(prepared, said, language)
    plain = text.plain
    styles = ["same"] * len(plain)
    for span in text.spans:
        op = DIFF_OPS.get(str(span.style), "same")
        for i in range(span.start, min(span.end, len(plain))):
            styles[i] = op
    out: list[dict[str, str]] = []
    for ch, op in zip(plain, styles, strict=True):
        if out and out[-1]["op"] == op:
            out[-1]["text"] += ch
        else:
            out.append({"op": op, "text": ch})
    return out


def feedback_words(score: Score, language: str) -> dict[str, Any]:
    """The feedback's sentences in one language: the verdict, the Why line and each key point's
    reason (None where there is none)."""
    return {"verdict": words.verdict(score, language), "why": words.why(score, language),
            "reasons": [words.reason(k.reason, k.contrast, language) for k in score.key_points]}


def feedback_view(score: Score, prepared: str | None, attempt_id: int | None,
                  question_id: str) -> dict[str, Any]:
    """The feedback card's content (also the ``feedback`` event's data)."""
    return {
        "attempt_id": attempt_id,
        "question_id": question_id,
        "score": score.score,
        "verdict": score.verdict,
        "no_speech": score.no_speech,
        "unclear": score.unclear,  # voice heard, no words made out (the verdict says so in each language)
        "voice_seconds": seconds_said(score.voice_s),
        "key_points": [{"text": k.text, "status": k.status, "evidence": k.evidence, "reason": k.reason,
                        "contrast": k.contrast} for k in score.key_points],
        "diff": diff_items(prepared, score.transcript, score.language) if prepared else [],
        "transcript": score.transcript,
        "language": score.language,
        "duration_s": score.duration_s,
        "time_limit_s": score.time_limit_s,
        "over_time": score.over_time,
        "pace": score.pace.value,
        "pace_unit": score.pace.unit,
        "pace_band": score.pace.band,
        "fillers": score.fillers.count,
        "fillers_per_minute": score.fillers.per_minute,
        "filler_words": dict(score.fillers.items),
        "pauses": score.pauses.count,
        "longest_pause_s": score.pauses.longest_s,
        "first_word_s": score.time_to_first_word_s,
        "memorised": score.verbatim.memorised,
        "why": words.why(score, "en"),
        "text": {language: feedback_words(score, language) for language in LANGUAGES},
    }


# ---------------------------------------------------------------- word timings


def word_path(audio: Path) -> Path:
    """Where an answer's word timings are kept: beside its audio, ``<name>.words.json``."""
    return audio.with_name(audio.stem + ".words.json")


def save_word_timings(audio: Path, transcript: Transcript) -> None:
    """Keep the transcript's word timings beside the answer, for playback's highlighting."""
    words = [{"text": w.text, "start": round(w.start, 2), "end": round(w.end, 2)}
             for seg in transcript.segments for w in seg.words]
    if not words:
        return
    with contextlib.suppress(OSError):
        word_path(audio).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")


def load_word_timings(audio: Path | None, text: str) -> tuple[list[dict[str, Any]], bool]:
    """The words of an answer with their start times, and whether those times were measured.

    Without kept timings (an answer from before they were kept, or a typed transcript) the
    words come from the transcript text, without times.
    """
    if audio is not None:
        with contextlib.suppress(OSError, ValueError):
            raw = json.loads(word_path(audio).read_text(encoding="utf-8"))
            words = [{"text": str(w["text"]).strip(), "start": float(w["start"]), "end": float(w["end"])}
                     for w in raw if str(w.get("text", "")).strip()]
            if words:
                return words, True
    return [{"text": t, "start": None, "end": None} for t in text.split()], False


# ---------------------------------------------------------------- decks


@dataclass
class DeckEntry:
    """A deck the decks screen offers: a file in questions/, used recently, or imported."""

    key: str
    path: Path
    where: str  # "questions", "recent" or "bundled"
    title: str = ""
    language: str = ""
    questions: int = 0
    error: RehearseError | None = None  # why it cannot be read (`words.error_text` words it)


def deck_key(path: Path) -> str:
    """A deck's address in URLs: a digest of its resolved path (never the path itself)."""
    return hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]


DECK_SUFFIXES = {".yaml", ".yml", ".txt", ".md", ".csv", ".tsv", ".xlsx", ".docx"}


def known_decks(ws: Workspace, recent: list[str]) -> list[DeckEntry]:
    """The decks in ``questions/``, then recently used files, then the bundled samples."""
    seen: set[Path] = set()
    out: list[DeckEntry] = []

    def add(path: Path, where: str) -> None:
        path = path.resolve()
        if path in seen or not path.is_file():
            return
        seen.add(path)
        out.append(DeckEntry(deck_key(path), path, where))

    if ws.questions.is_dir():
        for p in sorted(ws.questions.iterdir()):
            if p.suffix.lower() in DECK_SUFFIXES:
                add(p, "questions")
    for r in recent:
        add(Path(r), "recent")
    if BUNDLED_QUESTIONS.is_dir():  # the samples, unless the workspace has its own copy
        names = {e.path.name for e in out}
        for p in sorted(BUNDLED_QUESTIONS.glob("*.yaml")):
            if p.name not in names:
                add(p, "bundled")
    return out


_DESCRIBED: dict[tuple[Path, int, int], tuple[str, str, int, RehearseError | None]] = {}


def describe(entry: DeckEntry) -> DeckEntry:
    """Fill in the title, language and size (or the one-sentence error) of a deck; a file is read
    again only when it changes."""
    from rehearse.deck import load_deck

    try:
        st = entry.path.stat()
    except OSError:
        st = None
    key = (entry.path, st.st_mtime_ns, st.st_size) if st else None
    if key is None or key not in _DESCRIBED:
        try:
            deck = load_deck(entry.path)
            found = (deck.title, deck.language, len(deck.walk()), None)
        except RehearseError as e:
            found = (entry.path.name, "", 0, e)
        if key is not None:
            _DESCRIBED[key] = found
    else:
        found = _DESCRIBED[key]
    entry.title, entry.language, entry.questions, entry.error = found
    return entry


# ---------------------------------------------------------------- settings


@dataclass
class Settings:
    """What the settings screen saves in the workspace (``recordings/app-settings.json``)."""

    input_device: str = ""  # index or name fragment; "" = the system default
    output_device: str = ""
    voice: str = ""  # "" = by the deck's language
    speak: bool = True
    engine: str = ""  # "" = REHEARSE_ENGINE or openai-whisper
    model: str = ""  # "" = REHEARSE_MODEL or base
    silence_s: float = 4.0
    live: bool = True  # the practice screen ticks the key points off as they are said
    ui_language: str = "auto"  # "auto" (the deck's), "en" or "ko"
    recent: list[str] = field(default_factory=list)  # deck files, most recent first

    @staticmethod
    def path(ws: Workspace) -> Path:
        return ws.recordings / "app-settings.json"

    @classmethod
    def load(cls, ws: Workspace) -> Settings:
        try:
            raw = json.loads(cls.path(ws).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        try:
            s = cls(**known)
            s.silence_s = float(s.silence_s)
            s.live = s.live is not False
        except (TypeError, ValueError):
            return cls()
        s.recent = [str(r) for r in s.recent if isinstance(r, str)] if isinstance(s.recent, list) else []
        return s

    def save(self, ws: Workspace) -> None:
        """Write atomically (a crash never leaves half a file)."""
        path = self.path(ws)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".app-settings-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(self), f, ensure_ascii=False, indent=2)
        os.replace(tmp, path)

    def used(self, deck_path: Path, keep: int = 10) -> None:
        p = str(deck_path.resolve())
        self.recent = [p, *[r for r in self.recent if r != p]][:keep]
