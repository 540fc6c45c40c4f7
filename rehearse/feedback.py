"""Terminal rendering of a :class:`~rehearse.score.Score` (rich renderables, no printing here)."""

from __future__ import annotations

import re
import unicodedata

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rehearse.score import Score

MARKS = {"covered": ("✓", "green"), "partial": ("~", "yellow"), "missed": ("✗", "red")}
BAND_STYLE = {"ok": "green", "slow": "yellow", "fast": "yellow", None: "dim"}
# why a key point whose words were said is not covered (KeyPointResult.reason)
REASONS = {
    "negated": "said the opposite: “{contrast}”",
    "different_figure": "different figure: {contrast}",
    "different_name": "different name: {contrast}",
    "keywords_only": "only the key words, not said as a sentence",
    "word_order": "the words are there, but in no sentence's order",
}


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _score_style(value: int) -> str:
    return "bold green" if value >= 80 else "bold yellow" if value >= 50 else "bold red"


# the words of `explain_score`'s line; a front end in another language passes its own
EXPLAIN_WORDS_EN = {"content": "content", "no_timings": "no timings, so delivery is not scored",
                    "delivery": "delivery {score} (mean of {parts})", "score": "score", "pace": "pace",
                    "fillers": "fillers", "pauses": "pauses", "time": "time"}


def explain_score(score: Score, words: dict[str, str] = EXPLAIN_WORDS_EN) -> str:
    """The arithmetic behind the score, in one line (in ``words``: `EXPLAIN_WORDS_EN`'s keys)."""
    n = len(score.key_points)
    covered = sum(k.status == "covered" for k in score.key_points)
    partial = sum(k.status == "partial" for k in score.key_points)
    content = f"{words['content']} {score.content_score} = ({covered} + ½×{partial}) / {n}"
    d = score.delivery
    if d.score is None:
        return f"{content}; {words['no_timings']}"
    parts = ", ".join(f"{words[name]} {value}" for name, value in
                      (("pace", d.pace), ("fillers", d.fillers), ("pauses", d.pauses),
                       ("time", d.time)) if value is not None)
    return (f"{content}; {words['delivery'].format(score=d.score, parts=parts)}; "
            f"{words['score']} = {score.content_score} × (1 − {d.weight:g} × (1 − {d.score}/100)) = "
            f"{score.score}")


