"""Where a text says something in the negative: clauses and whether each is negated.

A key point whose words are all in the answer but said in the negative ("도커로 배포해 본 경험은
없습니다" against "Docker에 배포하는것까지 해봤습니다") is not covered. Negation is found per
clause, the scope a coach hears it in, not by substring:

- **Korean**, on kiwi's morphemes: 안/못 (``MAG``), -지 않-/-지 못하-/-지 말- (``VX`` 않/못하/말), 없-
  (``VA``), 없이, 아니- (``VCN``), 모르-. A clause ends at a final ending (``EF``), a sentence end,
  or a connective ending (``EC``: -고, -지만, -는데, -어서, -라고 ...) unless it binds an auxiliary
  or a light verb (-어 보-, -고 있-, -지 않-, -게 하-, -도록 하-, -려고 하-); an adnominal ending
  (``ETM``: 해 본 적은 없습니다) keeps the clause going, and the negation that follows reaches
  back into it; but an adnominal clause with a negation of its own is a part of its own, with its
  own polarity (문자 발송이 안 되는 | 오류였습니다). 아니- in a contrast denies the noun right
  before it, not the topic (취미는 | 낚시가 아니라 등산); said of its topic it denies the whole
  statement (경쟁사는 KT가 아닙니다); never the nouns that modify its noun (문자 발송 | 오류는
  아니었습니다).
  없이 negates what precedes it in its clause and ends it (API 문서 없이 | 개발을 진행했다).
  A quotative ending (-라고, -다고) followed by its verb of saying or thinking keeps the clause
  going, so that verb's negation denies what it quotes (SKT를 경쟁사라고 보지는 않습니다), and a
  noun that 아니- denies is denied with the relative clause that says what it is (CMP를
  서비스하는 회사는 아니라고). A clause ended by a concessive ending (-어도, -더라도) is an even-if
  clause, not a main one, as English "although" opens. A conjunction (하지만, 그런데) opens a
  clause, even where kiwi reads 못 하지만 as 못 + 하지만; -어서 of a verb that goes on into a
  relative clause is a step of it (급여에서 올려서 계산한 금액은 아니고요). N 말고 denies the
  noun right before it, as 아니라 in a contrast does (배치 파일 말고 | DB 링크로).
- **English**, on words: not, n't, never, no, none, nobody, nothing, neither, nor, cannot,
  without, barely, hardly, scarcely, unable, impossible, inflexible, unwilling, unaware, skip(ped),
  "far from", "off limits", "off the table". A clause ends at . ; : ! ? or a comma, and before
  a conjunction (and, but, so; not "or": not X or Y denies both) or a
  subordinator (because, although, though, while, whereas, if, whether, unless, when, since: the
  clause it opens is not a main clause); ``without`` opens a clause of its own (shipped on a
  Friday | without testing it).

Two negations in one clause cancel out. The result is a list of (start, end, negated, main)
character spans covering the text. :func:`contrasted` finds, apart, what a text sets aside for
something else (말고, a contrastive 아니라; instead of, rather than, not X but Y).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rehearse.ko_scope import NOUNISH as _KO_NOUNISH
from rehearse.ko_scope import Span, said_elsewhere
from rehearse.text_ko import ko_morphs

_KO_NEG_ADVERBS = frozenset(("안", "못"))
_KO_NEG_AUX = frozenset(("않", "못하", "말"))  # -지 않-, -지 못하-, -지 말- (하지 말고)
_KO_BINDING_EC = frozenset(("지", "게", "도록", "려고", "으려고", "고자", "어야", "아야"))
_KO_LIGHT = frozenset(("하", "되"))
# quotative endings: what is quoted is the object of the verb of saying or thinking that follows,
# and that verb's negation reaches back into it (SKT를 경쟁사라고 보지는 않습니다)
_KO_QUOTE_EC = ("라고", "다고", "냐고", "자고")  # and their forms after a stem (ᆫ다고, 는다고, 으라고)

# concessive endings (-어도, -더라도): the clause they end is an even-if clause, not a main one
# (배포를 하지 않았어도 | 결국 문제가 발생할 사안이었습니다). A -면 clause stays a main one: in a
# point it is often the content itself (2만 건이 넘어가면 | 다운로드가 되지 않는 문제)
# -면서 (while): a clause of circumstance, not a main one (도커는 공부하면서 | 이름만 들어 봤고)
_KO_WHILE_EC = ("면서", "으면서")
_KO_BUT_EC = frozenset(("는데", "ᆫ데", "은데"))  # background to what the next clause says

# an embedded question (-는지: 어떤 사업을 하는지 모르겠습니다) is the object of what follows,
# whose negation reaches back into it
_KO_QUESTION_EC = frozenset(("는지", "ᆫ지", "은지", "ᆯ지", "을지", "던지"))

# -어서 of a verb that goes on into a relative clause (올려서 계산한 금액) is a step of that clause
_KO_SEQUENCE_EC = frozenset(("어서", "아서", "여서"))
# -든지, -든가, -거나 list what the verb after them says (N이든 N이든 만들어 본 적은 없고요;
# 배포한다든지 그런 건 안 해 봤어요), as English "or" does
_KO_CHOICE_EC = ("든지", "든가", "든", "거나")
_KO_ONLY_STUDIED = frozenset(("공부", "구경", "이론", "개념", "독학"))
_KO_ONLY_READ = frozenset(("책", "글", "블로그", "영상", "유튜브", "강의", "문서"))

_KO_CONDITION_EC = ("어도", "아도", "여도", "더라도", "라도", "는데도", "ᆫ데도")


_EN_NEGATORS = frozenset(
    "not never no none nobody nothing neither nor cannot nowhere barely hardly scarcely "
    "unable impossible inflexible unwilling unaware skip skipped skipping".split())
_EN_ONLY = re.compile(r"\s+(?:only|just|merely)\b", re.IGNORECASE)
_EN_TOPIC = re.compile(r"\s*(?:and\s+|but\s+)?(?:as for|when it comes to)\b", re.IGNORECASE)
# word sequences that deny, matched at their last word
_EN_IDIOMS = (("far", "from"), ("off", "limits"), ("off", "the", "table"))
_EN_CONJ = frozenset("and but so".split())
_EN_MODAL_NOT = frozenset("couldn't can't cannot wouldn't won't".split())
_EN_SUBORDINATE = frozenset(
    "because although though while whereas if whether unless when since".split())
_EN_WORD = re.compile(r"\d[\d,.]*\d|[A-Za-z]+(?:['’][A-Za-z]+)*|[.;:!?,]|[—–]|(?<=\s)-{1,2}(?=\s)")


def _is_ko_negator(form: str, tag: str) -> bool:
    return ((tag == "MAG" and form in _KO_NEG_ADVERBS) or (tag == "VX" and form in _KO_NEG_AUX)
            or (tag == "VA" and form in ("없", "못하")) or tag == "VCN"
            or (tag == "VV" and form == "모르"))


def _ko_idiom_negates(morphs: list, k: int) -> bool:
    """Whether the morpheme at ``k`` says no by an idiom rather than a negator: 들어만 봤다 and
    이름만 들어 봤다 (heard of it, no more); X라고 하기는 어렵다, X로 보기는 어렵다 (it can
    hardly be called X); 빠지-, 빼- (left out: 설정이 빠져 있어서; 빠질 수 없다 is two)."""
    m = morphs[k]
    tag = m.tag.split("-")[0]
    if tag == "VV" and m.form in ("빠지", "빼", "빼놓"):
        after = morphs[k + 1] if k + 1 < len(morphs) else None
        # X 빼면 (without X: 배스 낚시 빼면 저를 얘기할 수가 없어요) is a condition, not a denial
        return not (after is not None and after.tag == "EC" and after.form in ("면", "으면"))
    if tag == "VV" and m.form in ("하", "읽", "보", "배우") and k >= 2 and morphs[k - 1].form == "만" \
            and morphs[k - 1].tag == "JX" and (morphs[k - 2].form in _KO_ONLY_STUDIED or (
                k >= 3 and morphs[k - 2].tag == "JKB" and morphs[k - 3].form in _KO_ONLY_READ)):
        return True  # 공부만 해 봤다, 책으로만 읽어 봤다: studied it, never used it
    if tag == "VV" and m.form in ("듣", "들"):
        before = morphs[k - 1] if k else None
        after = morphs[k + 2] if k + 2 < len(morphs) else None
        return (before is not None and before.tag == "JX" and before.form == "만") or (
            after is not None and after.tag == "JX" and after.form == "만")
    if tag == "VA" and m.form in ("어렵", "그렇"):
        j = k - 1
        while j >= 1 and morphs[j].tag in ("JX", "MAG", "JKB"):
            j -= 1  # 보기는 좀 어렵다; 말씀드리기엔 좀 그렇고요
        at = (morphs[j].tag, morphs[j].form)
        verb = j - 1 - (morphs[j - 1].form == "드리" and j >= 2 and morphs[j - 2].form == "말씀")
        quoted = verb >= 1 and morphs[verb - 1].tag == "EC" and morphs[verb - 1].form.endswith(_KO_QUOTE_EC)
        for_it = at == ("EC", "기에") or (at == ("ETN", "기") and (morphs[j + 1].form == "에" or quoted))
        if not for_it and not (at == ("ETN", "기") and m.form == "어렵"):
            return False
        said = morphs[j - 1]
        return said.tag.startswith("VV") and (
            said.form == "보" or (said.form in ("하", "말하", "드리") and quoted))
    return False


def _before_bound_noun(morphs: list, k: int) -> bool:
    """Whether the adnominal ending at ``k`` makes a construction of its clause with a bound noun
    (-ㄹ 수 없-, -ㄴ 적 없-, -ㄹ 것 같-, -ㄴ 건 아니-), not a relative clause: its negations meet
    (빠질 수 없다 and 없었던 건 아니다 are yes). 것 that names a thing (너무 안 놓는 게 | 단점입니다) is
    a relative clause's noun."""
    nxt = morphs[k + 1] if k + 1 < len(morphs) else None
    if nxt is None or nxt.tag != "NNB":
        return False
    if nxt.form in ("것", "거"):
        j = k + 2
        while j < len(morphs) and morphs[j].tag in ("JX", "JKS", "JKC"):
            j += 1  # 없었던 건 아니고요: it is not that it was not (the whole clause denied)
        after = morphs[j] if j < len(morphs) else None
        return after is not None and ((after.tag.startswith("VA") and after.form == "같")
                                      or after.tag == "VCN")
    return nxt.form in ("수", "적")


