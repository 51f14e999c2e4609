"""Where the PII policies meet the data: documents at ingest, answers at output."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from jisik.answer.citations import moved_highlight
from jisik.cache import LruCache
from jisik.errors import ParseError
from jisik.keys import HomeSecrets
from jisik.privacy.detect import default_detector
from jisik.privacy.policy import BLOCK, MASK, PiiPolicy, PolicyStore
from jisik.privacy.redact import LABELS, Redactor
from jisik.types import Answer, Hit, Section

SHOWN_CACHE_SIZE = 2048  # passages as one policy shows them
WITHHELD = (
    "답변을 보여 드릴 수 없습니다: 정책상 공개할 수 없는 개인정보({kinds})가 포함되어 있습니다."
)


class BlockedByPolicyError(ParseError):
    """A document holds personal data the PII policy blocks (reported per file)."""


@dataclasses.dataclass(frozen=True, slots=True)
class GuardedDocument:
    title: str
    sections: tuple[Section, ...]
    pii: dict  # kind -> {"found": n, "action": a}


def guard_document(
    redactor: Redactor, policy: PiiPolicy, title: str, sections: Sequence[Section]
) -> GuardedDocument:
    """A document under ``policy``, as it may be stored; raises BlockedByPolicyError.

    Pure (no database): ingest workers run it with the policy and the key the
    parent read, with exactly the result ``PiiGuard.document`` has."""
    found: Counter = Counter()
    actions: dict[str, str] = {}
    guarded = []
    for section in sections:
        text = redactor.apply(section.text, policy)
        heading = redactor.apply(section.heading, policy)
        for part in (text, heading):
            found.update(part.found)
            actions.update(part.actions)
        guarded.append(Section(text.text, section.location, heading.text))
    title_part = redactor.apply(title, policy)
    found.update(title_part.found)
    actions.update(title_part.actions)
    blocked = sorted(k for k, a in actions.items() if a == BLOCK)
    if blocked:
        names = ", ".join(LABELS[k] for k in blocked)
        raise BlockedByPolicyError(
            f"contains {names}, which the PII policy blocks; remove it from the file or "
            "change the policy (`jisik pii policy`)"
        )
    summary = {k: {"found": n, "action": actions[k]} for k, n in sorted(found.items())}
    return GuardedDocument(title_part.text, tuple(guarded), summary)


class PiiGuard:
    def __init__(self, engine: Engine, secrets_dir: Path) -> None:
        self.policies = PolicyStore(engine)
        self.secrets = HomeSecrets(secrets_dir)
        self._redactor: Redactor | None = None
        self._shown_cache: LruCache[tuple, str] = LruCache(SHOWN_CACHE_SIZE)

    @property
    def redactor(self) -> Redactor:
        if self._redactor is None:
            self._redactor = Redactor(default_detector(), self.secrets.pseudonym_key())
        return self._redactor

    # --- ingest -------------------------------------------------------------

    def document(
        self, title: str, sections: Sequence[Section], groups: Iterable[str]
    ) -> GuardedDocument:
        """The document as it may be stored: what the policy masks is gone."""
        return guard_document(self.redactor, self.policies.for_document(groups), title, sections)

    # --- output -------------------------------------------------------------

    def reader_policy(self, readers: frozenset[str] | None) -> PiiPolicy:
        return self.policies.for_reader(None if readers is None else sorted(readers))

    def hits(self, hits: list[Hit], policy: PiiPolicy) -> list[Hit]:
        if not policy.acting_on():
            return hits
        actions = _passage_actions(policy)
        return [dataclasses.replace(h, text=self._shown(h.text, actions)) for h in hits]

    def text(self, text: str, policy: PiiPolicy) -> str | None:
        """A piece of an answer as this reader may see it; None when it holds a kind the
        policy blocks (the whole answer is then withheld by ``answer``)."""
        if not policy.acting_on():
            return text
        result = self.redactor.apply(text, policy)
        return None if result.blocked else result.text

    def answer(self, answer: Answer, policy: PiiPolicy) -> tuple[Answer, dict]:
        """The answer as this reader may see it, and what was done to it."""
        if not policy.acting_on():
            return answer, {}
        result = self.redactor.apply(answer.text, policy)
        if result.blocked:
            kinds = ", ".join(LABELS[k] for k in result.blocked)
            withheld = dataclasses.replace(
                answer, text=WITHHELD.format(kinds=kinds), abstained=True, citations=()
            )
            return withheld, result.summary()
        citations = []
        actions = _passage_actions(policy)
        for c in answer.citations:
            shown = self._shown(c.text, actions)
            citations.append(
                dataclasses.replace(c, text=shown, highlight=moved_highlight(c, shown))
            )
        shown_answer = dataclasses.replace(answer, text=result.text, citations=tuple(citations))
        return shown_answer, result.summary()

    def _shown(self, text: str, actions: tuple[tuple[str, str], ...]) -> str:
        key = (actions, text)
        shown = self._shown_cache.get(key)
        if shown is None:
            # Passages repeat across questions (the popular ones most), and detection
            # is most of the cost of showing one: keep the last few thousand.
            shown = self.redactor.apply(text, PiiPolicy(dict(actions))).text
            self._shown_cache.put(key, shown)
        return shown

    def forget(self) -> None:
        """Drop the passages kept as shown (after an erasure)."""
        self._shown_cache.clear()


def _passage_actions(policy: PiiPolicy) -> tuple[tuple[str, str], ...]:
    """The policy for passages, as a cache key: a blocked value is masked rather than
    the passage dropped (dropping would change what k results mean)."""
    return tuple(sorted((k, MASK if a == BLOCK else a) for k, a in policy.actions.items()))
