"""Korean PII detection with exact character spans.

Rule based (see jisik.privacy.rules): a shape per type, then check digits, real birth dates,
card issuer prefixes and, for the types whose shape alone is ambiguous (accounts, passports,
health-insurance and corporate numbers), context words before the number.

Why our own rules and not the ko-pii library (MIT, 1.22.15), which we measured first on the
same synthetic set (benchmarks/pii.py --compare-ko-pii): its public entry point runs all of
its 28 detectors, names included, at 0.2-0.4 MB/s of Korean text (these rules: 4-6 MB/s),
under the 1 MB/s we need at ingest; and on our types it missed corporate registration numbers
after 법인등록번호 (recall 0.43: it calls them resident numbers), health-insurance numbers after
건보 (0.63), addresses with short province names (0.57), Amex-style 4-6-5 cards (0.88) and IPs
followed by a period (0.86), and it flags 1588-style business numbers as phones (negative-set
precision 0.89). Wrapping it would have meant rewriting most of those rules anyway, at a
fraction of the speed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from jisik.errors import ConfigError
from jisik.privacy.normal import fold
from jisik.privacy.rules import RULES, Candidate

PII_TYPES: tuple[str, ...] = (
    "rrn",
    "frn",
    "phone",
    "email",
    "card",
    "account",
    "business_reg",
    "corp_reg",
    "passport",
    "driver_license",
    "health_insurance",
    "ip",
    "address",
)

# Every identifier we detect contains a digit, except an e-mail address, which has an "@".
_MAY_CONTAIN_PII = re.compile(r"[0-9@:]")


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # one of PII_TYPES
    start: int  # character offsets into the text given (Python str indices)
    end: int
    text: str  # == text[start:end]
    confidence: float  # 0..1


class PiiDetector:
    """Finds the chosen PII types; immutable after construction, so safe to share."""

    def __init__(self, kinds: Iterable[str] | None = None) -> None:
        chosen = PII_TYPES if kinds is None else tuple(dict.fromkeys(kinds))
        unknown = [k for k in chosen if k not in PII_TYPES]
        if unknown:
            raise ConfigError(
                f"unknown PII type(s) {', '.join(unknown)}; known: {', '.join(PII_TYPES)}"
            )
        self._kinds = frozenset(chosen)
        # One rule can produce several kinds (registration numbers): run each rule once.
        self._rules = tuple(dict.fromkeys(RULES[k] for k in PII_TYPES if k in self._kinds))

    @property
    def kinds(self) -> frozenset[str]:
        return self._kinds

    def detect(self, text: str) -> list[Finding]:
        """Findings sorted by start, non-overlapping."""
        # The same normaliser as find and erase (one character for one, so offsets hold);
        # findings keep the original characters.
        folded = fold(text)
        if not _MAY_CONTAIN_PII.search(folded):
            return []
        candidates = [c for rule in self._rules for c in rule(folded) if c[0] in self._kinds]
        return [
            Finding(kind, start, end, text[start:end], confidence)
            for kind, start, end, confidence in _resolve_overlaps(candidates)
        ]


def _resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the most confident candidate of each overlapping group, then the longest."""
    candidates.sort(key=lambda c: (-c[3], c[1] - c[2], c[1]))
    starts: list[int] = []  # kept spans, sorted by start; they never overlap each other
    ends: list[int] = []
    kept: list[Candidate] = []
    for c in candidates:
        _, start, end, _ = c
        i = bisect_left(starts, start)
        if (i > 0 and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kept.insert(i, c)
    return kept


@cache
def default_detector() -> PiiDetector:
    """The shared all-types detector (built once; detection keeps no state)."""
    return PiiDetector()
