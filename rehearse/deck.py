"""Decks: YAML question files (reading, validation, the normalised model, writing).

The format is documented in ``docs/decks.md``. Free-form notes are turned into decks by
:mod:`rehearse.notes`; :func:`load_deck` accepts either and always returns a fully resolved
:class:`Deck`: every question has an id, its answer (shared answers resolved) and key points.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from rehearse.errors import DeckError, QuestionNotFound

LANGUAGES = {"ko": "Korean", "en": "English"}
DEFAULT_TIME_LIMIT = 120.0  # s per question
# Limits that keep memory bounded on absurd input (real decks: dozens of questions, < 1 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LINES = 200_000
MAX_QUESTIONS = 10_000  # follow-ups included
MAX_PROBLEMS = 1_000  # `rehearse check` stops reporting after this many
MAX_NODES = 500_000  # YAML values in one deck
MAX_DEPTH = 64  # YAML nesting: 20 levels of follow-ups
DECK_KEYS = ("title", "language", "voice", "time_limit", "notes", "questions")
QUESTION_KEYS = ("id", "question", "variants", "answer", "answer_from", "key_points",
                 "follow_ups", "notes", "time_limit", "tags")
YAML_SUFFIXES = {".yaml", ".yml"}
NOTES_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".rst"}
_LANGUAGE_HINTS = {"kr": "ko", "kor": "ko", "korean": "ko", "한국어": "ko", "eng": "en",
                   "english": "en", "영어": "en"}


@dataclass
class Question:
    """One question as it is asked and scored."""

    id: str
    question: str
    answer: str = ""
    variants: list[str] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    follow_ups: list[Question] = field(default_factory=list)
    notes: str = ""
    time_limit: float | None = None  # s; None = the deck's default
    tags: list[str] = field(default_factory=list)
    answer_from: str | None = None  # id of the question whose answer this one shares
    line: int | None = None  # where the question starts in its file (1-based)


@dataclass
class Deck:
    """A deck of questions in one language."""

    title: str
    language: str
    questions: list[Question]
    voice: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT  # s, default per question
    path: Path | None = None
    notes: str = ""  # reference material for the whole deck: never spoken, never scored

    def find(self, question_id: str) -> Question:
        """Return the question (or follow-up) with this id."""
        for q in self.walk():
            if q.id == question_id:
                return q
        known = ", ".join(q.id for q in self.walk())
        where = f" in {self.path}" if self.path else ""
        raise QuestionNotFound(f"no question '{question_id}'{where}; known ids: {known}")

    @property
    def name(self) -> str:
        """The name recordings and history use for this deck: its file's stem, else its title."""
        from rehearse.paths import safe_name

        return safe_name(self.path.stem if self.path else self.title)

    def walk(self) -> list[Question]:
        """All questions in asking order, each followed by its follow-ups (at any depth)."""
        out: list[Question] = []

        def visit(questions: list[Question]) -> None:
            for q in questions:
                out.append(q)
                visit(q.follow_ups)

        visit(self.questions)
        return out


@dataclass
class Problem:
    """One thing wrong (or worth a look) in a deck file, like a compiler diagnostic."""

    path: str
    line: int | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return where + ("warning: " if self.severity == "warning" else "") + self.message


def check_size(text: str, path: str) -> None:
    """Refuse text with more lines than a deck or notes file ever has (memory stays bounded)."""
    if text.count("\n") >= MAX_LINES:
        raise DeckError(f"more than {MAX_LINES:,} lines; a deck or notes file has a few thousand "
                        "at most", path, MAX_LINES + 1)


def too_many_questions(path: str, line: int | None) -> DeckError:
    """The error for a deck past :data:`MAX_QUESTIONS`."""
    return DeckError(f"more than {MAX_QUESTIONS:,} questions; split the deck", path, line)


# ---------------------------------------------------------------- text helpers

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def detect_language(text: str) -> str:
    """Guess ``ko`` or ``en`` from the text: Korean when Hangul is a fair share of the letters."""
    hangul = len(HANGUL.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "ko" if hangul and hangul * 3 >= latin else "en"


# C0 and C1 control characters but tab and line feed: a question holding ESC [31m would
# recolour (or retitle) the terminal it is shown on. They become U+FFFD: visible and harmless.
_CONTROLS = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)], "\ufffd")


