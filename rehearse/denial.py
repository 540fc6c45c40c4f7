"""A no to what was asked: an answer that denies the question's own words.

A coach hears "젠킨스로 자동 배포나 빌드 테스트를 해 본 적은 없습니다" to "Jenkins로 자동 배포나 빌드
테스트는 해보셨나요?" as a no, however many of the prepared points' words follow ("빌드랑 배포는
전부 수동으로 하고 있습니다"). Two readings, on the clauses :mod:`rehearse.polarity` finds:
:func:`denied_topic`, per point (its words that are the question's own said only the other way),
and :func:`denies_question`, for the whole answer. :func:`deny_topics` applies them to the
points found; :func:`rehearse.score.score_answer` calls it when it is given the question as asked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from rehearse import textnorm as tn
from rehearse.coverage import point_polarity
from rehearse.polarity import clause_at, clause_spans, in_main_clause, negated_at, says_there_is_none
from rehearse.text_ko import ko_morphs

if TYPE_CHECKING:
    from rehearse.coverage import KeyPointResult
    from rehearse.lexicon import Unit


def denied_topic(question: str, key_point: str, text: str, units: tuple[Unit, ...],
                 language: str) -> str | None:
    """The clauses of the answer that deny what the question asks about, where the key point
    affirms it; None if the answer affirms it anywhere or never names it. The topic is the point's
    words that are the question's own (도커 of "도커는 사용해 보셨나요?"): said in the answer only
    in clauses of the other polarity ("도커 컨테이너로 올려 본 적은 없고요"), the answer is a no, however
    much of the rest of the point it says (젠킨스로 배포하는 건 해 왔는데)."""
    asked = {k for u in tn.analyse(question, language) if u.kind != "generic" for k in (u.key, u.alt) if k}
    point = tn.analyse(key_point, language)
    polarity = point_polarity(key_point, point, language)
    topic = {u.key: next(iter(polarity[u.key])) for u in point
             if u.kind != "generic" and ({u.key, u.alt} & asked) - {""} and len(polarity.get(u.key, ())) == 1}
    if not topic:
        return None
    spans = clause_spans(text, language)
    denied: list[tuple[int, int]] = []
    for u in units:
        if u.key in topic:
            if negated_at(spans, u.start) == topic[u.key]:
                if not in_main_clause(spans, u.start):
                    continue  # an echo (도커요?), a while-clause: not where it is affirmed
                return None  # affirmed here
            denied.append(clause_at(spans, u.start))
    return " … ".join(text[a:b].strip(" ,") for a, b in sorted(set(denied))) or None


def denies_question(question: str, text: str, units: tuple[Unit, ...], language: str) -> str | None:
    """The answer's clause that says no to the question itself, if it has one. To a question that
    asks for a yes, a no or an experience (:func:`_yes_no`): a clause of the other polarity than
    the question's that holds at least two thirds (and two) of the question's words, one of which
    (one of its names, if it has any) the answer never says the question's way ("젠킨스로 자동
    배포나 빌드 테스트를 해 본 적은 없습니다" to "Jenkins로 자동 배포나 빌드 테스트는
    해보셨나요?"). In Korean, to any question: a clause that says there is none of what was asked,
    with no other noun, where the answer never says it the question's way ("취미라고 할 만한 건
    없습니다" to "취미 / 특기"). To a yes/no question with a name the answer never affirms (a
    clause that says nothing of it, 아… 젠킨스요., affirms nothing): a clause that says the name
    only to deny it or set it aside (젠킨스가 아니라 깃랩 CI를 썼습니다), else a first sentence that
    says no (:func:`_opens_with_no`). Every point of an answer that says no is unsaid, however many
    of its words follow ("빌드랑 배포를 전부 수동으로 하고 있습니다")."""
    q_spans = clause_spans(question, language)
    asked: dict[str, bool] = {}
    names: set[str] = set()  # the question's names (Jenkins): the no must leave one of them unsaid
    for u in tn.analyse(question, language):
        if u.kind != "generic":
            asked.setdefault(u.key, negated_at(q_spans, u.start))
            if u.kind == "name":
                names.add(u.key)
    if len(asked) < 2:
        return None
    spans = clause_spans(text, language)
    by_clause: dict[tuple[int, int], set[str]] = {}
    affirmed: set[str] = set()  # not by a clause that says nothing of it (아… 젠킨스요.)
    for u in units:
        if u.key in asked:
            if negated_at(spans, u.start) == asked[u.key]:
                a, b = clause_at(spans, u.start)
                if in_main_clause(spans, u.start) and _predicate(text[a:b], language):
                    affirmed.add(u.key)
            elif in_main_clause(spans, u.start):
                by_clause.setdefault(clause_at(spans, u.start), set()).add(u.key)
    yes_no = _yes_no(question, language)
    for (a, b), keys in sorted(by_clause.items()):
        if yes_no and len(keys) >= max(2, 2 * len(asked) / 3) and (keys - affirmed) & (names or keys):
            return text[a:b].strip(" ,")
        # Korean: nothing but what was asked, said not to be there (취미라고 부를 만한 건 없습니다);
        # English questions open with a verb of asking (tell me about ...)
        if language == "ko" and not affirmed and 2 * len(keys) >= len(asked) and keys >= {
                u.key for u in units if a <= u.start < b and u.kind not in ("generic", "verb")} \
                and says_there_is_none(text, a, b):
            return text[a:b].strip(" ,")
    if yes_no and names and not names & affirmed:
        # the name asked about said, but only denied or set aside (젠킨스가 아니라 깃랩 CI를 썼습니다):
        # whatever else was done, it was not done with it
        denied = [text[a:b].strip(" ,") for (a, b), keys in sorted(by_clause.items()) if keys & names]
        return denied[0] if denied else _opens_with_no(text, spans, language)
    return None


def _opens_with_no(text: str, spans: tuple, language: str) -> str | None:
    """The answer's first sentence that says something (not a question said back, not a bare
    "젠킨스요."), if its last main clause is negated: to a yes/no question whose name the answer
    never affirms, "솔직히 말씀드리면 제가 직접 잡을 구성해 본 적은 없고요." is the answer's no."""
    for match in re.finditer(r"\S.*?(?:[.?!…](?=\s|$)|$)", text, re.S):
        a, b = match.span()
        sentence = match.group().strip()
        if language == "ko" and _NOT_REALLY.fullmatch(sentence):
            return sentence  # 딱히… ; 아뇨.
        if sentence.endswith("?") or not _predicate(sentence, language):
            continue
        last = [sp for sp in spans if a <= sp[0] < b and sp[3]]
        return sentence if last and last[-1][2] else None
    return None