def _contrast(morphs: list, k: int) -> bool:
    """Whether the 아니- at ``k`` sets its noun against what follows (-라/-고 and more words in the
    sentence: 낚시가 아니라 등산입니다), rather than ending what it says (아닙니다, 아니라고 생각합니다)."""
    nxt = morphs[k + 1] if k + 1 < len(morphs) else None
    after = morphs[k + 2] if k + 2 < len(morphs) else None
    return (nxt is not None and nxt.tag == "EC" and nxt.form in ("라", "고")
            and after is not None and after.tag.startswith("N"))


def _conceded(morphs: list, k: int) -> bool:
    """Whether the clause ended at ``k`` concedes (V-기는 하는데/하지만: 젠킨스를 쓰긴 하는데요, …): it
    grants what the next clause then limits, and says nothing of its own."""
    return morphs[k].form in ("는데", "지만", "ᆫ데") and k >= 3 and morphs[k - 1].form == "하" \
        and morphs[k - 2].tag == "JX" and morphs[k - 3].tag == "ETN" and morphs[k - 3].form == "기"


def _never_done(morphs: list, k: int) -> bool:
    """Whether the clause after the -어서 at ``k`` denies an experience (-ㄴ 적 없-): the whole chain of
    doings is what was never done (젠킨스랑 엮어서 배포까지 해 본 적은 없습니다). Only -어서 right
    after a verb's stem: after an auxiliary it gives a cause (문서를 만들어 두고 있어서 | 문서 없이
    개발한 적은 없었습니다)."""
    if not k or morphs[k - 1].tag != "VV":
        return False
    for j in range(k + 1, len(morphs) - 1):
        if morphs[j].tag in ("EC", "EF", "SF") and not (morphs[j].tag == "EC" and morphs[j + 1].tag == "VX"):
            return False  # (해 본: -어 보- goes on)
        if morphs[j].tag == "ETM" and morphs[j + 1].form == "적":
            rest = [n for n in morphs[j + 2 : j + 6] if n.tag not in ("JX", "JKS", "MAG")]
            return bool(rest) and rest[0].form == "없"
    return False


