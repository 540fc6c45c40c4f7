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

English: case folding, a small suffix stripper (:func:`stem_en`), a stop-word list, number words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

# --- weights --------------------------------------------------------------------------------------
W_NAME = 1.5  # proper nouns, acronyms, Latin terms in Korean text, multi-digit numbers
W_WORD = 1.0  # ordinary content words
W_VERB = 0.6  # verb/adjective stems
W_GENERIC = 0.25  # words every interview answer uses (회사, 개발, work, team ...)
W_COUNTER = 0.3  # 원, 건, %, percent, small numbers' counters

GENERIC_KO = frozenset(
    "하 있 없 되 보 같 대하 통하 위하 받 주 가 오 나 말 알 생각 회사 개발 서비스 업무 경험 사용 진행 "
    "부분 현재 이전 지원 직무 관련 다양 기술 능력 프로젝트 일 저 것 수 때 경우 정도 내용 방법 사람 "
    "직원 기업 작업 확인 부분 이후 전 후 중 시간 생각되 싶 알리 네 예 그렇 이렇 많 좋".split()
)
LIGHT_VERBS_KO = frozenset("하 되 있".split())  # 했습니다, 되었다, 있다: grammar, not content
GENERIC_EN = frozenset(
    "work job compani team experi project thing lot realli also make get do think know want good "
    "great time peopl person way role help us year new well abl like just one mani much thing kind "
    "differ import part start end take give go come see say look need tri alwai sure everi find "
    "bit".split()
)

