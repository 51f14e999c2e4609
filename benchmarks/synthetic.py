"""A deterministic synthetic Korean corpus built from the demo corpus vocabulary.

The demo handbook (``jisik.demo.corpus.DEMO_DOCUMENTS``) is split into sentences
and words (eojeol: a word with its particles, e.g. "연차휴가를"). The lexicon is

* every distinct word of the demo text (Korean words with particles, numbers,
  English names such as Slack or VPN), ranked by its frequency there;
* a long tail of new compound nouns made of two demo nouns plus a particle
  ("보안교육을"), as real Korean text coins them all the time;
* number words ("12,000원까지", "15일", "3명이") with random numbers.

Words are drawn with Zipf weights (rank r has weight 1 / (r + 10)); a sentence
is a demo sentence whose words are each replaced by a drawn word with
probability ``REPLACE`` (the sentence-final word, e.g. "있습니다.", is kept), and a
chunk is 300–600 characters of such sentences.

Every lexicon word is analyzed once by jisik's Analyzer, so a chunk's index
terms are the concatenation of its words' terms: a million chunks get their
terms without running Kiwi over them (``term_agreement`` measures how close
that is to analyzing the chunk text). Vectors are unit vectors around a few
thousand random topic centroids, so an HNSW graph sees clustered data as it
would with a real embedder.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jisik.demo.corpus import DEMO_DOCUMENTS
from jisik.text.analyzer import Analyzer

REPLACE = 0.5  # probability that a template word is replaced by a drawn one
COMPOUNDS = 20_000
NUMBER_WORDS = 10_000
CHUNK_CHARS = (300, 600)
CHUNKS_PER_DOC = 8
TOPICS = 4096
DIM = 512
NOISE = 1.0  # norm of the noise added to a topic centroid (cosine to it ~0.7)

_UNITS = ("일", "원", "명", "개", "년", "시간", "건", "회", "층", "번", "%", "GB")
_NUMBER_MAX = {"원": 10_000_000, "%": 100, "GB": 1000, "층": 60, "시간": 200}
_AFTER_UNIT = ("", "까지", "부터", "이상", "이내", "의", "에", "씩", "을", "이", "로")
_QUESTION_ENDINGS = ("", "", "알려 주세요", "어떻게 하나요?", "기준이 궁금합니다", "절차는?")


@dataclass(frozen=True, slots=True)
class SyntheticChunk:
    text: str
    terms: tuple[str, ...]
    heading: str
    title: str
    title_terms: tuple[str, ...]


def _demo_blocks() -> tuple[list[str], list[str], list[str]]:
    """(paragraphs and table rows, titles, headings) of the demo corpus."""
    blocks: list[str] = []
    headings: list[str] = []
    for document in DEMO_DOCUMENTS:
        for section in document.sections:
            headings.append(section.heading)
            for paragraph in section.paragraphs:
                blocks.append(paragraph if isinstance(paragraph, str) else "".join(paragraph))
            if section.table:
                blocks.extend(" ".join(row) for row in section.table.rows)
    return blocks, [d.title for d in DEMO_DOCUMENTS], headings


def _has_batchim(word: str) -> bool:
    code = ord(word[-1]) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def _particle(rng: np.random.Generator, noun: str) -> str:
    batchim = _has_batchim(noun)
    options = (
        ("은", "이", "을", "과", "으로", "의", "에", "도", "")
        if batchim
        else ("는", "가", "를", "와", "로", "의", "에", "도", "")
    )
    return options[rng.integers(len(options))]


class Lexicon:
    """Words with their terms and Zipf weights, and the demo sentence templates."""

    def __init__(self, analyzer: Analyzer, seed: int = 0) -> None:
        rng = np.random.default_rng([seed, 0])
        blocks, titles, headings = _demo_blocks()
        analyzed = analyzer.analyze_many(blocks)
        sentences = [
            block[s.start : s.end].split()
            for block, analysis in zip(blocks, analyzed, strict=True)
            for s in analysis.sentences
        ]
        sentences = [s for s in sentences if len(s) >= 3]
        counts = Counter(word for sentence in sentences for word in sentence)
        # Demo words first by frequency (ties in seeded random order), then the tail.
        tie_break = {w: i for i, w in enumerate(rng.permutation(sorted(counts)))}
        base = sorted(counts, key=lambda w: (-counts[w], tie_break[w]))
        tail = self._compounds(analyzer, rng, blocks) + self._numbers(analyzer, rng)
        tail = [tail[i] for i in rng.permutation(len(tail))]
        words = base + [w for w, _ in tail if w not in counts]
        base_terms = [tuple(a.terms) for a in analyzer.analyze_many(base)]
        tail_terms = dict(tail)
        self.words: list[str] = words
        self.terms: list[tuple[str, ...]] = base_terms + [tail_terms[w] for w in words[len(base) :]]
        self.base_size = len(base)
        weights = 1.0 / (np.arange(len(words)) + 10.0)
        self.cumulative = np.cumsum(weights / weights.sum())
        self.lengths = np.array([len(w) for w in words], dtype=np.int64)
        index = {w: i for i, w in enumerate(words)}
        self.templates = [np.array([index[w] for w in s], dtype=np.int64) for s in sentences]
        self._flat = np.concatenate(self.templates)
        self._sizes = np.array([len(t) for t in self.templates], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(self._sizes)[:-1]])
        # Words a question might use: ones that yield at least one term.
        self.query_words = np.array([i for i, t in enumerate(self.terms) if t], dtype=np.int64)
        # Titles and headings a chunk is filed under, analyzed once as the ingest does.
        pairs = [
            (titles[rng.integers(len(titles))], headings[rng.integers(len(headings))])
            for _ in range(2000)
        ]
        pair_terms = analyzer.analyze_many([f"{t}\n{h}" for t, h in pairs])
        self.sections = [
            (t, h, tuple(a.terms)) for (t, h), a in zip(pairs, pair_terms, strict=True)
        ]

    @staticmethod
    def _compounds(analyzer: Analyzer, rng, blocks: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        nouns = sorted(
            {
                token.form
                for sentence in analyzer.kiwi.tokenize(blocks)
                for token in sentence
                if token.tag in ("NNG", "NNP") and len(token.form) >= 2
            }
        )
        made: dict[str, None] = {}
        while len(made) < COMPOUNDS:
            a, b = rng.integers(len(nouns), size=2)
            if a != b:
                made[nouns[a] + nouns[b]] = None
        words = [c + _particle(rng, c) for c in made]
        analyses = analyzer.analyze_many(words)
        return [(w, tuple(a.terms)) for w, a in zip(words, analyses, strict=True)]

    @staticmethod
    def _numbers(analyzer: Analyzer, rng) -> list[tuple[str, tuple[str, ...]]]:
        """Number words. Each (unit, ending) pattern is analyzed once with a
        placeholder number, which is then swapped for the drawn one."""
        patterns = [(u, a) for u in _UNITS for a in _AFTER_UNIT]
        shown = {u: "12,345" if u == "원" else "12345" for u in _UNITS}
        analyses = analyzer.analyze_many([f"{shown[u]}{u}{a}" for u, a in patterns])
        pattern_terms = {p: tuple(a.terms) for p, a in zip(patterns, analyses, strict=True)}
        out: dict[str, tuple[str, ...]] = {}
        while len(out) < NUMBER_WORDS:
            pattern = patterns[rng.integers(len(patterns))]
            unit, after = pattern
            n = int(np.exp(rng.uniform(0, np.log(_NUMBER_MAX.get(unit, 1000)))))
            text = f"{n:,}" if unit == "원" else str(n)
            terms = tuple(t.replace("12345", str(n)) for t in pattern_terms[pattern])
            out[f"{text}{unit}{after}"] = terms
        return list(out.items())

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cumulative, rng.random(n)), len(self.words) - 1)

    def sentence_tokens(self, rng: np.random.Generator, n: int):
        """Word ids of n sentences (flat) and each sentence's word count."""
        chosen = rng.integers(len(self.templates), size=n)
        sizes = self._sizes[chosen]
        ends = np.cumsum(sizes)
        within = np.arange(ends[-1]) - np.repeat(ends - sizes, sizes)
        tokens = self._flat[np.repeat(self._offsets[chosen], sizes) + within].copy()
        last = within == np.repeat(sizes - 1, sizes)
        replace = (rng.random(len(tokens)) < REPLACE) & ~last
        tokens[replace] = self.draw(rng, int(replace.sum()))
        return tokens, sizes