def _frankly(morphs: list, k: int) -> bool:
    """Whether the -면 at ``k`` ends a verb of saying (솔직히 말씀드리면, 사실대로 말하면): a frame for
    what follows, not a condition of it; the topic before it is the statement's (도커는… 솔직히
    말씀드리면 직접 써 본 적은 없습니다)."""
    if morphs[k].form not in ("면", "으면", "자면") or k < 1:
        return False
    verb = morphs[k - 1]
    return verb.form in ("말하", "말씀하") or (
        verb.form in ("드리", "하") and k >= 2 and morphs[k - 2].form in ("말씀", "말", "얘기"))


def _says(rest: list) -> bool:
    """Whether the morphemes after a quotative ending are its verb of saying or thinking (보-,
    믿-, 말하-; 생각하-, 판단하-: a noun and -하-, or 생각 안 하-)."""
    if not rest:
        return False
    first = rest[0]
    then = [n for n in rest[1:] if not (n.tag == "MAG" and n.form in ("안", "못"))]
    return first.tag == "VV" or (first.tag.startswith("NN") and bool(then) and (
        then[0].tag == "XSV" or (then[0].tag == "VV" and then[0].form in ("하", "드리"))))


def _noun_phrase_start(morphs: list, k: int, head) -> int:
    """Where the clause's negated part begins for a 아니- that ends what it says: at its topic or
    subject (a noun phrase ending in 은/는/이/가) if the noun it denies has one before it in the
    clause, at that noun otherwise; -1 (the whole clause) when a relative clause modifies it."""
    i = next(i for i in range(k - 1, -1, -1) if morphs[i] is head)
    j = i - 1
    while j >= 0 and morphs[j].tag.startswith("N"):  # the nouns that modify it
        j -= 1
    if j >= 0 and morphs[j].tag == "ETM":  # a relative clause says what the noun is: denied with
        return -1  # it, from the clause's start (다른 기업들도 CMP를 서비스하는 회사는 아니라고)
    if j >= 0 and morphs[j].tag in ("JX", "JKS"):  # a topic or subject before it
        t = j - 1
        while t >= 0 and (morphs[t].tag.startswith("N") or morphs[t].tag in ("SL", "SN")):
            t -= 1
        if t < j - 1:
            return morphs[t + 1].start
    return head.start


