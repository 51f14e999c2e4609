"""Span-exact scoring of a PII detector on the synthetic set.

A finding is a true positive only when its kind, start and end all equal a gold span's.
Per type: precision counts every finding of that type on positive and negative samples alike;
recall counts gold spans found exactly; F2 weighs recall four times as much as precision,
because a missed identifier leaks while a false alarm only masks a harmless number.
Negative-set precision is the share of negative (PII-free) samples on which the detector
reports nothing at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from benchmarks.piidata.synthetic import Sample

# (kind, start, end) triples for one text
Spans = Iterable[tuple[str, int, int]]


@dataclass(frozen=True, slots=True)
class KindScore:
    kind: str
    gold: int
    found: int
    correct: int
    overlapping: int  # gold spans hit by a same-kind finding that overlaps but is not exact

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    kinds: tuple[KindScore, ...]
    negatives: int
    clean_negatives: int
    negative_false_kinds: tuple[tuple[str, int], ...]  # kind -> findings on negatives

    @property
    def negative_precision(self) -> float:
        return self.clean_negatives / self.negatives if self.negatives else 1.0

    def kind(self, kind: str) -> KindScore:
        return next(k for k in self.kinds if k.kind == kind)


def score(
    detect: Callable[[str], Spans],
    positives: Sequence[Sample],
    negatives: Sequence[Sample],
    kinds: Sequence[str],
) -> Score:
    gold, found, correct, overlapping = Counter(), Counter(), Counter(), Counter()
    for sample in positives:
        findings = set(detect(sample.text))
        for kind, _start, _end in findings:
            found[kind] += 1
        for g in sample.gold:
            gold[g.kind] += 1
            if (g.kind, g.start, g.end) in findings:
                correct[g.kind] += 1
            elif any(k == g.kind and s < g.end and g.start < e for k, s, e in findings):
                overlapping[g.kind] += 1
    clean, false_kinds = 0, Counter()
    for sample in negatives:
        findings = list(detect(sample.text))
        clean += not findings
        for kind, _start, _end in findings:
            found[kind] += 1
            false_kinds[kind] += 1
    per_kind = tuple(KindScore(k, gold[k], found[k], correct[k], overlapping[k]) for k in kinds)
    return Score(per_kind, len(negatives), clean, tuple(sorted(false_kinds.items())))
