"""Applying a PII policy to a text: mask, pseudonymize or block what the detector finds."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from dataclasses import dataclass, field

from jisik.privacy.detect import Finding, PiiDetector
from jisik.privacy.policy import ALLOW, BLOCK, MASK, PSEUDONYMIZE, PiiPolicy

LABELS = {
    "rrn": "주민등록번호",
    "frn": "외국인등록번호",
    "phone": "전화번호",
    "email": "이메일",
    "card": "카드번호",
    "account": "계좌번호",
    "business_reg": "사업자등록번호",
    "corp_reg": "법인등록번호",
    "passport": "여권번호",
    "driver_license": "운전면허번호",
    "health_insurance": "건강보험번호",
    "ip": "IP주소",
    "address": "주소",
}
_NOT_DIGIT = re.compile(r"[^0-9A-Za-z@.]")


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    found: Counter = field(default_factory=Counter)  # kind -> findings
    actions: dict = field(default_factory=dict)  # kind -> action taken
    blocked: tuple[str, ...] = ()  # kinds the policy blocks that were found

    def summary(self) -> dict[str, dict]:
        return {k: {"found": n, "action": self.actions[k]} for k, n in sorted(self.found.items())}

    @property
    def changed(self) -> bool:
        return any(a in (MASK, PSEUDONYMIZE) for a in self.actions.values())


class Redactor:
    def __init__(self, detector: PiiDetector, pseudonym_key: bytes) -> None:
        self.detector = detector
        self.key = pseudonym_key

    def apply(self, text: str, policy: PiiPolicy) -> Redaction:
        findings = self.detector.detect(text)
        if not findings:
            return Redaction(text)
        found: Counter = Counter(f.kind for f in findings)
        actions = {kind: policy.action(kind) for kind in found}
        blocked = tuple(sorted(k for k, a in actions.items() if a == BLOCK))
        pieces, last = [], 0
        for finding in findings:
            action = actions[finding.kind]
            if action in (ALLOW, BLOCK):
                continue
            pieces.append(text[last : finding.start])
            pieces.append(self.replacement(finding, action))
            last = finding.end
        pieces.append(text[last:])
        return Redaction("".join(pieces), found, actions, blocked)

    def replacement(self, finding: Finding, action: str) -> str:
        label = LABELS[finding.kind]
        if action == MASK:
            return f"[{label}]"
        return f"[{label}-{self.pseudonym(finding.kind, finding.text)}]"

    def pseudonym(self, kind: str, value: str) -> str:
        """The same value always gets the same pseudonym in this home (keyed HMAC),
        so documents stay linkable without the value; it cannot be reversed without
        the key."""
        normal = _NOT_DIGIT.sub("", value).lower()
        digest = hmac.new(self.key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()
        return digest[:10]


def preview(value: str) -> str:
    """A value shown in reports without revealing it: the first few characters only."""
    keep = max(1, min(4, len(value) // 3))
    return value[:keep] + "•" * (len(value) - keep)