def _noun_run_start(morphs: list, end: int) -> int:
    """The index where the run of nouns that ends at ``end`` begins (자바 배치 of 자바 배치 말고)."""
    j = end
    while j > 0 and morphs[j - 1].tag.startswith(_KO_NOUNISH):
        j -= 1
    return j


def _noun_then_go(morphs: list, k: int) -> bool:
    """Whether the 말- at ``k`` is 말고 right after a noun (젠킨스 말고 깃랩으로)."""
    return (k > 0 and morphs[k - 1].tag.startswith(_KO_NOUNISH) and k + 1 < len(morphs)
            and morphs[k + 1].tag == "EC" and morphs[k + 1].form == "고")


def _in_relative(morphs: list, k: int) -> bool:
    """Whether the ending at ``k`` is inside a relative clause: the next ending is adnominal
    (급여에서 몇 퍼센트 올려서 계산한 | 금액은 아니고요: what 아니- denies is the whole of it)."""
    for j in range(k + 1, len(morphs)):  # the next verb's arguments, then its adnominal ending
        n = morphs[j]
        if n.tag == "ETM":
            return True
        if n.tag == "EC" and j + 1 < len(morphs) and morphs[j + 1].tag == "VX":
            continue  # 나눠서 찾아본 적도 없고요: -아 보- is one verb
        if n.tag in ("EC", "EF", "MAG", "MAJ", "JX", "SF", "SP", "SS", "SE", "SO"):
            return False  # another ending, an adverb (없이), a topic (지금은), a comma: it ends first
    return False


