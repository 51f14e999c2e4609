"""Exactly what finding and erasing a person works on — nothing more of the facade.

Erasure must reach every store that can hold a person's data, and a reviewer must be
able to see that it does: the list is here, in one record, instead of spread over a
dozen attributes of the service object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jisik.audit.chain import AuditLog
from jisik.audit.registry import AnswerRegistry
from jisik.home import HomeLayout
from jisik.identity.store import IdentityStore
from jisik.index.base import Index
from jisik.keys import HomeSecrets
from jisik.store.conversations import ConversationStore
from jisik.store.feedback import FeedbackStore
from jisik.store.jobs import JobStore
from jisik.store.records import Records

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class ErasureContext:
    # Where a person can be found, and the probes that look.
    records: Records  # versions and chunks by content, content hashes, readability
    index: Index  # forensics: entries still present, terms still in the dictionary
    query_terms: Callable[[str], list[str]]  # how the index spells an identifier
    audit: AuditLog  # events naming the person; redacted in place, chain kept
    answers: AnswerRegistry  # hashes of answers given from their documents
    jobs: JobStore  # upload job records
    conversations: ConversationStore  # every user's questions and answers, kept
    feedback: FeedbackStore  # comments on answers
    identity: IdentityStore  # whether the person is a user
    layout: HomeLayout  # home files, receipts, the write lock
    secrets: HomeSecrets  # the receipt's signing key and the identifier key
    # The writes erasure needs, each one the service's own, crash-safe path.
    rewrite_text: Callable[..., int]  # (doc_id, transform, actor) -> replacements
    remove: Callable[..., object]  # (doc_id, actor)
    rewrite_index: Callable[[Progress | None], None]  # nothing deleted left on disk
    compact: Callable[[], None]  # the physical store: VACUUM and WAL truncation on SQLite
