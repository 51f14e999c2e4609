"""Finding a person everywhere a home can hold them, with counts.

Documents (text, title, source name), stored chunks, lexical and vector index entries,
terms left in the index dictionary, audit events (questions, answers, logs), the answer
registry, upload job records, exports written by jisik, and every file under the home
(kept originals, staged uploads, the raw database with its free pages and log). Every
store is searched with the same normaliser (``jisik.privacy.normal``), so the probe after
an erasure can never be weaker than the erasure itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jisik.audit.canonical import canonical_json
from jisik.audit.chain import AuditEvent
from jisik.index.base import Forensics, require
from jisik.privacy import homefiles
from jisik.privacy.context import ErasureContext
from jisik.privacy.subject import Subject
from jisik.store.version_writes import ACTIVE

EXPORT_ACTIONS = ("audit.export", "registry.export", "eval.export")
# Events about who may do what are records the operator must keep (access-control
# logs); where the person appears only as the actor of such events they are kept.
KEPT_ACTIONS_PREFIX = "admin."


@dataclass(frozen=True, slots=True)
class Found:
    """Where a person appears (before or after an erasure)."""

    # {"doc_id", "version_id", "state", "title", "source", "display_source", "occurrences"}
    versions: tuple[dict, ...]
    chunks: tuple[int, ...]
    lexical_entries: int
    vector_entries: int
    lexical_terms: tuple[str, ...]
    content_events: tuple[AuditEvent, ...]
    actor_events: tuple[AuditEvent, ...]
    answer_hashes: int
    job_records: int
    conversation_entries: int  # turns and titles
    feedback_comments: int
    exports: tuple[dict, ...]  # {"path", "lines"}
    home: homefiles.HomeScan
    subject_is_user: bool

    @property
    def documents(self) -> list[dict]:
        return [v for v in self.versions if v["state"] == ACTIVE]

    def counts(self) -> dict[str, int]:
        """The places that must be empty after an erasure (kept actor events excluded)."""
        return {
            "documents": len(self.documents),
            "old_versions": len(self.versions) - len(self.documents),
            "chunks": len(self.chunks),
            "lexical_entries": self.lexical_entries,
            "lexical_terms": len(self.lexical_terms),
            "vector_entries": self.vector_entries,
            "audit_events": len(self.content_events),
            "answer_hashes": self.answer_hashes,
            "job_records": self.job_records,
            "conversation_entries": self.conversation_entries,
            "feedback_comments": self.feedback_comments,
            "exports": sum(e["lines"] for e in self.exports),
            "home_files": len(self.home.files),
            "orphaned_originals": len(self.home.orphaned_originals),
            "stale_staging_folders": len(self.home.stale_staging),
            # A user's own account rows are kept (see erasure.KEPT_BASIS), so for them the
            # raw database file cannot be free of their name.
            "database_file": 0 if self.subject_is_user else self.home.database,
        }


def locate(context: ErasureContext, subject: Subject) -> Found:
    versions = tuple(_versions(context, subject))
    chunk_ids = tuple(sorted(c for c, _ in context.records.chunks_matching(subject.occurs_in)))
    present = require(context.index, Forensics, "probe for a person").entries_present(
        list(chunk_ids)
    )
    content_events, actor_events = _events(context, subject)
    jobs = context.jobs
    return Found(
        versions=versions,
        chunks=chunk_ids,
        lexical_entries=present["lexical"],
        vector_entries=present["dense"],
        lexical_terms=tuple(_terms_present(context, subject)),
        content_events=tuple(content_events),
        actor_events=tuple(actor_events),
        answer_hashes=context.answers.count(e.trace_id for e in content_events if e.trace_id),
        job_records=jobs.count_matching(subject.occurs_in),
        conversation_entries=context.conversations.count_matching(subject.occurs_in),
        feedback_comments=context.feedback.count_matching(subject.occurs_in),
        exports=tuple(_exports(context, subject)),
        home=homefiles.scan(
            context.layout, subject, context.records.content_hashes(), jobs.states()
        ),
        subject_is_user=_is_user(context, subject),
    )


def _versions(context: ErasureContext, subject: Subject):
    for version_id, doc_id, state, title, source, text, shown in context.records.versions_matching(
        subject.occurs_in
    ):
        yield {
            "doc_id": doc_id,
            "version_id": version_id,
            "state": state,
            "title": title,
            "source": source,
            "display_source": shown,
            "occurrences": len(subject.spans(text))
            + len(subject.spans(title))
            + len(subject.spans(source)),
        }


def _events(context: ErasureContext, subject: Subject) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """Events whose content names the subject, and events naming them only as actor."""
    content, actor_only = [], []
    for event in context.audit.events():
        if event.redacted:
            continue
        payload = {k: v for k, v in event.payload.items() if k != "actor"}
        in_payload = subject.occurs_in(canonical_json(payload))
        if in_payload and not event.action.startswith(KEPT_ACTIONS_PREFIX):
            content.append(event)
        elif in_payload or subject.occurs_in(event.actor):
            actor_only.append(event)
    return content, actor_only


def _terms_present(context: ErasureContext, subject: Subject) -> list[str]:
    """Index terms that are the subject's identifiers themselves (whole-name terms,
    whole numbers): present in the dictionary means some entry, maybe a deleted one,
    still holds them."""
    present = []
    for identifier in subject.identifiers:
        for value in {identifier.value, identifier.normal}:
            for term in context.query_terms(value):
                specific = term == identifier.normal or (
                    identifier.kind == "name" and term.lower() == identifier.normal
                )
                if specific and require(
                    context.index, Forensics, "probe for a person"
                ).term_present(term):
                    present.append(term)
    return sorted(set(present))


def _exports(context: ErasureContext, subject: Subject):
    paths = {
        e.payload.get("out") for e in context.audit.events(actions=EXPORT_ACTIONS) if not e.redacted
    }
    for out in sorted(p for p in paths if p):
        path = Path(out)
        if not path.is_file():
            continue
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = sum(1 for line in handle if subject.occurs_in(line))
        if lines:
            yield {"path": out, "lines": lines}


def _is_user(context: ErasureContext, subject: Subject) -> bool:
    names = {u.name.lower() for u in context.identity.users()}
    return any(i.normal in names for i in subject.identifiers if i.kind in ("name", "value"))