def _ko_spans(text: str) -> list[Span]:
    morphs = ko_morphs(text)[0]
    spans: list[Span] = []
    start, negations, main = 0, 0, True
    chosen = 0  # the clause's negations before its last -든/-거나 (했든 안 했든: whether or not)

    def close(end: int) -> None:
        nonlocal start, negations, main, chosen
        if end > start:
            spans.append((start, end, negations % 2 == 1, main))
        start, negations, main, chosen = end, 0, True, 0

    split = close  # a part of a clause with a polarity of its own

    pending = False  # a clause ended; it takes the particles and punctuation that follow (고요, 다.)
    whiles: list[int] = []  # where -면서 clauses end
    buts: list[int] = []  # where -는데 clauses end
    ends: list[int] = []  # where sentences end
    ignore: set[int] = set()  # negators that a 없이 before them cancels
    for k, m in enumerate(morphs):
        if pending:
            if m.tag in ("JX", "SF", "SP", "SE", "EF"):
                if m.form == "?":
                    main = False  # a question asks, it does not say (도커요?)
                if m.tag in ("SF", "EF"):
                    ends.append(m.start + m.len)  # 개발했고요.
                continue
            close(m.start)
            pending = False
        end = m.start + m.len
        if m.tag == "MAJ" and m.start > start:
            close(m.start)  # a conjunction opens a clause (kiwi reads 못 하지만 as 못 + 하지만)
        if m.tag == "MAG" and m.form == "없이":
            after = next((j for j in range(k + 1, len(morphs)) if morphs[j].tag != "JX"), None)
            if after is not None and morphs[after].tag == "MAG" and morphs[after].form in _KO_NEG_ADVERBS:
                ignore.add(after)  # 문서 없이는 안 된다: it cannot go without, so it is there
                continue
            negations += 1
            close(end)
            continue
        if m.tag == "VCN":
            # 아니- in a contrast (낚시가 아니라 등산; 개발자가 아니고 기획자) denies the noun right
            # before it, not the topic: 취미는 | 낚시가 아니라. Said of its topic (SKT는 경쟁상대가
            # 아니라고 생각합니다; 경쟁사는 KT가 아닙니다) it denies the whole clause, topic included.
            # Either way the nouns that modify that noun keep the clause's other polarity
            # (문자 발송 | 오류는 아니었습니다)
            head = next((n for n in reversed(morphs[:k]) if n.tag.startswith("N")), None)
            if head is not None and head.start > start:
                at = _noun_phrase_start(morphs, k, head) if not _contrast(morphs, k) else head.start
                if at > start:
                    split(at)
            negations += 1
        elif m.tag == "VV" and m.form == "말" and _noun_then_go(morphs, k):
            # N 말고: not the noun(s) right before it (배치 파일 말고 | DB 링크로 연결했습니다)
            j = _noun_run_start(morphs, k - 1)
            if morphs[j].start > start:
                split(morphs[j].start)
            negations += 1
        elif k in ignore:
            pass
        elif _is_ko_negator(m.form, m.tag) or _ko_idiom_negates(morphs, k):
            negations += 1
        if m.tag == "ETM" and negations and not _before_bound_noun(morphs, k):
            split(end)  # a negation inside a relative clause stays in it (발송이 안 되는 | 오류)
        elif m.tag in ("EF", "SF"):
            pending = True
            ends.append(end)
            if m.form == "?":
                main = False  # a question asks, it does not say (도커요?)
        elif m.tag == "EC" and m.form not in _KO_BINDING_EC:
            rest = [n for n in morphs[k + 1 : k + 5] if n.tag != "JX"][:3]
            nxt = rest[0] if rest else None
            if m.form.endswith(_KO_CHOICE_EC):
                negations = chosen = min(negations, chosen)  # 배포를 했든 안 했든: denies nothing
            binds = m.form in _KO_QUESTION_EC or m.form.endswith(_KO_CHOICE_EC) \
                or (m.form == "기에" and any(n.form in ("그렇", "어렵") for n in rest)) \
                or _frankly(morphs, k) or nxt is not None and (
                nxt.tag == "VX" or (nxt.tag in ("VV", "XSV") and nxt.form in _KO_LIGHT)
                or (m.form.endswith(_KO_QUOTE_EC) and _says(rest))
                or (m.form in _KO_SEQUENCE_EC and (_in_relative(morphs, k) or _never_done(morphs, k))))
            pending = not binds
            main = binds or not (m.form.endswith((*_KO_CONDITION_EC, *_KO_WHILE_EC)) or _conceded(morphs, k))
            if not binds and m.form.endswith(_KO_WHILE_EC):
                whiles.append(end)
            if not binds and m.form in _KO_BUT_EC:
                buts.append(end)
    close(len(text))
    return said_elsewhere(spans, morphs, whiles, buts, ends)