STOP_EN = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into
    is isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only
    or other ought our ours ourselves out over own same shan't she she'd she'll she's should
    shouldn't so some such than that that's the their theirs them themselves then there there's
    these they they'd they'll they're they've this those through to too under until up very was
    wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your
    yours yourself yourselves um umm ummm uh uhh uhhh uhm er err erm ah ahh ahhh hmm hmmm hm mm mmm
    mhm eh ehm yeah yes okay ok oh gonna wanna got really basically actually just like also quite
    now every around""".split()
)

# English terms commonly said (and transcribed) in Hangul -> the Latin spelling.
LOANWORDS_KO = {
    "지라": "jira", "젠킨스": "jenkins", "깃랩": "gitlab", "깃허브": "github", "깃": "git",
    "도커": "docker", "쿠버네티스": "kubernetes", "컨플루언스": "confluence", "키클락": "keycloak",
    "키클록": "keycloak", "자바": "java", "자바스크립트": "javascript", "파이썬": "python",
    "스프링": "spring", "리액트": "react", "엑셀": "excel", "노션": "notion", "구글": "google",
    "아마존": "amazon", "오피스": "office", "클라우드": "cloud", "서버": "server", "데이터": "data",
    "플랫폼": "platform", "포털": "portal", "포탈": "portal", "파이프라인": "pipeline",
    "로그인": "login", "미들웨어": "middleware", "백엔드": "backend", "프론트엔드": "frontend",
    "리소스": "resource", "파싱": "parsing", "버프스위트": "burpsuite", "데이타": "data",
    "클라이언트": "client", "커스터마이징": "customizing", "다큐먼트": "document",
    "도큐먼트": "document", "스크립트": "script", "라이브러리": "library",
    "뉴타닉스": "nutanix", "옵스나우": "opsnow", "리눅스": "linux", "윈도우": "windows",
    "오라클": "oracle", "마이에스큐엘": "mysql", "포스트그레스": "postgres", "레디스": "redis",
    "카프카": "kafka", "테라폼": "terraform", "앤서블": "ansible", "슬랙": "slack",
    "애저": "azure", "애져": "azure", "사스": "saas", "파스": "paas", "이아스": "iaas",
    "디스페이스": "dspace",
}
# Latin spellings of one thing (applied after stemming)
ALIASES_EN = {"postgr": "postgresql", "postgres": "postgresql", "k8s": "kubernet",
              "js": "javascript", "golang": "go"}
# Hangul readings of Latin letters and digits (for acronyms said letter by letter: 씨엠피 = CMP).
LETTER_NAMES = {
    "에이": "a", "비": "b", "씨": "c", "시": "c", "디": "d", "이": "e", "에프": "f", "지": "g",
    "쥐": "g", "에이치": "h", "에치": "h", "아이": "i", "제이": "j", "케이": "k", "엘": "l",
    "엠": "m", "엔": "n", "오": "o", "피": "p", "큐": "q", "알": "r", "아르": "r", "에스": "s",
    "티": "t", "유": "u", "브이": "v", "더블유": "w", "더블류": "w", "엑스": "x", "와이": "y",
    "제트": "z", "지드": "z", "제로": "0", "원": "1", "투": "2", "쓰리": "3", "포": "4",
    "파이브": "5", "식스": "6", "세븐": "7", "에잇": "8", "에이트": "8", "나인": "9",
}
JOSA = ("으로", "에서", "라는", "이라는", "을", "를", "이", "가", "은", "는", "와", "과", "의", "에",
        "로", "도", "만", "랑", "라")

FILLERS_KO_ALWAYS = frozenset("음 어 아 에 흠 엄 으 으음 어어 음음 뭐 약간 뭔가 그러니까 막".split())
FILLERS_KO_CONTEXT = frozenset("그 저 이제".split())
# with the spellings Whisper writes them in ("Umm", "Err", "Hmmm", "Mhm")
FILLERS_EN_ALWAYS = frozenset(
    "um umm ummm uh uhh uhhh uhm er err erm ah ahh ahhh hm hmm hmmm mm mmm mhm eh ehm".split())
FILLERS_EN_PHRASES = (("you", "know"), ("i", "mean"))


@dataclass(frozen=True)
class Unit:
    """One content unit of a text.

    ``key`` is compared exactly; ``alt`` is a second exact key (an acronym read from Hangul letter
    names); ``fuzzy`` is the form compared with rapidfuzz ("" = exact matches only).
    ``start``/``end`` are character offsets in the analysed text.
    """

    key: str
    start: int
    end: int
    weight: float
    fuzzy: str = ""
    alt: str = ""
    kind: str = "word"  # word | name | number | verb | counter | generic


# --- English --------------------------------------------------------------------------------------
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


def number_key(value: float) -> str:
    """Canonical key of a number: ``61000000``, ``13.3``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_EN_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z][A-Za-z']*|%")


def _number_unit(value: float, start: int, end: int) -> Unit:
    weight = W_NAME if value >= 10 or not float(value).is_integer() else W_WORD
    return Unit(number_key(value), start, end, weight, kind="number")


def _analyse_en(text: str) -> tuple[Unit, ...]:
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
                units.append(_number_unit(value, start, tokens[j - 1][2]))
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


# --- Korean ---------------------------------------------------------------------------------------
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# vowels merged where speakers (and Whisper) do not distinguish them: ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅚ/ㅞ
_JUNG = "ㅏㅔㅑㅔㅓㅔㅕㅔㅗㅘㅞㅞㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
# final consonants reduced to the seven that are pronounced
_JONG = ["", "ㄱ", "ㄱ", "ㄱ", "ㄴ", "ㄴ", "ㄴ", "ㄷ", "ㄹ", "ㄱ", "ㅁ", "ㄹ", "ㄹ", "ㄹ", "ㅂ", "ㄹ",
         "ㅁ", "ㅂ", "ㅂ", "ㄷ", "ㄷ", "ㅇ", "ㄷ", "ㄷ", "ㄱ", "ㄷ", "ㅂ", "ㄷ"]


def phonetic_ko(text: str) -> str:
    """Hangul decomposed into jamo with homophone vowels and final consonants merged.

    ``계정`` and ``개정`` (a typical ASR confusion) get the same form; other characters pass through.
    """
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588] + _JUNG[(code % 588) // 28] + _JONG[code % 28])
        else:
            out.append(ch.lower())
    return "".join(out)


def is_hangul(text: str) -> bool:
    """True when every character is a Hangul syllable."""
    return bool(text) and all("가" <= c <= "힣" for c in text)


@lru_cache(maxsize=4096)
def letters_from_hangul(word: str) -> str:
    """``씨엠피`` -> ``cmp``, ``이씨투`` -> ``ec2``; "" unless the whole word reads as >= 2 letters."""
    if not is_hangul(word) or len(word) > 12:
        return ""
    # reading[i] = a letter reading of word[i:], built from the end (None = no reading)
    reading: list[str | None] = [None] * len(word) + [""]
    for i in range(len(word) - 1, -1, -1):
        for size in (3, 2, 1):
            piece = word[i : i + size]
            rest = reading[i + size] if i + size <= len(word) else None
            if len(piece) == size and piece in LETTER_NAMES and rest is not None:
                reading[i] = LETTER_NAMES[piece] + rest
                break
    result = reading[0]
    return result if result and len(result) >= 2 and not result.isdigit() else ""


_KO_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6,
              "칠": 7, "팔": 8, "구": 9, "한": 1, "두": 2, "세": 3, "네": 4}
