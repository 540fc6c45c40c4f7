"""Language analysis for scoring: content units, numbers, loanwords and fillers (Korean, English).

A text becomes a sequence of *units*: the content-bearing pieces a coach listens for, each with a
canonical key (so that ``음성인식`` / ``음성 인식``, ``6100만원`` / ``육천백만 원``, ``API`` /
``에이피아이``, ``deployed`` / ``deploying`` compare equal), a fuzzy form for ASR errors, a base
weight and its character span in the text (so evidence can be quoted).

Korean goes through kiwipiepy morphemes. Kept tags, and why:

- ``NNG``/``NNP`` nouns, ``XR`` roots (``다양``), ``SH`` hanja: the content of an answer.
- ``VV``/``VA`` verb and adjective stems (weight 0.6: verbs are what paraphrases change most).
- ``SL`` Latin words and ``SN``/``NR`` numbers (merged into one number unit with its value).
- ``NNB`` only right after a number (``원``, ``건``, ``%``): a counter, weight 0.3.
- Dropped: particles, endings, ``XSV``/``XSA`` (``하``), ``VX``, the light verbs 하/되/있,
  adverbs (``MAG``: ``이제``, ``약간`` are fillers more often than content), interjections.

English: case folding, a small suffix stripper (:func:`rehearse.text_en.stem_en`), a stop-word list,
number words.

Modules: :mod:`rehearse.lexicon` (word lists, weights, :class:`~rehearse.lexicon.Unit`),
:mod:`rehearse.text_en`, :mod:`rehearse.text_ko` (kiwi), :mod:`rehearse.fillers`; this one is the
entry point (:func:`analyse`, :func:`prepare`) and holds the surface helpers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rehearse.lexicon import Unit
from rehearse.text_en import analyse_en
from rehearse.text_ko import analyse_ko, clear_morph_cache, ko_morphs


def clear_caches() -> None:
    """Forget every analysis (for benchmarks: the next answer is analysed from scratch)."""
    clear_morph_cache()
    analyse.cache_clear()


def prepare(texts: list[str], language: str) -> None:
    """Analyse several texts at once (Korean: one parallel kiwi batch), filling the caches."""
    texts = [unicodedata.normalize("NFC", t) for t in texts]
    if language == "ko":
        ko_morphs(*texts)
    for t in texts:
        analyse(t, language)


@lru_cache(maxsize=1024)
def analyse(text: str, language: str) -> tuple[Unit, ...]:
    """The content units of ``text`` in ``language`` (``ko`` or anything else = English).

    Cached: prepared answers and key points are analysed once per process.
    """
    text = unicodedata.normalize("NFC", text)
    return analyse_ko(text) if language == "ko" else analyse_en(text)


# --- surface helpers ------------------------------------------------------------------------------
_PUNCT = re.compile(r"[^\w]+")


def squash(text: str) -> str:
    """Lower-case, NFC, without spaces and punctuation (for CER and stock-phrase checks)."""
    return _PUNCT.sub("", unicodedata.normalize("NFC", text).casefold()).replace("_", "")


def syllable_count(text: str, language: str) -> int:
    """Spoken-length count: English words, or Korean syllables (spaces excluded).

    Latin words inside Korean count their vowel groups; acronyms two per letter (``에이피아이``);
    digits one each. An approximation, good enough for a pace band.
    """
    if language != "ko":
        return len(re.findall(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?", text))
    count = sum(1 for c in text if "가" <= c <= "힣")
    for word in re.findall(r"[A-Za-z]+", text):
        count += 2 * len(word) if word.isupper() else max(1, len(re.findall(r"[aeiouy]+", word.lower())))
    count += len(re.findall(r"\d", text))
    return count