def _en_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    start, negations, main = 0, 0, True

    def close(end: int, opens: bool | None = True) -> None:
        """End the clause at ``end``; the next is a main clause (``opens`` True), a subordinate
        one (False) or goes on as this one did (None: "and", "or")."""
        nonlocal start, negations, main
        if end > start:
            spans.append((start, end, negations % 2 == 1, main))
        start, negations = end, 0
        main = main if opens is None else opens

    recent: list[str] = []  # the words before this one
    said: list[str] = []  # the words of the clause so far
    for m in _EN_WORD.finditer(text):
        word = m.group().lower().replace("’", "'")
        if word in ".;:!?" or word in ("—", "–", "-", "--"):  # a dash ends a clause as ";" does
            if word == "?":
                main = False  # a question asks, it does not say (Docker? Not really.)
            close(m.end())
        elif word == ",":
            close(m.end(), None)
        elif word == "and":
            close(m.start(), None)
        elif word in _EN_CONJ:
            close(m.start())
        elif word in _EN_SUBORDINATE:
            close(m.start(), False)
        elif word == "without":
            if negations % 2 and any(w in _EN_MODAL_NOT for w in said):
                # "we couldn't have done it without X": a double negative, X was there
                negations -= 1
                close(m.start())
            else:
                close(m.start())
                negations += 1
        elif word == "not" and _EN_ONLY.match(text, m.end()):
            pass  # not only X but also Y says both
        elif word in _EN_NEGATORS or word.endswith("n't") \
                or any(tuple(recent[-len(i) + 1 :]) + (word,) == i for i in _EN_IDIOMS):
            negations += 1
        recent = [*recent[-2:], word]
        said = [] if start >= m.end() else [*said, word]
    close(len(text))
    # a topic set before a comma ("as for mentoring, I've never done it") takes the polarity of
    # the clause that says something of it
    return [(a, b, after[2] if _EN_TOPIC.match(text, a) and text[a:b].rstrip().endswith(",")
             else negated, main)
            for (a, b, negated, main), after in zip(spans, [*spans[1:], (0, 0, False, True)], strict=True)]


@lru_cache(maxsize=1024)
def clause_spans(text: str, language: str) -> tuple[Span, ...]:
    """The text's clauses as (start, end, negated, main) character spans, in order, covering it."""
    text = unicodedata.normalize("NFC", text)
    return tuple(_ko_spans(text) if language == "ko" else _en_spans(text))