def neutralise_controls(text: str) -> str:
    """Replace control characters (but tab and line feed) with U+FFFD."""
    return text.translate(_CONTROLS)


def tidy_block(text: str) -> str:
    """Normalise a block of text: control characters neutralised, lines right-stripped, no
    leading/trailing or doubled blanks."""
    out: list[str] = []
    text = neutralise_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    for line in text.split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


# ---------------------------------------------------------------- YAML validation


class _Checker:
    """Walks the composed YAML nodes, collecting problems and building the deck."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.seen: set[int] = set()  # collection nodes visited: aliases must not repeat them
        self.id_lines: dict[str, int] = {}
        self.share_lines: dict[int, int] = {}  # id(question) -> line of its `answer_from`
        self.suggested: set[str] = set()  # "did you mean" hints given, to avoid repeating them
        self.count = 0  # questions seen

    def error(self, node: Any, message: str, line: int | None = None) -> None:
        line = line or _line(node)
        self.problems.append(Problem(self.path, line, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise DeckError(f"more than {MAX_PROBLEMS} problems; stopping here", self.path, line)

    def warn(self, node: Any, message: str) -> None:
        self.problems.append(Problem(self.path, _line(node), message, "warning"))

    def mapping(self, node: yaml.Node, known: tuple[str, ...], what: str) -> dict[str, Any]:
        if id(node) in self.seen:
            self.error(node, f"the {what} on this line is repeated through a YAML alias; "
                             "write it out (or use `answer_from` to share an answer)")
            return {}
        self.seen.add(id(node))
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, f"keys in a {what} are plain names, not lists or mappings")
                continue
            key = key_node.value
            if key not in known:
                hint = _did_you_mean(key, known)
                self.suggested.add(hint)
                hint = hint or f" (known keys: {', '.join(known)})"
                self.error(key_node, f"unknown key '{key}' in a {what}{hint}")
            elif key in out:
                self.error(key_node, f"duplicate key '{key}' (first on line {_line(out[key])})")
            else:
                out[key] = value_node
        return out

    def text(self, node: Any, key: str) -> str:
        if node is None or _is_null(node):
            return ""
        if isinstance(node, yaml.ScalarNode):
            return tidy_block(str(node.value))
        self.error(node, f"`{key}` should be text, not a {_kind(node)}")
        return ""

    def texts(self, node: Any, key: str) -> list[str]:
        if node is None or _is_null(node):
            return []
        if isinstance(node, yaml.ScalarNode):
            return [t] if (t := tidy_block(str(node.value))) else []
        if isinstance(node, yaml.SequenceNode):
            out = []
            for item in node.value:
                if isinstance(item, yaml.ScalarNode):
                    if t := tidy_block(str(item.value)):
                        out.append(t)
                else:
                    self.error(item, f"each item of `{key}` should be text, not a {_kind(item)}")
            return out
        self.error(node, f"`{key}` should be a list of text, not a {_kind(node)}")
        return []

    def seconds(self, node: Any, key: str) -> float | None:
        if node is None or _is_null(node):
            return None
        raw = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
        value = _number(node)
        if value is None:
            shown = f"'{raw}'" if raw else f"a {_kind(node)}"
            self.error(node, f"`{key}` should be a number of seconds, not {shown}")
        elif not 0 < value < math.inf:
            self.error(node, f"`{key}` must be more than 0 seconds (got {raw})")
        else:
            return value
        return None

    def question(self, node: yaml.Node) -> Question | None:
        self.count += 1
        if self.count > MAX_QUESTIONS:
            raise too_many_questions(self.path, _line(node))
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "each question is a mapping with `question:` and `answer:`, "
                             f"not a {_kind(node)}")
            return None
        fields = self.mapping(node, QUESTION_KEYS, "question")
        q = Question(id="", question=self.text(fields.get("question"), "question"), line=_line(node))
        if not q.question:
            self.error(fields.get("question", node), "this question has no `question:` text")
        if "id" in fields:
            q.id = self.text(fields["id"], "id").strip()
            if not q.id or "\n" in q.id:
                self.error(fields["id"], "`id` should be one non-empty line of text")
            elif q.id in self.id_lines:
                self.error(fields["id"], f"duplicate id '{q.id}' (also on line "
                                         f"{self.id_lines[q.id]})")
            else:
                self.id_lines[q.id] = _line(fields["id"])
        q.variants = self.texts(fields.get("variants"), "variants")
        q.answer = self.text(fields.get("answer"), "answer")
        if "answer_from" in fields:
            q.answer_from = self.text(fields["answer_from"], "answer_from").strip() or None
            self.share_lines[id(q)] = _line(fields["answer_from"])
            if "answer" in fields:
                self.error(fields["answer_from"], "use either `answer` or `answer_from`, not both")
        q.key_points = self.texts(fields.get("key_points"), "key_points")
        q.notes = self.text(fields.get("notes"), "notes")
        q.time_limit = self.seconds(fields.get("time_limit"), "time_limit")
        q.tags = self.texts(fields.get("tags"), "tags")
        q.follow_ups = self.questions(fields.get("follow_ups"), "follow_ups")
        return q

    def questions(self, node: Any, key: str) -> list[Question]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"`{key}` should be a list of questions (`- question: …`), "
                             f"not a {_kind(node)}")
            return []
        if id(node) in self.seen:
            self.error(node, f"`{key}` repeats an earlier list through a YAML alias")
            return []
        self.seen.add(id(node))
        return [q for item in node.value if (q := self.question(item))]

    def deck(self, root: Any) -> Deck | None:
        if root is None:
            self.error(None, "the deck is empty; expected `title`, `language` and `questions`")
            return None
        if not isinstance(root, yaml.MappingNode):
            self.error(root, "a deck is a mapping with `title`, `language` and `questions`, "
                             f"not a {_kind(root)}")
            return None
        fields = self.mapping(root, DECK_KEYS, "deck")
        deck = Deck(title=self.text(fields.get("title"), "title"), language="", questions=[])
        deck.voice = self.text(fields.get("voice"), "voice") or None
        deck.notes = self.text(fields.get("notes"), "notes")
        deck.time_limit = self.seconds(fields.get("time_limit"), "time_limit") or DEFAULT_TIME_LIMIT
        if "questions" not in fields:
            if _did_you_mean("questions", ["questions"]) not in self.suggested:
                self.error(root, "no `questions:` list")
        else:
            deck.questions = self.questions(fields["questions"], "questions")
            if not deck.questions and (_is_null(fields["questions"])
                                       or isinstance(fields["questions"], yaml.SequenceNode)):
                self.error(fields["questions"], "`questions` is empty")
        if not deck.title:
            deck.title = Path(self.path).stem
            self.warn(fields.get("title", root), f"no `title`; using '{deck.title}'")
        language = self.text(fields.get("language"), "language").strip()
        if not language:
            deck.language = detect_language(" ".join(q.question for q in deck.walk()))
            self.warn(fields.get("language", root),
                      f"no `language`; guessed '{deck.language}' from the questions")
        elif language.lower() in LANGUAGES:
            deck.language = language.lower()
        else:
            guess = _LANGUAGE_HINTS.get(language.lower()) or language[:2].lower()
            hint = f"; did you mean '{guess}'?" if guess in LANGUAGES else ""
            self.error(fields["language"], f"unknown language '{language}' (use one of: "
                                           f"{', '.join(LANGUAGES)}){hint}")
        _resolve(deck, self)
        return deck


def _line(node: Any) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _is_null(node: Any) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _kind(node: Any) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "number" if _number(node) is not None else "text"


def _number(node: Any) -> float | None:
    if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith((":int", ":float")):
        return None
    raw = str(node.value).replace("_", "").lower()
    specials = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
    if raw in specials:
        return specials[raw]
    try:
        return float(raw)
    except ValueError:
        try:
            return float(int(raw, 0))
        except ValueError:
            return None


def _resolve(deck: Deck, checker: _Checker) -> None:
    """Fill in what a deck leaves implicit: ids, shared answers and key points."""
    from rehearse.notes import derive_key_points, slugify, unique_id

    questions = deck.walk()
    used = {q.id for q in questions if q.id}
    counters: dict[str, int] = {}
    for q in questions:
        if not q.id:
            q.id = unique_id(slugify(q.question), used, counters)
    by_id = {q.id: q for q in questions}
    for q in questions:
        if q.answer_from is None:
            if not q.key_points:
                q.key_points = derive_key_points(q.answer)
            if not q.answer:
                checker.problems.append(Problem(checker.path, q.line, f"question '{q.id}' "
                                                "has no answer; nothing to compare with",
                                                "warning"))
    for q in questions:
        if q.answer_from is None:
            continue
        target = by_id.get(q.answer_from)
        problem = None
        if target is None:
            problem = (f"`answer_from: {q.answer_from}` names no question in this deck"
                       + _did_you_mean(q.answer_from, list(by_id)))
        elif target is q:
            problem = "a question cannot take its answer from itself"
        elif target.answer_from is not None:
            problem = (f"`answer_from: {q.answer_from}` points at a question that itself uses "
                       f"`answer_from`; point at '{target.answer_from}' directly")
        if problem:
            checker.error(None, problem, checker.share_lines.get(id(q), q.line))
            continue
        assert target is not None
        q.answer = target.answer
        q.key_points = q.key_points or list(target.key_points)


_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)
if _CParser is not None:  # libyaml parses (fast); Python composes, so it can count

    class _Parser(yaml.composer.Composer, _CParser, yaml.resolver.Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    _Parser = yaml.SafeLoader  # type: ignore[misc,assignment]


class _CountingLoader(_Parser):  # type: ignore[misc,valid-type]
    """Composes YAML nodes, stopping early on absurd input (millions of values, deep nesting)."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(stream)
        self.path, self.nodes, self.depth = path, 0, 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or self.depth >= MAX_DEPTH:
            what = f"more than {MAX_NODES:,} values" if self.nodes > MAX_NODES else \
                f"nested more than {MAX_DEPTH} levels deep"
            raise DeckError(f"the deck has {what}", self.path,
                            self.peek_event().start_mark.line + 1)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _compose(text: str, path: str) -> Any:
    loader = _CountingLoader(text, path)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = e.problem or e.context or "cannot be read"
        context = f" ({e.context})" if e.context and e.problem else ""
        raise DeckError(f"YAML syntax error: {what}{context}", path,
                        mark.line + 1 if mark else 1) from e
    except yaml.reader.ReaderError as e:
        bad = chr(e.character) if isinstance(e.character, int) else str(e.character)
        line = text.count("\n", 0, max(text.find(bad), 0)) + 1
        raise DeckError(f"character U+{ord(bad[:1] or ' '):04X} is not allowed in YAML", path,
                        line) from e
    except (yaml.YAMLError, RecursionError, ValueError, UnicodeError) as e:
        raise DeckError(f"YAML cannot be read: {type(e).__name__}", path, 1) from e
    finally:
        loader.dispose()


