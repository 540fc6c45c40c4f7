"""Terminal display: a practice session as it happens, and the history tables.

Used by the command line; it prints with rich and knows nothing of the command-line framework.
"""

from __future__ import annotations

import select
import sys
from typing import TYPE_CHECKING

from rehearse.voice import MIN_VOICE_DB

if TYPE_CHECKING:
    from rich.console import Console

    from rehearse.history import NumberedAttempt, QuestionHistory, SessionSummary
    from rehearse.practice import AttemptResult
    from rehearse.record import Progress, Recording, RecordOptions
    from rehearse.score import Score

MARKS = {"covered": "✓", "partial": "~", "missed": "✗"}
# after a latest score of 0 in `rehearse history`: why nothing was scored
OUTCOME_MARKS = {"no_speech": " (no answer)", "unclear": " (no words made out)"}


def console(stderr: bool = False) -> Console:
    """A rich console that does not colour numbers and paths on its own."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def esc(text: object) -> str:
    """User text for rich markup: a question reading "What does [x] mean?" shows as written."""
    from rich.markup import escape

    return escape(str(text))


class ConsoleEvents:
    """Shows a practice session in the terminal (a `rehearse.practice.SessionEvents`)."""

    def __init__(self, out: Console, live: bool = False) -> None:
        self.console = out
        self.tty = sys.stdin.isatty()
        self.live_line = sys.stderr.isatty()
        self._line_open = False
        self.live_points = live  # show the key points ticking as they are said (``--live``)
        self._limit_s: float | None = None
        self._ticked: tuple[str, ...] | None = None

    def loading_model(self, model: str) -> None:
        self.console.print(f"[dim]Loading Whisper model '{esc(model)}' in the background …[/dim]")

    def question(self, index, total, question, asked) -> None:
        self.console.print()
        self.console.rule(f"[bold]Question {index}/{total}[/bold] · {esc(question.id)}")
        self.console.print(f"[bold cyan]{esc(asked)}[/bold cyan]")

    def recovered(self, recovered) -> None:
        self.console.print(f"[yellow]Recovered {len(recovered.repaired)} answer(s) cut off by a crash or a "
                           "full disk; they are transcribed after this session.[/yellow]")

    def warning(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/yellow] {esc(message)}")

    def recording(self, question, options: RecordOptions) -> None:
        ends = "Press Enter when you are done" if self.tty else "Recording"
        limit = f", {options.time_limit_s:.0f} s limit" if options.time_limit_s else ""
        self.console.print(f"[red]●[/red] Recording … {ends}{limit}; Ctrl+C ends the answer.")
        self._limit_s, self._ticked = options.time_limit_s, None

    def live(self, partial: Score, elapsed_s: float) -> None:
        """The key points said so far (``--live``), printed when one more is ticked."""
        if not self.live_points or not partial.key_points:
            return
        ticked = tuple(p.status for p in partial.key_points)
        if ticked == self._ticked:
            return
        self._ticked = ticked
        self.end_line()
        limit = f" / {self._limit_s:.0f}" if self._limit_s else ""
        points = "  ".join(f"{'✓' if p.status == 'covered' else '~' if p.status == 'partial' else '·'} "
                           f"{esc(_short(p.text))}" for p in partial.key_points)
        self.console.print(f"  [dim]{elapsed_s:5.1f}{limit} s[/dim]  {points}", soft_wrap=True)

    def progress(self, p: Progress) -> None:
        if not self.live_line:
            return
        bars = max(0, min(30, int((p.level_db - MIN_VOICE_DB) / 2)))  # 2 dB a bar from the voice floor
        limit = f" / {self._limit_s:.0f}" if self.live_points and self._limit_s else ""
        sys.stderr.write(f"\r  {p.elapsed_s:5.1f}{limit} s  [{'█' * bars:<30}] {p.level_db:6.1f} dB ")
        sys.stderr.flush()
        self._line_open = True

    def end_line(self) -> None:
        """End the live level line, if one is showing."""
        if self._line_open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._line_open = False

    def should_stop(self) -> bool:
        return self.tty and enter_pressed()

    def recorded(self, rec: Recording) -> None:
        self.end_line()
        how = {"enter": "you pressed Enter", "time_limit": "time limit reached",
               "silence": "silence after the answer", "interrupt": "Ctrl+C",
               "device_error": "the device failed", "file": "answer file"}.get(rec.ended_by, rec.ended_by)
        self.console.print(f"Recorded {rec.duration_s:.1f} s ({how}) → {esc(rec.path)}", soft_wrap=True)

    def transcribing(self, rec: Recording) -> None:
        self.console.print("[dim]Transcribing …[/dim]")

    def feedback(self, attempt: AttemptResult) -> None:
        from rehearse.feedback import render_feedback

        self.console.print(render_feedback(attempt.score, attempt.question.answer or None,
                                           marks=self.console.color_system is None))


def enter_pressed() -> bool:
    """True once Enter was pressed in the terminal (never waits)."""
    if sys.platform == "win32":  # select() takes only sockets there: read the console's keys
        import msvcrt

        while msvcrt.kbhit():
            if msvcrt.getwch() in "\r\n":
                return True
        return False
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    if ready:
        sys.stdin.readline()
        return True
    return False


def _short(text: str, width: int = 32) -> str:
    """A key point cut to ``width`` characters for the live line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def show_attempt(out: Console, label: str, n: NumberedAttempt) -> None:
    """What `play` shows beside an attempt while it plays: when, score, transcript, key points."""
    from rich.text import Text

    a = n.attempt
    score_text = "not scored" if a.score is None else f"score {a.score}{OUTCOME_MARKS.get(n.outcome, '')}"
    out.print(Text(f"▶ {label}: {a.deck}/{a.question_id} attempt #{n.number} · {a.started_at} · "
                   f"{score_text} · {a.duration_s or 0:.1f} s", style="bold"))
    if a.transcript:
        out.print(Text(f"  You said: {a.transcript}"))
    for p in a.score_result.key_points if a.score_result else []:
        out.print(Text(f"  {MARKS.get(p.status, '?')} {p.text}"))