@lru_cache(maxsize=1024)
def contrasted(text: str, language: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) spans of what the text sets aside for something else: Korean 말고 and
    아니라/아니고 said against a noun (배치 파일 말고 DB 링크로; 낚시가 아니라 등산), English
    "instead of", "rather than" and "not ... but" (not Jenkins but GitLab)."""
    text = unicodedata.normalize("NFC", text)
    out: list[tuple[int, int]] = []
    if language == "ko":
        morphs = ko_morphs(text)[0]
        for k, m in enumerate(morphs):
            if (m.tag.startswith("VV") and m.form in ("듣", "들") and _ko_idiom_negates(morphs, k)) or (
                    m.tag == "ETN" and m.form == "기" and k + 1 < len(morphs)
                    and morphs[k + 1].tag == "JKB" and morphs[k + 1].form == "보다"):
                # 버프스위트는 이름만 들어 봤고; 클라우드 역량이라고 하기보다는: what the clause names
                a = next((n.start for n in reversed(morphs[:k]) if n.tag in ("SF", "EF", "EC", "SP")
                          and not n.form.endswith(_KO_QUOTE_EC)), -1)
                first = next((n for n in morphs if n.start > a), None)
                if first is not None and first.start < m.start:
                    out.append((first.start, m.start))
                continue
            if (m.tag == "VV" and m.form == "말" and _noun_then_go(morphs, k)) or (
                    m.tag == "VCN" and _contrast(morphs, k)) or (
                    m.tag == "NNG" and m.form == "대신" and k and morphs[k - 1].tag.startswith(_KO_NOUNISH)):
                j = k - 1
                while j >= 0 and morphs[j].tag.startswith(("J",)):
                    j -= 1  # 낚시가 아니라: the particle
                if j >= 0 and morphs[j].tag.startswith(_KO_NOUNISH):
                    out.append((morphs[_noun_run_start(morphs, j)].start, morphs[j].start + morphs[j].len))
        return tuple(out)
    words = list(_EN_WORD.finditer(text))
    lowered = [w.group().lower() for w in words]
    for i, w in enumerate(lowered):
        opens = (w == "of" and i and lowered[i - 1] == "instead") or (
            w == "than" and i and lowered[i - 1] == "rather")
        only = i + 1 < len(lowered) and lowered[i + 1] in ("only", "just", "merely")  # says both
        if w == "not" and "but" in lowered[i + 1 : i + 6] and not only:
            stop = lowered.index("but", i + 1)
            if stop > i + 1 and all(x not in ".;:!?," for x in lowered[i + 1 : stop]):
                out.append((words[i + 1].start(), words[stop - 1].end()))
        elif opens:
            stop = next((j for j in range(i + 1, len(lowered))
                         if lowered[j] in ".;:!?," or lowered[j] in _EN_CONJ), len(lowered))
            if stop > i + 1:
                out.append((words[i + 1].start(), words[stop - 1].end()))
    return tuple(out)


def set_aside(text: str, piece: str, language: str) -> bool:
    """Whether most of ``piece`` (a sentence or part of ``text``) is what the text sets aside for
    something else (:func:`rehearse.polarity.contrasted`)."""
    at = text.find(piece)
    if at < 0 or not piece.strip():
        return False
    inside = sum(max(0, min(b, at + len(piece)) - max(a, at)) for a, b in contrasted(text, language))
    return inside >= 0.5 * len(piece.strip())


def says_there_is_none(text: str, start: int, end: int) -> bool:
    """Whether the Korean clause ``text[start:end]`` says that something is not there or is not
    so (없-, 아니-) and has no verb of its own but one that names what it quotes: "취미라고 부를
    만한 건 없습니다", not "희망 연봉은 정해 두지 않았는데" (a verb denied, not a thing)."""
    morphs = [m for m in ko_morphs(unicodedata.normalize("NFC", text))[0] if start <= m.start < end]
    if not any((m.tag == "VA" and m.form == "없") or m.tag == "VCN" for m in morphs):
        return False
    return all(k and morphs[k - 1].tag == "EC" and morphs[k - 1].form.endswith(_KO_QUOTE_EC)
               for k, m in enumerate(morphs)
               if m.tag.split("-")[0] in ("VV", "VA") and m.form not in ("없", "하", "되", "있", "같"))


def negated_at(spans: tuple[Span, ...], offset: int) -> bool:
    """Whether the clause holding character ``offset`` is negated."""
    for start, end, negated, _main in spans:
        if start <= offset < end:
            return negated
    return False


def in_main_clause(spans: tuple[Span, ...], offset: int) -> bool:
    """Whether character ``offset`` is in a main clause (English: not after if, because, when ...)."""
    for start, end, _negated, main in spans:
        if start <= offset < end:
            return main
    return True


def clause_at(spans: tuple[Span, ...], offset: int) -> tuple[int, int]:
    """The (start, end) of the clause holding character ``offset``."""
    for start, end, _negated, _main in spans:
        if start <= offset < end:
            return start, end
    return offset, offset
