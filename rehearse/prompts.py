"""The initial prompts rehearse gives Whisper: a short one written with fillers (so Whisper keeps
them), or one naming the deck's jargon (measured in bench/PROMPTS.md, not used by default)."""

from __future__ import annotations

import re

from rehearse.lexicon import LOANWORDS_KO, STOP_EN
from rehearse.text_ko import is_hangul, ko_morphs


def filler_prompt(language: str) -> str:
    """A short Whisper initial prompt written with fillers, so that Whisper keeps them."""
    if language == "ko":
        return "음, 그러니까 저는, 어... 이제 그, 뭐 약간 그런 경험이 있습니다."
    return "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


# common sentence openers that are not names, although a deck may never write them lower-case
_OPENERS_EN = frozenset(
    "since however therefore first second third finally later today yesterday overall instead "
    "sometimes usually often still even last next meanwhile afterwards eventually thanks "
    "unfortunately luckily honestly".split())


def jargon_terms(texts: list[str], language: str, max_chars: int = 160) -> list[str]:
    """The deck's proper nouns and acronyms, as a Whisper prompt should spell them.

    Latin-script terms that are acronyms, mixed-case, contain digits or are capitalised inside a
    sentence (or open one and never appear lower-case in the deck: ``Jenkins builds ...``), any
    Latin word inside Korean text, and Korean proper nouns (kiwi ``NNP``, not common loanwords
    such as 클라우드); most frequent first (Latin first among equals: Whisper mangles those most;
    sentence openers last), as many as fit in ``max_chars`` when joined with ", ".
    """
    latin: dict[str, int] = {}
    openers: dict[str, int] = {}  # capitalised only where they open a sentence
    korean: dict[str, int] = {}
    spelling: dict[str, str] = {}
    lower_case = {w for text in texts for w in re.findall(r"(?<![\w-])[a-z][a-z0-9'-]*", text)}
    for text in texts:
        for m in re.finditer(r"[A-Za-z][A-Za-z0-9.+#-]*[A-Za-z0-9+#]|[A-Z]", text):
            word, key = m.group(), m.group().lower()
            before = text[: m.start()].rstrip()
            inside = bool(before) and before[-1] not in ".?!\n"
            hangul_around = bool(re.search(r"[가-힣]", text[max(0, m.start() - 20) : m.end() + 20]))
            if key in STOP_EN:
                continue
            if (word.isupper() and len(word) >= 2) or any(c.isdigit() for c in word) \
                    or any(c.isupper() for c in word[1:]) or (word[0].isupper() and inside) \
                    or (language == "ko" and hangul_around and len(word) >= 2):
                latin[key] = latin.get(key, 0) + 1
            elif word[0].isupper() and key not in lower_case and key not in _OPENERS_EN \
                    and not key.endswith("ly") and len(word) >= 3:
                openers[key] = openers.get(key, 0) + 1
            else:
                continue
            spelling.setdefault(key, word)
        if language == "ko":
            for tok in ko_morphs(text)[0]:
                if tok.tag == "NNP" and len(tok.form) >= 2 and is_hangul(tok.form) \
                        and tok.form not in LOANWORDS_KO:
                    korean[tok.form] = korean.get(tok.form, 0) + 1
                    spelling.setdefault(tok.form, tok.form)
    # a fragment of a longer name (스파 of 스파로스) adds nothing
    korean = {k: n for k, n in korean.items() if not any(k != o and k in o for o in korean)}
    for key, n in openers.items():
        if key in latin:
            latin[key] += n  # capitalised inside a sentence elsewhere: a name wherever it stands
    openers = {k: n for k, n in openers.items() if k not in latin}
    counts = {**korean, **latin, **openers}
    ranked = sorted(counts, key=lambda k: (k in openers, -counts[k], k in korean))
    terms: list[str] = []
    for key in ranked:
        if len(", ".join([*terms, spelling[key]])) <= max_chars:
            terms.append(spelling[key])
    return terms


def jargon_prompt(texts: list[str], language: str, max_chars: int = 160) -> str:
    """A Whisper prompt listing the deck's proper nouns and acronyms (``CMP, Jira, Jenkins.``),
    at most ``max_chars`` long (:func:`jargon_terms`)."""
    terms = jargon_terms(texts, language, max_chars - 1)
    return ", ".join(terms) + "." if terms else ""


# what goes before and after the deck's terms in the prompt (a speaker listing tools, hesitating)
_TERM_SENTENCE = {
    "en": ("Um, so, uh, we use ", "."),
    "ko": ("음, 그러니까 저는, 어... ", " 같은 걸 이제 썼습니다."),
}


def whisper_prompt(deck_texts: list[str], language: str, *, jargon: bool = False,
                   max_chars: int = 120, max_terms: int = 8) -> str | None:
    """The initial prompt practice gives Whisper: the short filler prompt (:func:`filler_prompt`).

    The deck's jargon is left out by default. Measured on espeak-ng English (bench/PROMPTS.md):
    every prompt naming the deck's terms got them spelled right (42% -> 100%) and gave no
    coverage to answers that never said them, but made Whisper end a 30 s window early and skip
    the speech up to its end in 1-2 of 5 long answers (a fifth to a third of the words lost),
    which the filler prompt alone and no prompt never did. A lost sentence costs more coverage
    than a misspelt term, and the prompt only reaches the first 30 s window anyway.

    Args:
        deck_texts: the deck's prepared answers (and key points), for ``jargon=True``.
        language: ``ko`` or ``en``.
        jargon: one sentence in the user's register with fillers and the deck's terms instead
            (``Um, so, uh, we use Jira, GitLab, CMP, like, Kubernetes and Grafana.``), for
            measuring; the filler prompt when the deck has no terms.
        max_chars: the jargon sentence's length limit (long prompts make Whisper drop or loop text).
        max_terms: at most this many terms, the deck's most frequent.

    Returns:
        The prompt (never None today; None would mean "no prompt").
    """
    if not jargon:
        return filler_prompt(language)
    ko = language == "ko"
    head, tail = _TERM_SENTENCE["ko" if ko else "en"]
    terms = jargon_terms(deck_texts, language, max_chars)[:max_terms]
    while terms and len(_term_sentence(head, terms, tail, ko)) > max_chars:
        terms.pop()
    return _term_sentence(head, terms, tail, ko) if terms else filler_prompt(language)


def _term_sentence(head: str, terms: list[str], tail: str, ko: bool) -> str:
    """``head`` + the terms as a spoken list with a filler before the 4th + ``tail``."""
    parts = list(terms)
    if len(parts) >= 4:
        parts[3] = ("뭐 " if ko else "like, ") + parts[3]
    if ko or len(parts) == 1:
        body = ", ".join(parts)
    else:
        body = ", ".join(parts[:-1]) + " and " + parts[-1]
    return head + body + tail
