"""The one analyzer object used for both indexing and querying.

Sharing it is what keeps the two paths from drifting apart: a document's terms
and a question's terms come from the same normalisation, the same Kiwi model and
the same term rules (``terms.py``), and its ``describe()`` goes into the home's
manifest so an index is never queried with a different analyzer.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jisik.cache import LruCache
from jisik.errors import ConfigError
from jisik.text.terms import token_terms

ANALYZER_RULES_VERSION = 4  # 3: letter-spaced words joined before analysis; 4: and for bigrams


@dataclass(frozen=True, slots=True)
class AnalyzerConfig:
    compounds: bool = True
    # Kiwi threads: 0 lets Kiwi use every core; 1 analyses on the calling thread only
    # (no thread pool, so a process holding the model can be forked); n: n threads.
    workers: int = 0
    user_dictionary: str = ""  # path of extra "word TAG" lines, beside the bundled ones


def _read_words(text: str, origin: str) -> list[tuple[str, str]]:
    words = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isupper():
            raise ConfigError(
                f"{origin}:{number}: expected 'word TAG' (e.g. '내선 NNG'), got {line!r}"
            )
        words.append((normalize(parts[0]), parts[1]))
    return words


def dictionary_words(config: AnalyzerConfig) -> list[tuple[str, str]]:
    bundled = resources.files("jisik.text").joinpath("workplace_words.txt")
    words = _read_words(bundled.read_text(encoding="utf-8"), "workplace_words.txt")
    if config.user_dictionary:
        path = Path(config.user_dictionary).expanduser()
        try:
            words += _read_words(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise ConfigError(f"cannot read user_dictionary {path}: {exc}") from exc
    return words


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A text's sentences (spans into the text) with the terms of each."""

    sentences: tuple[Sentence, ...]

    @property
    def terms(self) -> list[str]:
        return [t for s in self.sentences for t in s.terms]