def _predicate(sentence: str, language: str) -> bool:
    """Whether the sentence has a verb or adjective (Korean), or three words (English)."""
    if language != "ko":
        return len(sentence.split()) >= 3
    return any(m.tag.startswith(("VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA"))
               for m in ko_morphs(unicodedata.normalize("NFC", sentence))[0])


# a sentence that is only "not really" or "no" (딱히… 별로요. 아뇨.), fillers around it
_NOT_REALLY = re.compile(r"(?:(?:음|어|아|그|뭐|저)[,…. ]*)*"
                         r"(?:딱히|별로|그다지|전혀|아니요|아뇨|아니오)(?:요)?[,.…!]*")
_WH_KO = ("무엇", "뭐", "어떤", "어떻", "어떠", "누구", "왜", "언제", "어디", "무슨", "얼마", "몇")
_AUX_EN = frozenset("have has had do does did are is was were can could would will".split())


def _yes_no(question: str, language: str) -> bool:
    """Whether the question asks for a yes or a no, or for an experience ("도커는 사용해
    보셨나요?", "Have you used Docker?", "Tell me about a conflict with a colleague."), where a
    clause that denies it is a no; a denial of a what-question's or a topic's words ("I don't have
    firm salary expectations, but ...", "희망 연봉은 딱히 정해 두지 않았는데 …") is a hedge before
    the answer."""
    q = question.strip()
    if language == "ko":
        return q.endswith(("?", "나요", "니까", "는가")) and not any(w in q for w in _WH_KO)
    return bool(q) and (q.split(maxsplit=1)[0].lower() in _AUX_EN or q.lower().startswith("tell me about"))


def deny_topics(results: list[KeyPointResult], points: list[str], question: str, text: str,
                units: tuple[Unit, ...], language: str) -> None:
    """A point found for no stated reason whose topic (its words that are the question's own) the
    answer only denies is said the other way: "도커는 … 못했습니다" to "도커는 사용해 보셨나요?";
    and every point of an answer that says no to the question itself, found or not (so that only
    a sentence holding its words the point's way, not meaning alone, says it after all)."""
    no = denies_question(question, text, units, language)
    for result, point in zip(results, points, strict=True):
        if result.reason is None and (result.status != "missed" or no) \
                and (clauses := no or denied_topic(question, point, text, units, language)):
            result.status, result.covered, result.reason, result.opposite = "missed", False, "negated", True
            result.evidence = result.contrast = clauses
