"""A follow-up question, rewritten as one that stands alone, before retrieval.

"그럼 휴관일은?" after "서울시립도서관의 운영 시간은?" must search for the library's
closing days: retrieval sees one question, not a conversation. With a language model the
model rewrites it (it sees the recent turns); without one, or when the model fails or
answers with something that is not a question, the previous question's subject is
carried over by rule: the demonstrative is replaced by it ("그건" -> "연차 휴가는"), or it
is put in front. A question that names its own subject is left as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from jisik.llm.base import GenerationParams, Generator, GeneratorError, Message, generate
from jisik.text.analyzer import Analyzer

log = logging.getLogger(__name__)

MODEL, SUBJECT, NONE = "model", "subject", "none"  # how a question was made standalone
MAX_REWRITE_CHARS = 400
HISTORY_TURNS = 6  # recent messages the model sees
ANSWER_PREVIEW_CHARS = 300

# Words that open a follow-up: "then", "and", "what about".
_KO_OPENERS = ("그럼", "그러면", "그리고", "그런데", "근데", "그래서", "또", "그렇다면", "아니면")
_EN_OPENERS = re.compile(
    r"^\s*(and|also|so|then|but|or|what about|how about|and what about)\b[\s,]*", re.I
)
_KO_DEMONSTRATIVE_NOUNS = frozenset(
    "그거 그것 이거 이것 저거 저것 거기 여기 저기 그곳 이곳 저곳 그분 그쪽 그때 그건 그게".split()
)
_KO_DEMONSTRATIVE_DETERMINERS = frozenset({"그", "이", "저", "해당"})
_EN_PRONOUNS = re.compile(r"\b(it|its|they|them|their|that|this|there|those|these)\b", re.I)
_EN_STOP = frozenset(
    "what which who whom whose when where why how is are was were do does did can could "
    "should would will the a an of for to in on at by about with and or tell me please "
    "i we you my our your it its".split()
)
_NOUN_TAGS = ("NNG", "NNP", "SL", "SN", "SH", "XPN", "XSN", "NR")
_REWRITE_PROMPT = (
    "다음 대화의 마지막 질문을 앞선 대화 없이도 이해되는 하나의 독립된 질문으로 다시 "
    "쓰세요. 질문의 언어를 유지하고, 질문만 한 줄로 출력하세요. 답하지 마세요.\n"
    "Rewrite the conversation's last question as one standalone question that can be "
    "understood without the conversation. Keep its language. Output only the question, on "
    "one line. Do not answer it."
)


@dataclass(frozen=True, slots=True)
class Standalone:
    question: str  # what retrieval and the answer use
    asked: str  # what the person typed
    method: str  # MODEL, SUBJECT or NONE

    @property
    def rewritten(self) -> bool:
        return self.question != self.asked


@dataclass(frozen=True, slots=True)
class PastTurn:
    question: str  # as it was understood (standalone)
    answer: str = ""


def standalone_question(
    asked: str,
    history: Sequence[PastTurn],
    analyzer: Analyzer,
    generator: Generator | None = None,
) -> Standalone:
    """``asked`` as a question that stands alone, given the earlier turns (oldest first)."""
    asked = asked.strip()
    if not history:
        return Standalone(asked, asked, NONE)
    if generator is not None:
        rewritten = _by_model(asked, history, generator)
        if rewritten is not None:
            return Standalone(rewritten, asked, MODEL if rewritten != asked else NONE)
    rewritten = carry_subject(asked, history[-1].question, analyzer)
    return Standalone(rewritten, asked, SUBJECT if rewritten != asked else NONE)


def carry_subject(asked: str, previous: str, analyzer: Analyzer) -> str:
    """The rule without a model: the previous question's subject carried into ``asked``
    when ``asked`` refers back to it or names no subject of its own."""
    if _is_english(asked):
        return _carry_english(asked, previous)
    tokens = analyzer.kiwi.tokenize(asked)
    subject = _korean_subject(previous, analyzer)
    if not subject or subject in asked:
        return asked
    for position, token in enumerate(tokens):
        if token.tag == "NP" and _surface(asked, token) in _KO_DEMONSTRATIVE_NOUNS:
            return _replace_pronoun(asked, tokens, position, subject)
        if token.tag == "MM" and token.form in _KO_DEMONSTRATIVE_DETERMINERS:
            return _splice(asked, token.start, token.start + token.len, subject)
    opener = next((o for o in _KO_OPENERS if asked.startswith(o)), None)
    nouns = [t for t in tokens if t.tag in ("NNG", "NNP", "SL")]
    if opener is None and (len(nouns) > 1 or any(t.tag == "NNP" for t in tokens)):
        return asked  # a question with its own subject
    rest = asked[len(opener) :].lstrip(" ,") if opener else asked
    return f"{subject} {rest}".strip()


def _korean_subject(previous: str, analyzer: Analyzer) -> str:
    """The leading noun phrase of ``previous``: what it was about ("서울시립도서관의 …"
    -> "서울시립도서관", "연차 휴가는 …" -> "연차 휴가"), as written."""
    run: list = []
    for token in analyzer.kiwi.tokenize(previous):
        if token.tag in _NOUN_TAGS:
            run.append(token)
        elif run:
            break  # the phrase ends at its particle (의, 은/는, 이/가, …)
    if not run:
        return ""
    return previous[run[0].start : run[-1].start + run[-1].len].strip()


def _replace_pronoun(asked: str, tokens, position: int, subject: str) -> str:
    pronoun = tokens[position]
    end = pronoun.start + pronoun.len
    particle = tokens[position + 1] if position + 1 < len(tokens) else None
    if particle is not None and particle.tag.startswith("J") and particle.start < end + 1:
        # "그건" is 그거 + ㄴ in one word: the particle is rewritten for the subject.
        end = max(end, particle.start + particle.len)
        return _splice(asked, pronoun.start, end, subject + _particle(particle.tag, subject))
    return _splice(asked, pronoun.start, end, subject)


def _particle(tag: str, noun: str) -> str:
    closed = _has_final_consonant(noun[-1])
    if tag == "JX":
        return "은" if closed else "는"
    if tag == "JKS":
        return "이" if closed else "가"
    if tag == "JKO":
        return "을" if closed else "를"
    if tag == "JKB":
        return "에"
    return "의" if tag == "JKG" else ""


def _has_final_consonant(char: str) -> bool:
    if "가" <= char <= "힣":
        return (ord(char) - 0xAC00) % 28 != 0
    return False


def _splice(text: str, start: int, end: int, replacement: str) -> str:
    return " ".join((text[:start] + replacement + text[end:]).split())


def _surface(text: str, token) -> str:
    # Kiwi lemmatises ("그건" -> 그거 + ㄴ): the written word decides.
    end = token.start + token.len
    while end < len(text) and not text[end].isspace() and text[end] not in "?.!,":
        end += 1
    return text[token.start : end]


def _is_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) > 0.8 * len(letters)


def _carry_english(asked: str, previous: str) -> str:
    subject = _english_subject(previous)
    if not subject or subject.lower() in asked.lower():
        return asked
    if _EN_PRONOUNS.search(asked):

        def swap(match: re.Match) -> str:
            word = match.group(1).lower()
            return subject + "'s" if word in ("its", "their") else subject

        return _EN_PRONOUNS.sub(swap, asked, count=1)
    opener = _EN_OPENERS.match(asked)
    content = [w for w in re.findall(r"[A-Za-z0-9]+", asked) if w.lower() not in _EN_STOP]
    if opener is None and len(content) > 2:
        return asked
    rest = asked[opener.end() :] if opener else asked
    # "and on weekends?" after a question: that question, narrowed.
    return f"{previous.rstrip(' ?.!')} {rest}".strip()


def _english_subject(previous: str) -> str:
    # "... of the Seoul library?" -> "the Seoul library": what follows the last "of/for/about".
    match = re.search(r"\b(?:of|for|about|at|in)\s+((?:the\s+)?[\w' -]+?)\s*[?.!]*$", previous, re.I)
    if match:
        return match.group(1).strip()
    words = [w for w in re.findall(r"[\w']+", previous) if w.lower() not in _EN_STOP]
    return " ".join(words[:3])


def _by_model(asked: str, history: Sequence[PastTurn], generator: Generator) -> str | None:
    lines: list[str] = []
    for turn in history[-HISTORY_TURNS:]:
        lines.append(f"Q: {turn.question}")
        if turn.answer:
            lines.append(f"A: {' '.join(turn.answer.split())[:ANSWER_PREVIEW_CHARS]}")
    lines.append(f"Q (last): {asked}")
    messages = [Message("system", _REWRITE_PROMPT), Message("user", "\n".join(lines))]
    try:
        text, _ = generate(generator, messages, GenerationParams(max_tokens=120))
    except GeneratorError as exc:
        log.warning("follow-up rewrite by the model failed, using the rule: %s", exc)
        return None
    return _clean_rewrite(text, asked)


def _clean_rewrite(text: str, asked: str) -> str | None:
    """The model's line, or None when it is no usable question (empty, an answer, long)."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = re.sub(r"^(Q \(last\)|Q|질문|Question|Standalone question)\s*[:：]\s*", "", line, flags=re.I)
    line = line.strip(" \"'“”‘’`")
    if not line or len(line) > max(MAX_REWRITE_CHARS, 3 * len(asked)):
        return None
    return line
