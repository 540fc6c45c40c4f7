"""Writing decks out: the normalised deck as JSON data, and readable YAML that loads back the same."""

from __future__ import annotations

import re
from typing import Any

import yaml

from rehearse.deckmodel import Deck, Question
from rehearse.keypoints import derive_key_points


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
