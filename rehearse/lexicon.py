"""The scorer's word lists and weights (Korean, English), and the content unit they weigh.

Which words are generic in an interview answer, which English words are stop words, how English
terms are said in Hangul (``젠킨스`` = Jenkins), how Latin letters are read (``씨엠피`` = CMP), and
the weight each kind of unit carries in a key point. :mod:`rehearse.text_en` and
:mod:`rehearse.text_ko` turn text into :class:`Unit` s with these; :mod:`rehearse.textnorm` is the
entry point.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    now every around never nothing none nobody nowhere neither without""".split()
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
    "클라이언트": "client", "커스터마이징": "customizing", "다큐먼트": "document", "배치": "batch",
    "도큐먼트": "document", "스크립트": "script", "라이브러리": "library",
    "뉴타닉스": "nutanix", "옵스나우": "opsnow", "리눅스": "linux", "윈도우": "windows",
    "오라클": "oracle", "마이에스큐엘": "mysql", "포스트그레스": "postgres", "레디스": "redis",
    "카프카": "kafka", "테라폼": "terraform", "앤서블": "ansible", "슬랙": "slack",
    "애저": "azure", "애져": "azure", "사스": "saas", "파스": "paas", "이아스": "iaas",
    "디스페이스": "dspace",
}
# ... of which these are common nouns of the trade, not names of a product or company: saying
# 서버 where the point says 백엔드 is another word, not another tool
LOAN_TERMS_KO = frozenset(
    "클라우드 서버 데이터 데이타 플랫폼 포털 포탈 파이프라인 로그인 미들웨어 백엔드 프론트엔드 리소스 파싱 "
    "클라이언트 커스터마이징 다큐먼트 도큐먼트 스크립트 라이브러리".split())
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


def number_key(value: float) -> str:
    """Canonical key of a number: ``61000000``, ``13.3``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def number_unit(value: float, start: int, end: int) -> Unit:
    """The unit of a number: multi-digit and decimal numbers weigh as names."""
    weight = W_NAME if value >= 10 or not float(value).is_integer() else W_WORD
    return Unit(number_key(value), start, end, weight, kind="number")