def normalize(text: str) -> str:
    """The canonical form stored and analyzed: NFC, "\\n" newlines, no NULs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


QUERY_CACHE_SIZE = 4096
PASSAGE_CACHE_SIZE = 2048

# Kiwi's time grows with the square of a line's length when the line is long (one
# line of 79k characters took 9.6 s, of 159k 33 s), so longer lines are analysed in
# windows of at most this many characters. Below it nothing changes: ordinary lines
# analyse exactly as they always did.
MAX_WINDOW_CHARS = 2000
# Where a window may end, best first: after a sentence's final punctuation and the
# space after it, else at any whitespace, else (one long token) anywhere.
_SENTENCE_END = re.compile(r"[.!?。？！…][\"'”’)\]」』]*\s+")
_SPACE = re.compile(r"\s+")


# Forms and notices space out the letters of their keys ("접 수 기 간: 5월 1일",
# "□ 사 업 비 : 금 5천만 원", "사 업 명 | 스마트공장"), and people type words that way
# ("사 내 식 당"). Kiwi reads each letter as a word of its own, so such a run is joined
# before analysis: two or more single Hangul letters one space apart that stand as a
# key (nothing but a bullet or a number before them on the line or in the table cell;
# a colon, a cell border, a wide gap or the line's end after them), or four or more anywhere
# (prose rarely has four one-letter words in a row, and those are particles).
_LETTER_SPACED = re.compile(r"(?<![가-힣])[가-힣](?: [가-힣])+(?![가-힣])")
_KEY_BEFORE = re.compile(r"(?:^|\|)[^\w|]*(?:\d+[.)][^\w|]*)?$")
_KEY_AFTER = re.compile(r"\s*(?:[:：|]|$)|\s{2,}|\t")


def join_letter_spaced(line: str) -> tuple[str, list[int] | None]:
    """``line`` with letter-spaced runs joined, and where each character of the result
    was in ``line`` (None when nothing was joined)."""
    joined: list[str] = []
    where: list[int] = []
    last = 0
    for match in _LETTER_SPACED.finditer(line):
        letters = match.group().count(" ") + 1
        keyed = _KEY_BEFORE.search(line, 0, match.start()) is not None and (
            _KEY_AFTER.match(line, match.end()) is not None
        )
        if letters < 4 and not keyed:
            continue
        joined.append(line[last : match.start()])
        where.extend(range(last, match.start()))
        for i in range(match.start(), match.end(), 2):
            joined.append(line[i])
            where.append(i)
        last = match.end()
    if not where:
        return line, None
    joined.append(line[last:])
    where.extend(range(last, len(line)))
    return "".join(joined), where


def joined_text(text: str) -> str:
    """``text`` with the letter-spaced runs of each line joined (for bigrams)."""
    return "\n".join(join_letter_spaced(line)[0] for line in text.split("\n"))


def windows(line: str, size: int = MAX_WINDOW_CHARS) -> Iterator[tuple[int, int]]:
    """Consecutive ``[start, end)`` spans covering ``line`` exactly, each at most
    ``size`` characters; a line that short is one span. Cuts fall in the second half
    of a window so that no window is needlessly small."""
    start, length = 0, len(line)
    while length - start > size:
        low, high = start + size // 2, start + size
        cut = _last_end(_SENTENCE_END, line, low, high) or _last_end(_SPACE, line, low, high)
        if not cut:
            cut = high
            # never between a letter and its combining mark or joiner
            while cut > low and _joins_previous(line[cut]):
                cut -= 1
        yield start, cut
        start = cut
    if start < length:
        yield start, length


def _last_end(pattern: re.Pattern[str], text: str, low: int, high: int) -> int:
    end = 0
    for match in pattern.finditer(text, low, high):
        end = match.end()
    return end


def _joins_previous(char: str) -> bool:
    return unicodedata.category(char).startswith("M") or char in "\u200c\u200d"


class Analyzer:
    """Kiwi-based morphological analysis. Cheap to build; the model loads on first use."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config or AnalyzerConfig()
        self._kiwi = None
        self._lock = threading.Lock()
        # A question is analysed by retrieval, rescoring and the answerer: once is enough.
        self._query_cache: LruCache[str, tuple[str, ...]] = LruCache(QUERY_CACHE_SIZE)
        # The answerer analyses the passages it is given; popular ones come back.
        self._passage_cache: LruCache[str, AnalyzedText] = LruCache(PASSAGE_CACHE_SIZE)
        self._names_cache: LruCache[str, frozenset[str]] = LruCache(4 * PASSAGE_CACHE_SIZE)

    def describe(self) -> dict:
        """What the manifest records; a change here requires a reindex."""
        import kiwipiepy

        words = "\n".join(f"{w} {t}" for w, t in dictionary_words(self.config))
        return {
            "name": "kiwi",
            "kiwi_version": kiwipiepy.__version__.rsplit(".", 1)[0],
            "rules_version": ANALYZER_RULES_VERSION,
            "compounds": self.config.compounds,
            "dictionary": hashlib.sha256(words.encode("utf-8")).hexdigest()[:12],
        }

    @property
    def kiwi(self):
        if self._kiwi is None:
            with self._lock:
                if self._kiwi is None:
                    from kiwipiepy import Kiwi

                    threads = {0: -1, 1: 0}.get(self.config.workers, self.config.workers)
                    with warnings.catch_warnings():
                        # kiwipiepy warns that 0 changed meaning in 0.21; 0 is what we mean
                        warnings.simplefilter("ignore", DeprecationWarning)
                        kiwi = Kiwi(num_workers=threads)
                    for word, tag in dictionary_words(self.config):
                        kiwi.add_user_word(word, tag, 0)
                    self._kiwi = kiwi
        return self._kiwi

    def analyze(self, text: str) -> AnalyzedText:
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Sequence[str]) -> list[AnalyzedText]:
        """Analyze many texts in one Kiwi batch (uses all its worker threads).

        Lines are analyzed separately because Kiwi would join table rows and list
        items into one sentence; a newline is always a sentence boundary here, and
        so is the edge of a window of a very long line (``windows``).
        """
        # (text index, offset, line or window as analysed, its characters' places)
        lines: list[tuple[int, int, str, list[int] | None]] = []
        for index, text in enumerate(texts):
            offset = 0
            for line in text.split("\n"):
                if line.strip():
                    for start, end in windows(line):
                        piece = line[start:end]
                        if piece.strip():
                            lines.append((index, offset + start, *join_letter_spaced(piece)))
                offset += len(line) + 1
        sentences: list[list[Sentence]] = [[] for _ in texts]
        if lines:
            kiwi = self.kiwi
            if self.config.workers == 1 or len(lines) == 1:
                # One text at a time, on this thread: a single question handed to Kiwi's
                # pool waits for a pool thread (27 ms p95 on a busy machine, 0.8 direct).
                results = [kiwi.tokenize(line, split_sents=True) for _, _, line, _ in lines]
            else:
                results = kiwi.tokenize((line for _, _, line, _ in lines), split_sents=True)
            for (index, offset, line, where), found in zip(lines, results, strict=True):
                sentences[index].extend(self._sentences(found, offset, len(line), where))
        return [AnalyzedText(tuple(s)) for s in sentences]

    def _sentences(
        self, kiwi_sentences, offset: int, line_length: int, where: list[int] | None
    ) -> list[Sentence]:
        """Sentences with their spans in the stored text. Token offsets stay in the
        analysed line (terms need adjacency as Kiwi saw it); spans go back through
        ``where`` when letters were joined."""
        out: list[Sentence] = []
        compounds = self.config.compounds
        for tokens in kiwi_sentences:
            if not tokens:
                continue
            start = offset + tokens[0].start
            end = offset + max(min(t.start + t.len, line_length) for t in tokens)
            if where is not None:
                start, end = offset + where[start - offset], offset + where[end - offset - 1] + 1
            out.append(
                Sentence(start, end, tuple(token_terms(tokens, line_length, compounds=compounds)))
            )
        return out

    def query_terms(self, text: str) -> list[str]:
        """Terms of a query, exactly as a document containing it would be indexed."""
        terms = self._query_cache.get(text)
        if terms is None:
            terms = tuple(self.analyze(normalize(text)).terms)
            self._query_cache.put(text, terms)
        return list(terms)

    def remember_query_terms(self, text: str, terms: Sequence[str]) -> None:
        """Record what ``query_terms(text)`` returns, computed elsewhere by an analyzer
        of the same configuration (an ingest worker), so it is not computed again."""
        self._query_cache.put(text, tuple(terms))

    def analyze_passages(self, texts: Sequence[str]) -> list[AnalyzedText]:
        """``analyze_many``, remembering the last few thousand texts."""
        return self._passage_cache.get_many(list(texts), self.analyze_many)

    def proper_nouns(self, texts: Sequence[str]) -> list[frozenset[str]]:
        """The proper nouns (NNP) of each text, lower-cased; remembered like passages."""

        def tag(missing: list[str]) -> list[frozenset[str]]:
            tokenized = (
                [self.kiwi.tokenize(missing[0])]
                if len(missing) == 1
                else self.kiwi.tokenize(missing)
            )
            return [frozenset(t.form.lower() for t in ts if t.tag == "NNP") for ts in tokenized]

        return self._names_cache.get_many(list(texts), tag)

    def forget(self) -> None:
        """Drop every remembered question and passage (after an erasure)."""
        self._query_cache.clear()
        self._passage_cache.clear()
        self._names_cache.clear()


_shared: dict[AnalyzerConfig, Analyzer] = {}
_shared_lock = threading.Lock()


def shared_analyzer(config: AnalyzerConfig | None = None) -> Analyzer:
    """One Analyzer per configuration per process (the Kiwi model is ~100 MB)."""
    config = config or AnalyzerConfig()
    with _shared_lock:
        if config not in _shared:
            _shared[config] = Analyzer(config)
        return _shared[config]