def render_feedback(score: Score, prepared: str | None = None,
                    show_transcript: bool = True, marks: bool = False) -> RenderableType:
    """A compact feedback block: score and verdict, each key point ✓/~/✗ with its evidence (and
    why it is not covered when its words were said: the opposite, a different figure or name),
    duration against the limit, pace and band, fillers, pauses, verbatim closeness, the score's
    arithmetic, and the transcript (or, given ``prepared``, a coloured diff against it; with
    ``marks``, for output without colour, the edits are also bracketed: ``[-left out-]{+added+}``)."""
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{score.score}/100", style=_score_style(score.score))
    head.append("  ")
    head.append(score.verdict, style="bold")
    parts.append(head)
    if score.no_words:
        if score.transcript:
            parts.append(Text(f"(Whisper heard only: {score.transcript!r})", style="dim"))
        return Group(*parts)

    points = Table.grid(padding=(0, 1))
    points.add_column(width=1)
    points.add_column(overflow="fold")
    for kp in score.key_points:
        mark, style = MARKS[kp.status]
        body = Text(kp.text, style=style if kp.status == "missed" else "")
        if kp.reason in REASONS:
            body.append("\n" + REASONS[kp.reason].format(contrast=kp.contrast or ""), style=f"bold {style}")
        if kp.evidence and kp.reason != "negated":
            body.append(f"\n“{kp.evidence}”", style="dim italic")
        points.add_row(Text(mark, style=f"bold {style}"), body)
    parts.append(points)

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    limit = f" / {_clock(score.time_limit_s)}" if score.time_limit_s else ""
    over = Text(" over time", style="red") if score.over_time else Text("")
    first = (f"   first word after {score.time_to_first_word_s:.1f} s"
             if score.time_to_first_word_s is not None else "")
    said = _clock(score.duration_s) if score.duration_s is not None else "not timed"
    facts.add_row("Time", Text(f"{said}{limit}") + over + Text(first))
    pace = score.pace
    if pace.value is not None:
        facts.add_row("Pace", Text(f"{pace.value:.0f} {pace.unit} ") + Text(
            f"{pace.band}", style=BAND_STYLE[pace.band]) + Text(
            f" (ok {pace.low:.0f}–{pace.high:.0f})", style="dim"))
    f = score.fillers
    items = ", ".join(f"{word} ×{n}" for word, n in sorted(f.items.items(), key=lambda x: -x[1]))
    rate = f" ({f.per_minute:g}/min)" if f.per_minute is not None else ""
    facts.add_row("Fillers", f"{f.count}{rate}" + (f": {items}" if items else ""))
    if score.pauses.longest_s is not None:
        facts.add_row("Pauses", f"{score.pauses.count} over {score.pauses.threshold_s:g} s "
                                f"(longest {score.pauses.longest_s:.1f} s)")
    v = score.verbatim
    if v.value is not None:
        note = Text("")
        if v.memorised and v.changed is not None:
            note = Text(f"  sounds memorised: only {v.changed:.0%} of what you said differs from "
                        "the prepared words", style="yellow")
        facts.add_row("Verbatim", Text(f"{v.metric.upper()} {v.value:.2f} against the prepared "
                                       "answer (0 = word for word)") + note)
    facts.add_row("Why", Text(explain_score(score), style="dim"))
    parts.append(facts)

    if prepared is not None:
        legend = "[-left out-] {+added+}" if marks else "red: left out, green: added"
        parts.append(Text(f"Prepared vs said ({legend}):", style="bold"))
        parts.append(render_diff(prepared, score.transcript, score.language, marks))
    elif show_transcript:
        parts.append(Text("Transcript: ", style="bold") + Text(score.transcript))
    return Group(*parts)


def _items(text: str, language: str) -> list[tuple[str, str, bool]]:
    """(shown, compared, space before) per comparison unit: characters for Korean (spaces and
    punctuation ignored, as in CER), words for English (as in WER)."""
    out: list[tuple[str, str, bool]] = []
    pattern = r"\w" if language == "ko" else r"\w+(?:['’]\w+)*"
    last = 0
    for m in re.finditer(pattern, unicodedata.normalize("NFC", text)):
        gap = text[last : m.start()]
        spaced = language != "ko" or any(c.isspace() for c in gap)
        out.append((m.group(), m.group().casefold(), spaced))
        last = m.end()
    return out


def render_diff(prepared: str, transcript: str, language: str, marks: bool = False) -> Text:
    """The prepared answer aligned with what was said: equal text plain, left-out text red and
    struck through, added text green (Korean by character, English by word). With ``marks``
    each run of left-out text is also wrapped in ``[-…-]`` and each added run in ``{+…+}``."""
    from rapidfuzz.distance import Levenshtein

    a, b = _items(prepared, language), _items(transcript, language)
    out = Text()

    def emit(item: tuple[str, str, bool], style: str) -> None:
        if out and item[2]:
            out.append(" ")
        out.append(item[0], style=style)

    removed: list[tuple[str, str, bool]] = []
    added: list[tuple[str, str, bool]] = []

    def run(items: list[tuple[str, str, bool]], style: str, opening: str, closing: str) -> None:
        if not items:
            return
        if marks:
            first = items[0]
            items = [(opening + first[0], first[1], first[2]), *items[1:]]
            last = items[-1]
            items[-1] = (last[0] + closing, last[1], last[2])
        for item in items:
            emit(item, style)

    def flush() -> None:  # a run of edits reads best as "all that was left out, then all added"
        run(removed, "red strike", "[-", "-]")
        run(added, "green", "{+", "+}")
        removed.clear()
        added.clear()

    for op in Levenshtein.opcodes([x[1] for x in a], [x[1] for x in b]):
        if op.tag == "equal":
            flush()
            for item in a[op.src_start : op.src_end]:
                emit(item, "")
        else:
            removed.extend(a[op.src_start : op.src_end])
            added.extend(b[op.dest_start : op.dest_end])
    flush()
    return out