def sparkline(scores: list[int]) -> str:
    """Scores 0-100 as a row of bars, oldest first."""
    bars = "▁▂▃▄▅▆▇█"
    return "".join(bars[min(7, int(s) * 8 // 101)] for s in scores)


def print_history(out: Console, questions: list[QuestionHistory], sessions: list[SessionSummary]) -> None:
    """The `history` tables: per question (tries, best, latest, trend) and per session."""
    from rich.table import Table

    one_deck = len({q.deck for q in questions}) == 1
    title = f"Questions of {questions[0].deck}" if one_deck else "Questions"
    table = Table(title=esc(title), title_justify="left")
    for col in ("question", "tries", "best", "latest", "trend", "scores", "last practised"):
        table.add_column(col, justify="right" if col in ("tries", "best", "latest") else "left")
    for q in questions:
        d = q.to_dict()
        table.add_row(esc(q.question_id if one_deck else f"{q.deck}/{q.question_id}"), str(d["attempts"]),
                      "-" if d["best_score"] is None else str(d["best_score"]),
                      "-" if d["latest_score"] is None else
                      f"{d['latest_score']}{OUTCOME_MARKS.get(d['latest_outcome'], '')}",
                      d["trend_label"], sparkline(q.scores), (q.last_practised or "")[:16].replace("T", " "))
    sess = Table(title="Sessions", title_justify="left")
    for col in ("session", "started", "answers", "average", "pace", "fillers/min"):
        sess.add_column(col)
    for s in sessions:
        sess.add_row(esc(s.id if one_deck else f"{s.deck}/{s.id}"), s.started_at[:16].replace("T", " "),
                     f"{s.scored}/{s.questions}",
                     "-" if s.average_score is None else f"{s.average_score:.0f}",
                     "-" if s.pace is None else f"{s.pace:.0f} {s.pace_unit or ''}",
                     "-" if s.fillers_per_minute is None else f"{s.fillers_per_minute:.1f}")
    out.print(table)
    out.print(sess)