def _check_yaml(text: str, path: str) -> tuple[Deck | None, list[Problem]]:
    try:
        check_size(text, path)
        root = _compose(text, path)
    except DeckError as e:
        return None, [Problem(path, e.line, e.bare_message)]
    checker = _Checker(path)
    try:
        deck = checker.deck(root)
    except DeckError as e:  # too many questions or problems
        return None, sorted(checker.problems, key=lambda p: p.line or 0) + [
            Problem(path, e.line, e.bare_message)]
    problems = sorted(checker.problems, key=lambda p: p.line or 0)
    return deck, problems


# ---------------------------------------------------------------- public API


def load_deck(path: str | Path) -> Deck:
    """Load a deck: a YAML deck, or a notes file imported on the fly.

    Args:
        path: a ``.yaml`` deck, or free-form notes (``.txt``, ``.md``, or anything that is
            not a YAML deck).

    Returns:
        The deck with ids, shared answers and key points resolved; ``deck.path`` is set.

    Raises:
        DeckError: on the first error, as ``path:line: message``.
    """
    from rehearse.notes import import_notes, looks_like_yaml, read_text

    text = read_text(path)
    if not looks_like_yaml(path, text):
        deck = import_notes(path, text=text).deck
        deck.path = Path(path)
        return deck
    deck, problems = _check_yaml(text, str(path))
    for p in problems:
        if p.severity == "error":
            raise DeckError(p.message, p.path, p.line)
    if deck is None or not deck.questions:  # never reached: an error is reported for these
        raise DeckError("the deck has no questions", str(path), 1)
    deck.path = Path(path)
    return deck