_KO_SMALL = {"십": 10, "백": 100, "천": 1000}
_KO_BIG = {"만": 10**4, "억": 10**8, "조": 10**12}


def ko_number_value(text: str) -> float | None:
    """Value of a Korean/Arabic number: ``6100만`` and ``육천백만`` -> 61000000, ``1만6000`` -> 16000."""
    total, section = 0.0, 0.0
    current: float | None = None
    for m in re.finditer(r"\d[\d,]*(?:\.\d+)?|\S", text.replace(" ", "")):
        piece = m.group()
        if piece[0].isdigit():
            current = float(piece.replace(",", ""))
        elif piece in _KO_DIGITS:
            current = _KO_DIGITS[piece]
        elif piece in _KO_SMALL:
            section += (1 if current is None else current) * _KO_SMALL[piece]
            current = None
        elif piece in _KO_BIG:
            section += current or 0
            total += (section or 1) * _KO_BIG[piece]
            section, current = 0.0, None
        else:
            return None
    return total + section + (current or 0)


_KO_NATIVE = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8,
              "아홉": 9, "열": 10}
_KO_CONTENT = {"NNG", "NNP", "XR", "SH", "SL"}
_KO_VERB = {"VV", "VA"}


@lru_cache(maxsize=1)
def get_kiwi() -> Kiwi:
    """The shared Kiwi analyser (loaded once: about 2 s), taught the loanwords above."""
    from kiwipiepy import Kiwi

    # Without the multi-word dictionary (WikiData proper-noun phrases): a process holding kiwi
    # measured 512 -> 330 MB RSS (peak 521 -> 334), and the Korean eval set (44 cases) scored
    # identically: same agreement (95.4%), per-case scores and kiwi morphemes of every text.
    kiwi = Kiwi(load_multi_dict=False)
    for word in LOANWORDS_KO:
        kiwi.add_user_word(word, "NNP", 0.0)
    return kiwi


class Morph(NamedTuple):
    """One kiwi morpheme with its character span in the analysed text."""

    form: str
    tag: str
    start: int
    len: int


_MORPHS: OrderedDict[str, tuple[Morph, ...]] = OrderedDict()
_MORPHS_MAX = 512
_CHUNK = 160  # characters; kiwi's time grows with the length of one call, and chunks run in parallel


def _chunks_for_kiwi(text: str) -> list[tuple[int, str]]:
    """(offset, piece) cut after sentence ends, else at a space, near ``_CHUNK`` characters."""
    pieces, start = [], 0
    while len(text) - start > _CHUNK:
        window = text[start : start + _CHUNK]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > _CHUNK // 3 else window.rfind(" ")
        if cut <= 0:
            break
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def ko_morphs(*texts: str) -> list[tuple[Morph, ...]]:
    """kiwi's morphemes of each text, cached; texts not seen yet are analysed in one batch, cut
    into short pieces that kiwi's worker threads analyse in parallel."""
    missing = [t for t in dict.fromkeys(texts) if t not in _MORPHS]
    if missing:
        jobs = [(t, offset, piece) for t in missing for offset, piece in _chunks_for_kiwi(t)]
        kiwi = get_kiwi()
        pieces = [piece for _t, _o, piece in jobs]
        results = list(kiwi.tokenize(pieces)) if len(pieces) > 1 and kiwi.num_workers else \
            [kiwi.tokenize(piece) for piece in pieces]
        found: dict[str, list[Morph]] = {t: [] for t in missing}
        for (t, offset, _piece), tokens in zip(jobs, results, strict=True):
            found[t].extend(Morph(k.form, k.tag, k.start + offset, k.len) for k in tokens)
        for t, morphs in found.items():
            _MORPHS[t] = tuple(morphs)
            while len(_MORPHS) > _MORPHS_MAX:
                _MORPHS.popitem(last=False)
    return [_MORPHS[t] for t in texts]


