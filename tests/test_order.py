"""The word-order rule (rehearse/order.py): the prepared words scrambled are caught, answers said in
order (recited, clauses reordered, Korean phrases moved within a clause) are not."""

from __future__ import annotations

import random

from rehearse.order import scrambled_spans
from rehearse.score import score_answer
from rehearse.transcript import Transcript

EN = ("I used to find it hard to delegate work to junior engineers. I would take on the hardest tickets "
      "myself and become a bottleneck before releases.")
KO = ("저는 어제 회사에서 새로운 배포 파이프라인을 직접 만들었습니다. "
      "그래서 테스트 서버에 빌드와 배포를 자동으로 돌릴 수 있게 되었습니다. "
      "운영서버는 보안 때문에 젠킨스를 통한 배포를 못하지만 "
      "테스트환경에서는 젠킨스로 빌드와 배포를 하고 있습니다.")


def shuffled(text: str, seed: int = 3) -> str:
    """Each sentence's words in a random order."""
    out = []
    for sentence in text.rstrip(".").split(". "):
        words = sentence.split()
        random.Random(seed).shuffle(words)
        out.append(" ".join(words) + ".")
    return " ".join(out)


def test_shuffled_words_are_scrambled() -> None:
    said = shuffled(EN)
    assert scrambled_spans(said, [EN], "en")
    score = score_answer("q", EN, [], Transcript.from_text(said, "en"), language="en")
    assert score.score < 20 and {p.reason for p in score.key_points} == {"word_order"}


def test_words_in_order_are_not_scrambled() -> None:
    assert scrambled_spans(EN, [EN], "en") == []
    reordered = ("I would take on the hardest tickets myself and become a bottleneck before releases. I "
                 "used to find it hard to delegate work to junior engineers.")
    assert scrambled_spans(reordered, [EN], "en") == []


def test_korean_phrases_move_freely_within_a_clause() -> None:
    moved = ("어제 저는 회사에서 새로운 배포 파이프라인을 직접 만들었습니다. "
             "그래서 빌드와 배포를 테스트 서버에 자동으로 돌릴 수 있게 되었습니다. "
             "테스트환경에서는 젠킨스로 빌드와 배포를 하고 있지만 "
             "운영서버는 보안 때문에 젠킨스를 통한 배포를 못합니다.")
    assert scrambled_spans(moved, [KO], "ko") == []
    assert scrambled_spans(shuffled(KO), [KO], "ko")