def check_deck(path: str | Path) -> list[Problem]:
    """Validate a deck (or notes file) and report every problem, in file order.

    Args:
        path: the deck or notes file.

    Returns:
        Problems with ``severity`` ``"error"`` (the deck cannot be used) or ``"warning"``
        (e.g. an empty answer); an empty list when all is well.
    """
    from rehearse.notes import import_notes, looks_like_yaml, read_text

    try:
        text = read_text(path)
    except DeckError as e:
        return [Problem(str(path), e.line, e.bare_message)]
    if looks_like_yaml(path, text):
        return _check_yaml(text, str(path))[1]
    try:
        result = import_notes(path, text=text)
    except DeckError as e:
        return [Problem(str(path), e.line, e.bare_message)]
    problems = [Problem(str(path), n, f"could not place this line: {line.strip()[:60]}",
                        "warning") for n, line in result.unplaced]
    problems += [Problem(str(path), q.line, f"question '{q.id}' has no answer; nothing to "
                         "compare with", "warning") for q in result.deck.walk() if not q.answer]
    return sorted(problems, key=lambda p: p.line or 0)


def _seconds_out(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def deck_to_json(deck: Deck) -> dict[str, Any]:
    """The normalised deck as plain data (what ``rehearse show --json`` prints).

    Args:
        deck: a loaded deck.

    Returns:
        ``{"title", "language", "questions": [...]}``; each question has ``id``,
        ``question``, ``variants``, ``answer`` (a shared answer's text), ``key_points``,
        ``follow_ups`` (same shape), ``notes``, ``time_limit`` (its own or the deck's) and
        ``tags``.
    """

    def one(q: Question) -> dict[str, Any]:
        return {
            "id": q.id, "question": q.question, "variants": list(q.variants),
            "answer": q.answer, "key_points": list(q.key_points),
            "follow_ups": [one(f) for f in q.follow_ups], "notes": q.notes,
            "time_limit": _seconds_out(q.time_limit or deck.time_limit), "tags": list(q.tags),
        }

    return {"title": deck.title, "language": deck.language,
            "questions": [one(q) for q in deck.questions]}


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, like people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" not in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text)
    # a final newline gives `|` rather than `|-`; the loader strips it again
    return dumper.represent_scalar("tag:yaml.org,2002:str", text.rstrip("\n") + "\n", style="|")


class _Flow(list):  # type: ignore[type-arg]
    """A short list written on one line: ``tags: [지원동기]``."""


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def dump_deck_yaml(deck: Deck, header_comment: str = "") -> str:
    """Write a deck as readable YAML that :func:`load_deck` reads back to the same deck.

    Args:
        deck: the deck (ids, shared answers and key points resolved).
        header_comment: text for a ``#`` comment at the top of the file.

    Returns:
        YAML text: Korean as UTF-8, multi-line text as ``|`` blocks, a shared answer as
        ``answer_from: <id>`` (never copied), key points only where they differ from those
        the answer gives by itself.
    """
    from rehearse.notes import derive_key_points

    by_id = {q.id: q for q in deck.walk()}

    def one(q: Question) -> dict[str, Any]:
        target = by_id.get(q.answer_from) if q.answer_from else None
        implied = target.key_points if target else derive_key_points(q.answer)
        out = {
            "id": q.id, "question": q.question, "variants": list(q.variants),
            "answer_from" if target else "answer": target.id if target else q.answer,
            "key_points": list(q.key_points) if q.key_points != implied else [],
            "follow_ups": [one(f) for f in q.follow_ups], "notes": q.notes,
            "time_limit": None if q.time_limit is None else _seconds_out(q.time_limit),
            "tags": _Flow(q.tags),
        }
        return {k: v for k, v in out.items() if v not in (None, "", [])}

    data = {"title": deck.title, "language": deck.language, "voice": deck.voice,
            "time_limit": _seconds_out(deck.time_limit), "notes": deck.notes}
    data = {k: v for k, v in data.items() if v} | {"questions": [one(q) for q in deck.questions]}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1_000_000, default_flow_style=False)
    head, sep, items = body.partition("\nquestions:\n")
    body = head + sep + re.sub(r"(?<=\n)(?=  - id: )", "\n", items)
    header = "".join(f"# {x}".rstrip() + "\n" for x in header_comment.splitlines())
    return header + ("\n" if header else "") + body
