"""Report: one self-contained HTML page of a session or a deck's whole history.

The page needs no network and no other file: its styles are inline, its plots are matplotlib
SVGs embedded as ``data:image/svg+xml`` images, and every recording is embedded as a base64
``data:`` URI in its ``<audio>`` player, re-encoded to Ogg Opus (Ogg Vorbis for rates Opus lacks;
the original file when this libsndfile writes neither). So the file can be moved, mailed or opened
years later and still plays, with nothing linked beside it; the price is size (about 5 KB per
second of answer, a tenth of the WAV), and ``--no-audio`` leaves the recordings out.

Safety: the template is rendered by Jinja2 with autoescape on, so transcripts, answers and deck
text always show as text; the page carries a Content-Security-Policy that allows no script at all,
as a second line of defence.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearse.errors import RehearseError
from rehearse.history import (
    NumberedAttempt,
    parse_time,
    question_histories,
    session_summaries,
    stored_deck,
)

if TYPE_CHECKING:
    from rehearse.deck import Deck
    from rehearse.store import Store

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html.j2"
OPUS_RATES = {8_000, 12_000, 16_000, 24_000, 48_000}  # Hz: the rates Opus encodes (recordings are 16 kHz)
VORBIS_QUALITY = 0.5  # libsndfile compression level for Vorbis (0 = best quality, 1 = smallest)
PLOT_SIZE = (6.4, 2.2)  # inches: score over attempts, one per question
SESSIONS_PLOT_SIZE = (6.4, 5.0)  # inches: score, pace and fillers over sessions
#: the plots' axis labels (a front end in another language passes its own for any of them);
#: ``unit.*``: the pace unit a session's summary names
PLOT_LABELS = {"attempt": "attempt", "score": "score", "session": "session", "average": "average score",
               "pace": "pace", "per_min": "per min", "fillers": "fillers / min"}
#: fonts with Hangul tried after the default one, for Korean labels (only those installed are used)
_HANGUL_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic",
                 "AppleGothic", "UnDotum")


@dataclass
class ReportOptions:
    """What a report covers and what it embeds."""

    session_id: str | None = None  # one session; None with deck None = the latest session
    deck: str | None = None  # a stored deck name: every attempt at it
    embed_audio: bool = True  # embed each recording as a data: URI
    title: str | None = None  # default: from the deck and the session


@dataclass
class Span:
    """A piece of text, highlighted with a CSS class or not (``kind`` "" = plain)."""

    text: str
    kind: str = ""


@dataclass
class KeyPointView:
    """One key point and how an attempt did on it."""

    text: str
    status: str  # "covered", "partial" or "missed"
    evidence: str | None = None


@dataclass
class AttemptView:
    """One attempt as the page shows it."""

    number: int
    id: int
    session_id: str
    when: str
    status: str
    score: int | None
    metrics: list[tuple[str, str]]  # (label, value) pairs
    flags: list[str]  # "over time", "no speech"
    key_points: list[KeyPointView]
    transcript: list[Span]
    audio_uri: str | None
    audio_note: str | None  # why there is no player
    answer: list[Span] = field(default_factory=list)  # the prepared answer, marked for this attempt


@dataclass
class QuestionView:
    """One question: its attempts (each beside the prepared answer) and its score plot."""

    id: str
    question: str
    has_answer: bool  # the prepared answer is known (the deck file is still there)
    attempts: list[AttemptView] = field(default_factory=list)
    plot_uri: str | None = None


@dataclass
class Report:
    """Everything the template renders."""

    title: str
    language: str
    scope: str  # "session 2026…" or "deck sample-en"
    generated: str
    questions: list[QuestionView]
    sessions: list[dict[str, Any]]
    sessions_plot_uri: str | None
    audio_embedded: bool


def build_report(store: Store, options: ReportOptions | None = None) -> Report:
    """Collect a report's content from the store (and the deck file, when it is still there).

    Args:
        store: the history database.
        options: the scope and what to embed.

    Returns:
        The report, ready for `render_report`.

    Raises:
        RehearseError: nothing to report (unknown session, no history).
    """
    opts = options or ReportOptions()
    if opts.session_id is not None:
        session = store.session(opts.session_id)
        if session is None:
            raise RehearseError(f"no session '{opts.session_id}' in the history")
        deck_name, attempts = session.deck, store.session_attempts(session.id)
        if not attempts:
            raise RehearseError(f"session '{session.id}' has no attempts")
        scope, until = f"session {session.id}", session.id
    elif opts.deck is not None:
        deck_name, attempts = opts.deck, store.attempts(deck=opts.deck)
        scope, until = f"deck {opts.deck}", None
        if not attempts:
            raise RehearseError(f"no attempts at deck '{opts.deck}' yet; practise first")
    else:
        sessions = [s for s in store.sessions() if store.session_attempts(s.id)]
        if not sessions:
            raise RehearseError("no practice recorded yet; run `rehearse practice DECK` first")
        session = sessions[-1]
        deck_name, attempts = session.deck, store.session_attempts(session.id)
        scope, until = f"session {session.id}", session.id
    deck = stored_deck(store, deck_name)
    histories = {h.question_id: h for h in question_histories(store, deck_name)}
    numbered = {n.attempt.id: n for h in histories.values() for n in h.attempts}
    order = [q.id for q in deck.walk()] if deck else []
    ids = sorted(dict.fromkeys(a.question_id for a in attempts),
                 key=lambda qid: (order.index(qid) if qid in order else len(order)))
    questions = []
    for qid in ids:
        mine = [numbered[a.id] for a in attempts if a.question_id == qid]
        questions.append(_question_view(deck, qid, mine, histories[qid].scores, opts.embed_audio))
    summaries = [s for s in session_summaries(store, deck_name) if s.questions]
    if until is not None:  # a session's report shows the sessions up to that one
        last = next(i for i, s in enumerate(summaries) if s.id == until)
        summaries = summaries[: last + 1]
    return Report(
        title=opts.title or (deck.title if deck else deck_name),
        language=deck.language if deck else "",
        scope=scope,
        generated=_when(store.now()),
        questions=questions,
        sessions=[s.to_dict() for s in summaries],
        sessions_plot_uri=sessions_plot(summaries) if summaries else None,
        audio_embedded=opts.embed_audio,
    )


def _question_view(deck: Deck | None, qid: str, attempts: list[NumberedAttempt], all_scores: list[int],
                   embed_audio: bool) -> QuestionView:
    q = None
    if deck is not None:
        try:
            q = deck.find(qid)
        except RehearseError:
            q = None
    views = [_attempt_view(n, embed_audio) for n in attempts]
    prepared = q.answer if q else ""
    for v in views:
        v.answer = highlight(prepared, [(p.text, p.status) for p in v.key_points])
    return QuestionView(
        id=qid,
        question=q.question if q else (attempts[-1].attempt.question or qid),
        has_answer=bool(prepared),
        attempts=views,
        plot_uri=score_plot(all_scores) if all_scores else None,
    )


def _attempt_view(n: NumberedAttempt, embed_audio: bool) -> AttemptView:
    a, r = n.attempt, n.attempt.score_result
    points = [KeyPointView(p.text, p.status, p.evidence) for p in (r.key_points if r else [])]
    metrics = []
    if a.score is not None:
        metrics.append(("score", f"{a.score}"))
    if a.coverage is not None:
        metrics.append(("coverage", f"{a.coverage:.0%}"))
    if a.duration_s is not None:
        metrics.append(("duration", f"{a.duration_s:.1f} s"))
    flags = []
    if r is not None:
        if r.pace.value is not None:
            band = f" ({r.pace.band})" if r.pace.band else ""
            metrics.append(("pace", f"{r.pace.value:.0f} {r.pace.unit}{band}"))
        rate = f" ({r.fillers.per_minute:.1f}/min)" if r.fillers.per_minute is not None else ""
        metrics.append(("fillers", f"{r.fillers.count}{rate}"))
        flags = [label for on, label in ((r.over_time, "over time"), (r.no_speech, "no speech"),
                                         (r.unclear, "no words made out")) if on]
    evidence = [p.evidence for p in points if p.evidence and p.status != "missed"]
    uri, note = None, None
    if not embed_audio:
        note = "recordings not embedded (--no-audio)"
    elif not a.audio_path:
        note = "no recording"
    elif not Path(a.audio_path).is_file():
        note = "recording missing from disk"
    else:
        try:
            uri = audio_data_uri(Path(a.audio_path))
        except RehearseError as e:
            note = str(e)
    return AttemptView(
        number=n.number, id=a.id, session_id=a.session_id, when=_when(a.started_at), status=a.status,
        score=a.score, metrics=metrics, flags=flags, key_points=points,
        transcript=highlight(a.transcript or "", [(e, "evidence") for e in evidence]),
        audio_uri=uri, audio_note=note,
    )


def highlight(text: str, marks: list[tuple[str, str]]) -> list[Span]:
    """Split ``text`` into spans, marking where each (phrase, kind) occurs (case-insensitive).

    Args:
        text: the text to show.
        marks: phrases to mark and the CSS class for each; an earlier one wins an overlap.

    Returns:
        Spans that join back into ``text`` exactly.
    """
    lower = text.casefold()
    kinds: list[str] = [""] * len(text)
    # casefold can change lengths (ß → ss); fall back to no marking rather than misplace marks
    if len(lower) != len(text):
        return [Span(text)] if text else []
    for phrase, kind in marks:
        needle = phrase.strip().casefold()
        if not needle:
            continue
        start = lower.find(needle)
        while start >= 0:
            for i in range(start, start + len(needle)):
                kinds[i] = kinds[i] or kind
            start = lower.find(needle, start + len(needle))
    spans: list[Span] = []
    for ch, kind in zip(text, kinds, strict=True):
        if spans and spans[-1].kind == kind:
            spans[-1].text += ch
        else:
            spans.append(Span(ch, kind))
    return spans


def audio_data_uri(path: Path) -> str:
    """A recording as a ``data:`` URI in Ogg (Opus, else Vorbis); the file as is when neither encodes.

    Opus at 16 kHz mono keeps speech clear at about 3.5 KB a second, a tenth of the WAV; Chromium
    and Firefox play both Ogg codecs.
    """
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as e:
        raise RehearseError(f"{path}: not a readable audio file ({e})") from e
    if data.shape[0] > 0:
        mono = data.mean(axis=1)
        encodings = [("OPUS", {})] if rate in OPUS_RATES else []
        encodings.append(("VORBIS", {"compression_level": VORBIS_QUALITY}))
        for subtype, extra in encodings:
            buf = io.BytesIO()
            try:
                sf.write(buf, mono, rate, format="OGG", subtype=subtype, **extra)
            except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
                continue  # an older libsndfile without this codec: try the next
            return "data:audio/ogg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    mime = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg"}.get(
        path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _svg_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: render to files only
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams.update({"svg.hashsalt": "rehearse", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False,
                         "font.family": ["DejaVu Sans", *(f for f in _HANGUL_FONTS if f in installed)]})
    return plt


def score_plot(scores: list[int], labels: dict[str, str] | None = None) -> str:
    """Score over attempts (1, 2, …) of one question, as an SVG data URI (``labels``: see `PLOT_LABELS`)."""
    words = {**PLOT_LABELS, **(labels or {})}
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=PLOT_SIZE)
    xs = list(range(1, len(scores) + 1))
    ax.plot(xs, scores, marker="o", color="#2563eb", clip_on=False)
    ax.set_ylim(0, 100)
    ax.set_xticks(xs)
    ax.set_xlabel(words["attempt"])
    ax.set_ylabel(words["score"])
    ax.grid(axis="y", alpha=0.3)
    try:
        return _svg_uri(fig)
    finally:
        plt.close(fig)


def sessions_plot(summaries: list[Any], labels: dict[str, str] | None = None) -> str:
    """Average score, pace and fillers per minute over sessions, as an SVG data URI (``labels``: see
    `PLOT_LABELS`)."""
    words = {**PLOT_LABELS, **(labels or {})}
    plt = _pyplot()
    fig, axes = plt.subplots(3, 1, figsize=SESSIONS_PLOT_SIZE, sharex=True)
    xs = list(range(1, len(summaries) + 1))
    units = {s.pace_unit for s in summaries if s.pace_unit}
    unit = units.pop() if len(units) == 1 else None
    unit_text = words.get(f"unit.{unit}", unit) if unit else words["per_min"]
    rows = [(words["average"], [s.average_score for s in summaries], "#2563eb"),
            (f"{words['pace']} ({unit_text})", [s.pace for s in summaries], "#059669"),
            (words["fillers"], [s.fillers_per_minute for s in summaries], "#dc2626")]
    for ax, (label, values, color) in zip(axes, rows, strict=True):
        pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color=color, clip_on=False)
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylim(0, 100)
    axes[-1].set_xticks(xs)
    axes[-1].set_xticklabels([_when(s.started_at)[5:] for s in summaries], rotation=30, ha="right")
    axes[-1].set_xlabel(words["session"])
    try:
        return _svg_uri(fig)
    finally:
        plt.close(fig)


def _when(iso: str) -> str:
    try:
        return parse_time(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def render_report(report: Report) -> str:
    """The report as one HTML page (Jinja2, autoescape on)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value is escaped unless the template says otherwise (it never does)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE).render(r=report)


def write_report(store: Store, path: Path, options: ReportOptions | None = None) -> Report:
    """Build and write a report to ``path`` (written whole, then renamed into place).

    Args:
        store: the history database.
        path: the HTML file to write.
        options: the scope and what to embed.

    Returns:
        The report that was written.
    """
    report = build_report(store, options)
    html = render_report(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        raise RehearseError(f"{path}: cannot write the report ({e})") from e
    return report