class SyntheticCorpus:
    """Chunks, documents, queries and vectors, all reproducible from ``seed``."""

    def __init__(self, analyzer: Analyzer, seed: int = 0) -> None:
        self.seed = seed
        self.lexicon = Lexicon(analyzer, seed)
        centroids = np.random.default_rng([seed, 1]).standard_normal((TOPICS, DIM), np.float32)
        self.centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    # --- text -------------------------------------------------------------

    def _sentence_texts(self, rng: np.random.Generator, n: int) -> list[tuple[str, list[int]]]:
        tokens, sizes = self.lexicon.sentence_tokens(rng, n)
        words, flat = self.lexicon.words, tokens.tolist()
        out, start = [], 0
        for size in sizes.tolist():
            ids = flat[start : start + size]
            out.append((" ".join([words[i] for i in ids]), ids))
            start += size
        return out

    def chunks(self, batch: int, count: int) -> list[SyntheticChunk]:
        """Chunks of batch ``batch`` (the same batch always gives the same chunks)."""
        rng = np.random.default_rng([self.seed, 2, batch])
        lex = self.lexicon
        tokens, sizes = lex.sentence_tokens(rng, count * 12)
        lengths = np.add.reduceat(lex.lengths[tokens], np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        lengths = (lengths + sizes).tolist()  # + a space after each word
        targets = rng.integers(*CHUNK_CHARS, size=count).tolist()
        sections = rng.integers(
            len(lex.sections), size=(count + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
        )
        words, terms, flat = lex.words, lex.terms, tokens.tolist()
        out: list[SyntheticChunk] = []
        sentence = start = 0
        for i, target in enumerate(targets):
            end, chars = start, 0
            while chars < target:
                if sentence == len(lengths):
                    raise RuntimeError("ran out of sentences; raise the oversampling")
                chars += lengths[sentence]
                end += int(sizes[sentence])
                sentence += 1
            ids = flat[start:end]
            start = end
            title, heading, title_terms = lex.sections[sections[i // CHUNKS_PER_DOC]]
            out.append(
                SyntheticChunk(
                    text=" ".join([words[j] for j in ids]),
                    terms=tuple(itertools.chain.from_iterable([terms[j] for j in ids])),
                    heading=heading,
                    title=title,
                    title_terms=title_terms,
                )
            )
        return out

    def documents(self, count: int) -> list[tuple[str, str]]:
        """(file name, content) of ``count`` Markdown and plain-text documents."""
        rng = np.random.default_rng([self.seed, 3])
        lex = self.lexicon
        out = []
        for i in range(count):
            title, _, _ = lex.sections[rng.integers(len(lex.sections))]
            parts = [f"# {title} {i + 1}" if i % 2 == 0 else f"{title} {i + 1}"]
            for _ in range(rng.integers(2, 5)):
                heading = lex.sections[rng.integers(len(lex.sections))][1]
                parts.append(f"## {heading}" if i % 2 == 0 else heading)
                for _ in range(rng.integers(1, 4)):
                    n = int(rng.integers(2, 6))
                    parts.append(" ".join(text for text, _ in self._sentence_texts(rng, n)))
            out.append((f"doc-{i:05d}.{'md' if i % 2 == 0 else 'txt'}", "\n\n".join(parts) + "\n"))
        return out

    def queries(self, count: int, stream: int = 0) -> list[str]:
        """Questions of 2–5 words drawn (Zipf) from words that have terms."""
        rng = np.random.default_rng([self.seed, 4, stream])
        lex = self.lexicon
        out = []
        for _ in range(count):
            n = int(rng.integers(2, 6))
            ids = []
            while len(ids) < n:
                word = int(lex.draw(rng, 1)[0])
                if lex.terms[word]:
                    ids.append(word)
            words = [lex.words[i].rstrip(".,") for i in ids]
            ending = _QUESTION_ENDINGS[rng.integers(len(_QUESTION_ENDINGS))]
            out.append(" ".join(words + ([ending] if ending else [])))
        return out

    # --- vectors ----------------------------------------------------------

    def chunk_vectors(self, batch: int, count: int) -> np.ndarray:
        """Unit vectors: a document's chunks share a topic (one in five strays)."""
        rng = np.random.default_rng([self.seed, 5, batch])
        docs = (count + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
        topics = np.repeat(rng.integers(TOPICS, size=docs), CHUNKS_PER_DOC)[:count]
        stray = rng.random(count) < 0.2
        topics[stray] = rng.integers(TOPICS, size=int(stray.sum()))
        return self._around(rng, topics)

    def query_vectors(self, count: int, stream: int = 0) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 6, stream])
        return self._around(rng, rng.integers(TOPICS, size=count))

    def _around(self, rng: np.random.Generator, topics: np.ndarray) -> np.ndarray:
        noise = rng.standard_normal((len(topics), DIM), np.float32) * np.float32(NOISE / DIM**0.5)
        vectors = self.centroids[topics] + noise
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def term_agreement(analyzer: Analyzer, chunks: Sequence[SyntheticChunk]) -> float:
    """Share of terms (as a multiset) the synthetic terms have in common with analyzing the text."""
    common = total = 0
    for chunk, analysis in zip(
        chunks, analyzer.analyze_many([c.text for c in chunks]), strict=True
    ):
        real, synthetic = Counter(analysis.terms), Counter(chunk.terms)
        common += sum((real & synthetic).values())
        total += max(sum(real.values()), sum(synthetic.values()))
    return common / total if total else 1.0
