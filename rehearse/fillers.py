"""Fillers in a transcript (음/어/그/이제, um/uh/like/you know), told apart from the same words
used as content by punctuation, pauses and kiwi's tags."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rehearse.text_ko import ko_morphs

FILLERS_KO_ALWAYS = frozenset("음 어 아 에 흠 엄 으 으음 어어 음음 뭐 약간 뭔가 그러니까 막".split())
FILLERS_KO_CONTEXT = frozenset("그 저 이제".split())
# with the spellings Whisper writes them in ("Umm", "Err", "Hmmm", "Mhm")
FILLERS_EN_ALWAYS = frozenset(
    "um umm ummm uh uhh uhhh uhm er err erm ah ahh ahhh hm hmm hmmm mm mmm mhm eh ehm".split())
FILLERS_EN_PHRASES = (("you", "know"), ("i", "mean"))


@dataclass(frozen=True)
class Filler:
    """One filler as it appears in the text."""

    text: str
    start: int
    end: int


def _chunks(text: str) -> list[tuple[str, int, int, str]]:
    """Whitespace-separated words: (core, start, end, punctuation right after it)."""
    out: list[tuple[str, int, int, str]] = []
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        core = raw.strip(_EDGE_PUNCT)
        if not core:
            if out:
                out[-1] = (*out[-1][:3], out[-1][3] + raw)
            continue
        offset = raw.find(core)
        out.append((core, m.start() + offset, m.start() + offset + len(core),
                    raw[offset + len(core):]))
    return out


_EDGE_PUNCT = ".,!?…~\"'()[]-–—:;"


def find_fillers(
    text: str, language: str, pause_after: Callable[[int], bool] | None = None
) -> list[Filler]:
    """Fillers in a transcript.

    Always fillers: hesitation sounds standing as words (음/어/아, um/uh/er/hmm) and, in Korean,
    뭐 as an interjection, 약간, 뭔가, 그러니까, 막. Context fillers count only when set off:
    Korean 그/저/이제 when kiwi tags them as interjections (``IC``), when a comma, ellipsis, dash or
    pause follows, or next to another filler; English like/literally next to a comma or pause,
    actually/basically also at a sentence start, so/well at a sentence start or set off on both
    sides, "you know"/"I mean" with a comma or pause on either side. ``pause_after(char_offset) -> bool`` says
    whether the speaker paused after that point (word timestamps); None when there are no timings.
    """
    chunks = _chunks(text)
    paused = pause_after or (lambda _end: False)

    def after(k: int) -> bool:  # set off by a comma, ellipsis, dash or a pause
        return k >= len(chunks) or any(c in ",…-–—~" for c in chunks[k][3]) \
            or chunks[k][3].endswith("..") or paused(chunks[k][2])

    def sentence_start(k: int) -> bool:
        return k == 0 or any(c in ".?!" for c in chunks[k - 1][3])

    found: list[Filler] = []
    if language == "ko":
        ic_spans: set[tuple[int, int]] = set()
        if any(c[0] in FILLERS_KO_CONTEXT or c[0] == "뭐" for c in chunks):
            ic_spans = {(t.start, t.start + t.len) for t in ko_morphs(text)[0] if t.tag == "IC"}
        for k, (core, start, end, _trail) in enumerate(chunks):
            nxt = chunks[k + 1][0] if k + 1 < len(chunks) else ""
            prev = chunks[k - 1][0] if k else ""
            if core == "뭐":
                hit = (start, end) in ic_spans or after(k)
            elif core in FILLERS_KO_ALWAYS:
                hit = True
            elif core in FILLERS_KO_CONTEXT:
                hit = ((start, end) in ic_spans or after(k) or k == len(chunks) - 1
                       or nxt in FILLERS_KO_ALWAYS or prev in FILLERS_KO_ALWAYS or nxt == core)
            else:
                hit = False
            if hit:
                found.append(Filler(core, start, end))
        return found
    k = 0
    while k < len(chunks):
        word, start, end = chunks[k][0].lower(), chunks[k][1], chunks[k][2]
        before = sentence_start(k) or after(k - 1)  # k == 0 is a sentence start
        if k + 1 < len(chunks) and (word, chunks[k + 1][0].lower()) in FILLERS_EN_PHRASES:
            if (k > 0 and after(k - 1)) or after(k + 1):
                found.append(Filler(f"{word} {chunks[k + 1][0].lower()}", start, chunks[k + 1][2]))
                k += 2
                continue
        if word in FILLERS_EN_ALWAYS:
            hit = True
        elif word in ("like", "literally"):
            hit = (k > 0 and after(k - 1)) or after(k)
        elif word in ("actually", "basically"):
            hit = before or after(k)
        elif word in ("so", "well"):  # "So, ..." / ", well, ..." but not "did well, so we"
            hit = sentence_start(k) or (before and after(k))
        else:
            hit = False
        if hit:
            found.append(Filler(word, start, end))
        k += 1
    return found