@lru_cache(maxsize=4096)
def _ko_loanword(form: str) -> str:
    if form in LOANWORDS_KO:
        return latin_key(LOANWORDS_KO[form])
    for josa in JOSA:
        if form.endswith(josa) and form[: -len(josa)] in LOANWORDS_KO:
            return latin_key(LOANWORDS_KO[form[: -len(josa)]])
    return ""


def _analyse_ko(text: str) -> tuple[Unit, ...]:
    tokens = ko_morphs(text)[0]
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        tag = tok.tag.split("-")[0]
        start, end = tok.start, tok.start + tok.len
        if tag in ("SN", "NR"):
            j, parts = i, []
            while j < len(tokens) and tokens[j].tag in ("SN", "NR") and (
                j == i or tokens[j].start - (tokens[j - 1].start + tokens[j - 1].len) <= 1
            ):
                parts.append(tokens[j].form)
                j += 1
            value = ko_number_value("".join(parts))
            end = tokens[j - 1].start + tokens[j - 1].len
            if value is not None:
                units.append(_number_unit(value, start, end))
            if j < len(tokens) and (tokens[j].tag == "NNB" or tokens[j].form in ("%", "퍼센트")):
                counter = "percent" if tokens[j].form in ("%", "퍼센트", "프로") else tokens[j].form
                units.append(Unit(counter, tokens[j].start, tokens[j].start + tokens[j].len,
                                  W_COUNTER, kind="counter"))
                j += 1
            i = j
            continue
        if tag == "SL":
            # glue "EC" + "2", "D" + "-" + "space" back together
            j = i + 1
            while j < len(tokens) and tokens[j].start == tokens[j - 1].start + tokens[j - 1].len \
                    and (tokens[j].tag in ("SL", "SN") or tokens[j].form == "-"):
                j += 1
            end = tokens[j - 1].start + tokens[j - 1].len
            raw = text[start:end]
            key = latin_key(raw)
            i = j
            if key:
                units.append(Unit(key, start, end, W_NAME, key if len(key) >= 5 else "", "",
                                  "name"))
            continue
        i += 1
        if tag == "MM" and tok.form in _KO_NATIVE and i < len(tokens) and tokens[i].tag == "NNB":
            units.append(_number_unit(_KO_NATIVE[tok.form], start, end))  # 세 개, 두 번
            continue
        if tag == "NNB" and tok.form in ("퍼센트", "프로"):
            units.append(Unit("percent", start, end, W_COUNTER, kind="counter"))
            continue
        if tag not in _KO_CONTENT and tag not in _KO_VERB:
            continue
        form = tok.form
        loan = _ko_loanword(form)
        if loan:
            units.append(Unit(loan, start, end, W_NAME, loan if len(loan) >= 5 else "", "",
                              "name"))
            continue
        alt = letters_from_hangul(form)
        fuzzy = phonetic_ko(form)
        if form in LIGHT_VERBS_KO and tag in _KO_VERB:
            continue
        if form in GENERIC_KO:
            units.append(Unit(fuzzy, start, end, W_GENERIC, "", alt, "generic"))
        elif tag in _KO_VERB:
            units.append(Unit(fuzzy, start, end, W_VERB, "", alt, "verb"))
        else:
            # the key is the jamo form, so homophone spellings (배스/베스, 계정/개정) are equal
            # acronyms read out (씨엠피) weigh as names; two syllables (이유 = "EU") are too common
            kind = "name" if tag == "NNP" or (alt and len(form) >= 3) else "word"
            units.append(Unit(fuzzy, start, end, W_NAME if kind == "name" else W_WORD,
                              fuzzy if len(fuzzy) >= 6 else "", alt, kind))
    return tuple(units)


def clear_caches() -> None:
    """Forget every analysis (for benchmarks: the next answer is analysed from scratch)."""
    _MORPHS.clear()
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
    return _analyse_ko(text) if language == "ko" else _analyse_en(text)


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
