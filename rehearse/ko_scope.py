"""Korean clauses whose polarity is another clause's (:mod:`rehearse.polarity` reads each clause's
own negations first, then these).

A topic is what the clause after it says something of: one that opens a -면서 clause (도커는
공부하면서 | 이름만 들어 봤고), one set apart by a pause (도커는요... | 써 본 적은 없습니다), one that
opens a sentence whose first part ends in -는데 (낚시는 … 가 봤는데 | 저랑은 안 맞더라고요). What
그런 것 sums up takes its clause's polarity (분석하고 그런 건 안 했습니다), and a bare 못 했다 after a
-는데 clause denies what came before it (계획은 세웠었는데, 결국 못 했습니다).
"""

from __future__ import annotations

Span = tuple[int, int, bool, bool]  # start, end, negated, main clause

NOUNISH = ("NN", "SL", "SN", "SH")  # kiwi's tags of what a topic particle can follow


def said_elsewhere(spans: list[Span], morphs: list, whiles: list[int], buts: list[int],
                   ends: list[int]) -> list[Span]:
    """The clauses with the polarity of the clause that says something of them: ``whiles``,
    ``buts`` and ``ends`` are where -면서 clauses, -는데 clauses and sentences end."""
    spans = _topics_out_of_while(spans, morphs, whiles)
    spans = _said_of_as_such(_bare_topics(_topics_over_but(spans, morphs, buts, ends), morphs), morphs, ends)
    return _not_done_after_all(spans, morphs, buts, ends)


def _not_done_after_all(spans: list[Span], morphs: list, buts: list[int], ends: list[int]) -> list[Span]:
    """A sentence that ends in a bare 못 했다 / 안 했다 (nothing done named in its clause) after a
    -는데 clause denies what came before: 젠킨스로 옮겨서 파이프라인 구성하자는 얘기가 나와서 계획은
    세웠었는데, 일정에 밀려서 결국 못 했습니다 (none of it was done)."""
    for i, (a, b, negated, main) in enumerate(spans):
        clause = [m for m in morphs if a <= m.start < b and m.tag not in ("SF", "SP", "SE", "EP", "EF", "JX")]
        if not negated or not main or not clause or clause[-1].form != "하" \
                or any(m.tag not in ("MAG", "VV") and m.form not in ("결국", "끝내") for m in clause):
            continue
        since = max((e for e in ends if e <= a), default=0)
        if not any(since < e <= a for e in buts):
            continue
        for j in range(i - 1, -1, -1):
            if spans[j][0] < since:
                break
            spans[j] = (spans[j][0], spans[j][1], True, spans[j][3])
    return spans


def _topic_at(morphs: list, a: int, b: int, opening: bool = False):
    """The topic particle (N은/는) of the clause a..b before its first verb, if it has one;
    ``opening``: only one that opens the clause (도커는 …, not 젠킨스로 배포는 …)."""
    clause = [m for m in morphs if a <= m.start < b]
    for j, m in enumerate(clause):
        if m.tag.startswith(("VV", "VA", "XSV", "VCP", "VCN", "EC", "EF")):
            return None
        if m.tag == "JX" and m.form in ("는", "은", "ᆫ") and j \
                and clause[j - 1].tag in ("NNG", "NNP", "SL", "SH"):
            return m
        if opening and not m.tag.startswith(("NN", "SL", "SH", "IC", "SP", "SE", "MAG")):
            return None
    return None


def _topics_over_but(spans: list[Span], morphs: list, buts: list[int], ends: list[int]) -> list[Span]:
    """The topic that opens a sentence whose first part ends in -는데 is what its next clause says
    something of, when that clause has no topic of its own: 낚시는 친구 따라서 한 번 가 봤는데 | 저랑은 안
    맞더라고요; 도커는 공부는 하고 있는데, | 아직 배포까지 해 본 건 아니라서요 (but 도커는 써 봤는데
    | 쿠버네티스는 안 써 봤습니다 keeps each topic with its own clause)."""
    out = list(spans)
    for e in buts:
        after = next((i for i, sp in enumerate(out) if sp[0] >= e), None)
        since = max((x for x in ends if x < e), default=0)
        if after is None or _topic_at(morphs, *out[after][:2]) is not None:
            continue
        # the nearest clause of the sentence before it that opens with a topic
        first = next((i for i in range(after - 1, -1, -1)
                      if out[i][0] >= since and _topic_at(morphs, *out[i][:2], opening=True) is not None),
                     None)
        if first is None:
            continue
        a, b, negated, main = out[first]
        topic = _topic_at(morphs, a, b, opening=True)
        if topic is None or out[after][2] == negated:
            continue
        cut = topic.start + topic.len
        out[first : first + 1] = [(a, cut, out[after][2], True), (cut, b, negated, main)]
    return out


def _bare_topics(spans: list[Span], morphs: list) -> list[Span]:
    """A clause that is nothing but a topic (아, 도커는요... | 솔직히 써 본 적은 없습니다), set apart by
    a pause, takes the polarity of the clause that says something of it."""
    out = list(spans)
    for i, (a, b, _negated, main) in enumerate(spans[:-1]):
        clause = [m for m in morphs if a <= m.start < b]
        said = [m for m in clause if m.tag not in ("IC", "SP", "SF", "SE", "SS", "SW", "SO")
                and m.form != "요"]
        paused = clause and clause[-1] not in said
        if paused and said and said[-1].tag == "JX" and said[-1].form in ("는", "은", "ᆫ") \
                and all(m.tag.startswith(NOUNISH) for m in said[:-1]) and len(said) > 1:
            out[i] = (a, b, spans[i + 1][2], main)
    return out


def _said_of_as_such(spans: list[Span], morphs: list, ends: list[int]) -> list[Span]:
    """What 그런 것 (이런 거, 그런 건) sums up, the clauses of its sentence before it, takes the
    polarity of the clause 그런 것 is in: 통신 내용 까서 분석하고 그런 건 저는 안 했습니다 (none of it
    was done)."""
    for k, m in enumerate(morphs[:-1]):
        if m.tag == "MM" and m.form in ("그런", "이런", "그러한") and morphs[k + 1].tag == "NNB" \
                and morphs[k + 1].form in ("것", "거"):
            i = next((i for i, (a, b, *_r) in enumerate(spans) if a <= m.start < b), None)
            if i is None or spans[i][0] < m.start - 1:
                continue  # not where its clause begins
            since = max((e for e in ends if e <= m.start), default=0)
            for j in range(i - 1, -1, -1):
                if spans[j][0] < since:
                    break
                spans[j] = (spans[j][0], spans[j][1], spans[i][2], spans[j][3])
    return spans


def _topics_out_of_while(spans: list[Span], morphs: list, whiles: list[int]) -> list[Span]:
    """A topic (N은/는) that opens a -면서 clause is the topic of the clause that follows, and takes
    its polarity: 도커는 공부하면서 | 이름만 들어 봤고 (the 도커는 is what was only heard of)."""
    out: list[Span] = []
    for i, (a, b, negated, main) in enumerate(spans):
        topic = None
        if not main and any(a < e <= b for e in whiles):
            topic = next((n for k, n in enumerate(morphs) if a <= n.start < b and n.tag == "JX"
                          and n.form in ("는", "은", "ᆫ") and k and morphs[k - 1].tag.startswith(NOUNISH)),
                         None)
        after = None if topic is None else next((s for s in spans[i + 1 :] if s[3]), None)
        if topic is None or after is None:
            out.append((a, b, negated, main))
            continue
        cut = topic.start + topic.len
        out += [(a, cut, after[2], True), (cut, b, negated, main)]
    return out
