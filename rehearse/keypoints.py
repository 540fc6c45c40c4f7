"""Rules for question and answer text that YAML decks and imported notes share.

Key points derived from an answer (:func:`derive_key_points`), readable ids derived from a
question (:func:`slugify`, :func:`unique_id`) and the language guess (:func:`detect_language`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def detect_language(text: str) -> str:
    """Guess ``ko`` or ``en`` from the text: Korean when Hangul is a fair share of the letters."""
    hangul = len(HANGUL.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "ko" if hangul and hangul * 3 >= latin else "en"


_BULLET = re.compile(r"[-*+•]\s+")
_NUMBERED = re.compile(r"\d{1,3}[.)]\s+")
_SENTENCE_END = re.compile(r"(?<=[.?!。？！])\s+")
_TERMINAL = tuple(".?!。？！…\"'”’)")
_CONTINUES = tuple(",;:")
# Korean connective/particle endings: a line ending in one of these runs on into the next line.
_KO_RUN_ON = set("고며면서여데만와과및을를의에로게는은이가도록려나")
MIN_KO_CHARS = 6  # a Korean key point shorter than this (letters, no spaces) is merged
MIN_EN_WORDS = 3  # an English key point shorter than this is merged


def indent_width(line: str) -> int:
    """Visual width of a line's leading whitespace (tabs to 4 columns)."""
    stripped = line.lstrip()
    return len(line[: len(line) - len(stripped)].expandtabs(4))


def _is_short(unit: str) -> bool:
    if HANGUL.search(unit):
        return len(re.sub(r"[\W_]", "", unit)) < MIN_KO_CHARS
    return len(unit.split()) < MIN_EN_WORDS


def _runs_on(line: str, next_line: str | None) -> bool:
    if next_line is None or line.endswith(_TERMINAL):
        return False
    if line.endswith(_CONTINUES) or (line[-1] in _KO_RUN_ON and HANGUL.match(line[-1])):
        return True
    return next_line[:1].islower()  # an English sentence wrapped onto the next line


def _sentence_points(lines: list[str]) -> list[str]:
    """Key points of unbulleted text: one per sentence, lines that run on are joined."""
    lines = [_strip_marker(x) for x in lines if x.strip()]
    units: list[str] = []
    buf: list[str] = []  # lists, not growing strings: a 5 MB answer stays linear
    for i, line in enumerate(lines):
        buf.append(line)
        if not _runs_on(line, lines[i + 1] if i + 1 < len(lines) else None):
            units.extend(s.strip() for s in _SENTENCE_END.split(" ".join(buf)) if s.strip())
            buf = []
    groups: list[list[str]] = []
    for unit in units:
        if groups and _is_short(unit):
            groups[-1].append(unit)
        else:
            groups.append([unit])
    merged = [" ".join(g) for g in groups]
    if len(merged) > 1 and _is_short(merged[0]):
        merged[1] = f"{merged[0]} {merged[1]}"
        del merged[0]
    return merged


def _strip_marker(line: str) -> str:
    line = line.strip()
    m = _BULLET.match(line) or _NUMBERED.match(line)
    return line[m.end():] if m else line


def derive_key_points(answer: str) -> list[str]:
    """Split a prepared answer into key points, the units the scorer looks for.

    Args:
        answer: the answer text.

    Returns:
        One key point per top-level ``- `` bullet (with the more indented lines under it);
        text outside bullets gives one key point per sentence (a line that ends in a comma
        or a Korean connective ending runs on into the next) and very short pieces are merged
        into their neighbour. Empty for an empty answer.
    """
    lines = [x.rstrip() for x in answer.split("\n") if x.strip()]
    bullet_indents = [indent_width(x) for x in lines if _BULLET.match(x.lstrip())]
    if not bullet_indents:
        return _sentence_points(lines)
    base = min(bullet_indents)
    points: list[list[str]] = []  # the pieces of each key point, joined at the end
    loose: list[str] = []
    in_bullet = False
    for line in lines:
        width = indent_width(line)
        if width == base and _BULLET.match(line.lstrip()):
            points.extend([p] for p in _sentence_points(loose))
            loose = []
            points.append([_strip_marker(line)])
            in_bullet = True
        elif in_bullet and width > base:
            head = points[-1]
            glue = ": " if len(head) == 1 and not head[0].endswith(_TERMINAL + _CONTINUES) else " "
            head.append(glue + _strip_marker(line))
        else:
            in_bullet = False
            loose.append(line)
    points.extend([p] for p in _sentence_points(loose))
    return ["".join(p) for p in points]


def slugify(text: str, max_words: int = 6, max_len: int = 48) -> str:
    """A readable id from question text: lower case, words joined by ``-``, Korean kept.

    Args:
        text: the question.
        max_words: most words to keep.
        max_len: longest id, in characters.

    Returns:
        A non-empty slug such as ``tell-me-about-yourself`` or ``도커는-사용해-보셨나요``.
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("’", "")
    slug = ""
    for m in itertools.islice(re.finditer(r"[^\W_]+", text), max_words):
        word = m.group()
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            slug = slug or word[:max_len]
            break
        slug = candidate
    return slug or "question"


def unique_id(base: str, used: set[str], counters: dict[str, int]) -> str:
    """``base``, or ``base-2``, ``base-3`` … whichever is free; ``used`` and ``counters`` update.

    Args:
        base: the wanted id.
        used: ids already taken.
        counters: the next suffix to try per base, so many equal questions stay linear.

    Returns:
        An id not in ``used`` (now added to it).
    """
    n = counters.get(base, 1)
    candidate = base if n == 1 else f"{base}-{n}"
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    counters[base] = n
    used.add(candidate)
    return candidate
