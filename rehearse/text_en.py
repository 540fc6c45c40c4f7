"""English text to content units: case folding, a light stemmer, stop words, number words."""

from __future__ import annotations

import re

from rehearse.lexicon import (
    ALIASES_EN,
    GENERIC_EN,
    STOP_EN,
    W_COUNTER,
    W_GENERIC,
    W_NAME,
    W_WORD,
    Unit,
    number_unit,
)

IRREGULAR_EN = {
    "was": "be", "were": "be", "is": "be", "are": "be", "been": "be", "am": "be", "did": "do",
    "done": "do", "does": "do", "had": "have", "has": "have", "went": "go", "gone": "go",
    "made": "mak", "built": "build", "led": "lead", "ran": "run", "wrote": "writ",
    "written": "writ", "taught": "teach", "brought": "bring", "thought": "think", "bought": "buy",
    "began": "begin", "begun": "begin", "chose": "choos", "chosen": "choos", "grew": "grow",
    "grown": "grow", "knew": "know", "known": "know", "took": "tak", "taken": "tak",
    "gave": "giv", "given": "giv", "saw": "see", "seen": "see", "found": "find", "felt": "feel",
    "kept": "keep", "left": "leav", "met": "meet", "paid": "pay", "said": "say", "sent": "send",
    "spent": "spend", "told": "tell", "understood": "understand", "won": "win", "children": "child",
    "men": "man", "women": "woman", "better": "good", "best": "good", "fell": "fall",
    "held": "hold", "lost": "los", "cut": "cut", "set": "set", "put": "put", "read": "read",
    "data": "data", "analyses": "analysi", "use": "us", "used": "us", "using": "us",
    "uses": "us",
}
_VOWELS = set("aeiouy")


def stem_en(word: str) -> str:
    """A light, consistent English stemmer: ``deployed``/``deploying``/``deploys`` -> ``deploy``.

    It is not a lemmatiser (``make`` -> ``mak``); both sides of a comparison go through it, so
    only consistency matters. Fuzzy matching absorbs what it misses.
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in IRREGULAR_EN:
        return IRREGULAR_EN[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith(("ches", "shes", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= 3 and _VOWELS & set(base):
            w = base
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1] not in _VOWELS:
                w = w[:-1]
            break
    for suffix in ("ment", "ness", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) >= 3 and w[-2] != "e":
        w = w[:-1]
    if w.endswith("y") and len(w) > 3 and w[-2] not in _VOWELS:
        w = w[:-1] + "i"
    return w


def latin_key(word: str) -> str:
    """Key of a Latin-script term: acronyms and alphanumerics lower-cased, other words stemmed."""
    letters = re.sub(r"[^0-9A-Za-z]", "", word)
    if not letters:
        return ""
    if letters.isupper() or any(c.isdigit() for c in letters):
        key = letters.lower()
    else:
        key = stem_en(letters)
    return ALIASES_EN.get(key, key)


_EN_ONES = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}


def _en_number_value(words: list[str]) -> float | None:
    """Value of a run of number tokens (``61``, ``sixty one million``, ``2.5 million``)."""
    total, current, seen = 0.0, 0.0, False
    for w in words:
        w = w.replace(",", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", w):
            current += float(w)
        elif w in _EN_ONES:
            current += _EN_ONES[w]
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _EN_SCALES:
            total += (current or 1) * _EN_SCALES[w]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


_EN_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z][A-Za-z']*|%")


def analyse_en(text: str) -> tuple[Unit, ...]:
    """The content units of English ``text`` (stemmed words, numbers with their value, names)."""
    tokens = [(m.group(), m.start(), m.end()) for m in _EN_TOKEN.finditer(text)]
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        low = word.lower()
        # a run of number tokens ("sixty one million", "61,000", "2.5 million")
        j = i
        while j < len(tokens) and (
            re.fullmatch(r"\d[\d,]*(?:\.\d+)?", tokens[j][0])
            or tokens[j][0].lower() in _EN_ONES or tokens[j][0].lower() in _EN_TENS
            or tokens[j][0].lower() in _EN_SCALES
            or (tokens[j][0].lower() == "and" and j > i and j + 1 < len(tokens)
                and tokens[j + 1][0].lower() in (_EN_ONES.keys() | _EN_TENS.keys()))
        ):
            j += 1
        if j > i:
            value = _en_number_value([t[0].lower() for t in tokens[i:j] if t[0].lower() != "and"])
            if value is not None and j < len(tokens) and tokens[j][0] in ("k", "K") \
                    and tokens[j][1] - tokens[j - 1][2] <= 1:
                value, j = value * 1000, j + 1  # "130k", "130 K"
            if value is not None:
                units.append(number_unit(value, start, tokens[j - 1][2]))
                i = j
                continue
        i += 1
        if low in ("%", "percent", "percentage"):
            units.append(Unit("percent", start, end, W_COUNTER, kind="counter"))
            continue
        if low in STOP_EN or len(low) < 2:
            continue
        key = latin_key(word)
        sentence_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".?!"
        is_name = (word.isupper() and len(word) >= 2) or (
            word[0].isupper() and not sentence_start) or any(c.isupper() for c in word[1:])
        if key in GENERIC_EN:
            units.append(Unit(key, start, end, W_GENERIC, key if len(key) >= 5 else "", "", "generic"))
        else:
            weight = W_NAME if is_name else W_WORD
            units.append(Unit(key, start, end, weight, key if len(key) >= 5 else "", "",
                              "name" if is_name else "word"))
    return tuple(units)
