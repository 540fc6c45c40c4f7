"""YAML decks: parsing with line numbers, validation into :class:`Problem` diagnostics, and the
resolved :class:`Deck` (ids, shared answers, key points). The format is in ``docs/decks.md``.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import yaml

from rehearse.deckmodel import (
    DECK_KEYS,
    DEFAULT_TIME_LIMIT,
    LANGUAGES,
    MAX_QUESTIONS,
    QUESTION_KEYS,
    Deck,
    Problem,
    Question,
    no_answer,
    too_many_questions,
)
from rehearse.errors import DeckError, Message
from rehearse.keypoints import derive_key_points, detect_language, slugify, unique_id
from rehearse.reader import check_size, tidy_block

MAX_PROBLEMS = 1_000  # `rehearse check` stops reporting after this many
MAX_NODES = 500_000  # YAML values in one deck
MAX_DEPTH = 64  # YAML nesting: 20 levels of follow-ups
_LANGUAGE_HINTS = {"kr": "ko", "kor": "ko", "korean": "ko", "한국어": "ko", "eng": "en",
                   "english": "en", "영어": "en"}


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
                self.error(key_node, Message(f"unknown key '{key}' in a {what}{hint}", "deck.unknown_key",
                                              key=key, known=", ".join(known)))
            elif key in out:
                self.error(key_node, Message(f"duplicate key '{key}' (first on line {_line(out[key])})",
                                              "deck.duplicate_key", key=key, line=_line(out[key])))
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
            self.error(fields.get("question", node), Message("this question has no `question:` text",
                                                              "deck.no_question_text"))
        if "id" in fields:
            q.id = self.text(fields["id"], "id").strip()
            if not q.id or "\n" in q.id:
                self.error(fields["id"], "`id` should be one non-empty line of text")
            elif q.id in self.id_lines:
                self.error(fields["id"], Message(f"duplicate id '{q.id}' (also on line "
                                                 f"{self.id_lines[q.id]})", "deck.duplicate_id",
                                                 id=q.id, line=self.id_lines[q.id]))
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
            self.error(None, Message("the deck is empty; expected `title`, `language` and `questions`",
                                     "deck.yaml_empty"))
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
                self.error(root, Message("no `questions:` list", "deck.no_questions_list"))
        else:
            deck.questions = self.questions(fields["questions"], "questions")
            if not deck.questions and (_is_null(fields["questions"])
                                       or isinstance(fields["questions"], yaml.SequenceNode)):
                self.error(fields["questions"], Message("`questions` is empty", "deck.questions_empty"))
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
            self.error(fields["language"], Message(f"unknown language '{language}' (use one of: "
                                                   f"{', '.join(LANGUAGES)}){hint}",
                                                   "deck.unknown_language", language=language))
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
                checker.problems.append(Problem(checker.path, q.line, no_answer(q.id), "warning"))
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
        raise DeckError(Message(f"YAML syntax error: {what}{context}", "deck.yaml_syntax",
                                detail=f"{what}{context}"), path, mark.line + 1 if mark else 1) from e
    except yaml.reader.ReaderError as e:
        bad = chr(e.character) if isinstance(e.character, int) else str(e.character)
        line = text.count("\n", 0, max(text.find(bad), 0)) + 1
        code = f"U+{ord(bad[:1] or ' '):04X}"
        raise DeckError(Message(f"character {code} is not allowed in YAML", "deck.yaml_character",
                                character=code), path, line) from e
    except (yaml.YAMLError, RecursionError, ValueError, UnicodeError) as e:
        raise DeckError(f"YAML cannot be read: {type(e).__name__}", path, 1) from e
    finally:
        loader.dispose()


def check_yaml(text: str, path: str) -> tuple[Deck | None, list[Problem]]:
    """Parse and validate a YAML deck.

    Args:
        text: the deck's text (as :func:`rehearse.reader.read_text` returns it).
        path: the file name used in problems.

    Returns:
        The resolved deck (None when it cannot be built) and every problem, in file order.
    """
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
