"""Data-subject rights: find a person everywhere, erase them, prove it.

``find`` reports every place a person's identifiers appear (``locate``), showing the
titles and sources only of documents the caller may read. ``erase`` removes or redacts
them everywhere — physically: the index is rewritten without deleted entries, the
database is vacuumed and its log emptied, leftover originals and staged uploads are
removed — under the home's write lock, so no upload can slip in between; then it probes
every store again with the same normaliser and writes a receipt signed with the home's
key. Nothing depends on who the person is or where they live: there is no country gate.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jisik.audit.actors import new_trace_id
from jisik.errors import ConflictError
from jisik.privacy import homefiles
from jisik.privacy.context import ErasureContext
from jisik.privacy.locate import Found, locate
from jisik.privacy.receipts import (
    IDENTIFIER_HASH,
    RECEIPT_VERSION,
    check_signature,
    identifier_hashes,
    key_id,
    matches,
    sign,
)
from jisik.privacy.subject import Subject

REDACTED = "[삭제됨]"
KEPT_BASIS = (
    "access-control and administration records kept as a legal obligation "
    "(PIPA 안전성 확보조치 기준 제8조: access records kept at least one year; "
    "GDPR art. 17(3)(b))"
)
DEFAULT_BASIS = "data subject's request: GDPR art. 17, PIPA art. 36"


@dataclass(frozen=True, slots=True)
class Erasure:
    receipt: dict  # signed
    path: Path  # where it was saved, under <home>/receipts/


def find(context: ErasureContext, subject: Subject, readers: frozenset[str] | None) -> dict:
    """Where the person appears (JSON-ready). Titles, sources and file paths are shown
    only to callers who may read them (``readers`` None: everything)."""
    found = locate(context, subject)
    ids = {d["doc_id"] for d in found.documents}
    readable = ids if readers is None else context.records.readable(ids, readers)
    documents = []
    for d in found.documents:
        shown = {"doc_id": d["doc_id"], "occurrences": d["occurrences"]}
        if d["doc_id"] in readable:
            source = d["source"] if readers is None else d["display_source"]
            shown.update(title=d["title"], source=source, readable=True)
        else:
            shown["readable"] = False
        documents.append(shown)
    return {
        **found.counts(),
        "documents": documents,
        "lexical_terms": list(found.lexical_terms) if readers is None else len(found.lexical_terms),
        "audit_events": [e.seq for e in found.content_events],
        "audit_events_as_actor": [e.seq for e in found.actor_events],
        "exports": list(found.exports),
        "home_files": dict(found.home.files) if readers is None else len(found.home.files),
        "subject_is_user": found.subject_is_user,
    }


def document_ids(context: ErasureContext, subject: Subject) -> list[str]:
    """The documents an erasure of ``subject`` would touch."""
    return sorted({d["doc_id"] for d in locate(context, subject).documents})


def erase(
    context: ErasureContext,
    subject: Subject,
    actor: str,
    basis: str = DEFAULT_BASIS,
    remove_documents: bool = False,
    progress=None,
    confirm_documents: Collection[str] | None = None,
) -> Erasure:
    """Remove or redact the subject everywhere, physically; return the signed receipt.

    With ``remove_documents``, ``confirm_documents`` (when given) must list exactly the
    documents that would be removed: whole documents are deleted only as confirmed.
    """
    with context.layout.write_lock():
        before = locate(context, subject)
        doomed = sorted({d["doc_id"] for d in before.documents})
        confirmed = None if confirm_documents is None else sorted(set(confirm_documents))
        if remove_documents and confirmed is not None and confirmed != doomed:
            raise ConflictError(
                "the documents to remove are not the ones confirmed; these would be "
                f"removed: {', '.join(doomed) or 'none'} — find again and confirm them"
            )
        removed = _erase_records(context, subject, actor, before, remove_documents)
        context.rewrite_index(progress)
        context.compact()
        # Originals of the versions just purged went with them; what is left to clean
        # was there before: orphans, stale staging, files naming the person.
        removed["home"] = homefiles.clean(context.layout, before.home)
        after = locate(context, subject)
        receipt = _receipt(context, subject, actor, basis, before, after, removed)
    signed = sign(receipt, context.secrets.signing_key())
    path = _receipts_dir(context) / f"{receipt['receipt_id']}.json"
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(signed, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, path)
    return Erasure(signed, path)


def _erase_records(
    context: ErasureContext, subject: Subject, actor: str, before: Found, remove_documents: bool
) -> dict:
    redacted_docs, removed_docs = [], []
    for document in before.documents:
        if remove_documents:
            context.remove(document["doc_id"], actor=actor)
            removed_docs.append(
                {"doc_id": document["doc_id"], "occurrences": document["occurrences"]}
            )
        else:
            count = context.rewrite_text(
                document["doc_id"], lambda text: subject.redact(text, REDACTED), actor=actor
            )
            redacted_docs.append({"doc_id": document["doc_id"], "replacements": count})
    events = before.content_events
    return {
        "documents_redacted": redacted_docs,
        "documents_removed": removed_docs,
        "old_versions_purged": len(before.versions) - len(before.documents),
        "chunks": len(before.chunks),
        "lexical_entries": before.lexical_entries,
        "vector_entries": before.vector_entries,
        "audit_events_redacted": context.audit.redact([e.seq for e in events], "erasure"),
        "answer_hashes_forgotten": context.answers.forget(e.trace_id for e in events if e.trace_id),
        "job_record_replacements": context.jobs.redact(
            lambda text: subject.redact(text, REDACTED)
        ),
        "conversation_replacements": context.conversations.redact(
            lambda text: subject.redact(text, REDACTED)
        ),
        "feedback_replacements": context.feedback.redact(
            lambda text: subject.redact(text, REDACTED)
        ),
        "export_lines_removed": _clean_exports(subject, before.exports),
    }


def _receipt(
    context: ErasureContext, subject: Subject, actor: str, basis: str, before: Found, after: Found, removed
) -> dict:
    receipt_id = new_trace_id()
    return {
        "receipt": "jisik erasure receipt",
        "version": RECEIPT_VERSION,
        "receipt_id": receipt_id,
        "issued_at": _now(),
        "home": str(context.layout.root),
        "request": {
            "identifiers": identifier_hashes(
                subject, context.secrets.identifier_key(), receipt_id
            ),
            "identifier_hash": IDENTIFIER_HASH,
            "basis": basis,
            "requested_by": actor,
        },
        "removed": removed,
        "physical": {
            "index_rewritten_without_deleted_entries": True,
            "database_vacuumed_and_log_emptied": True,
            "home_files_searched": True,
        },
        "kept": [
            {
                "what": "audit events where the person is only the acting user",
                "count": len(after.actor_events),
                "basis": KEPT_BASIS,
            },
            {
                "what": "hash-chain links of redacted audit events (hashes only, no content)",
                "count": removed["audit_events_redacted"],
                "basis": "integrity of the audit trail (EU AI Act art. 12, PIPA art. 29)",
            },
        ],
        "probe_before": before.counts(),
        "probe_after": after.counts(),
    }


def verify(
    receipt: object,
    public_key: Ed25519PublicKey,
    subject: Subject | None = None,
    context: ErasureContext | None = None,
) -> dict:
    """Check the signature against ``public_key`` (the home's, or one an auditor
    exported); with the identifiers and the home, probe every store again."""
    check = check_signature(receipt, public_key)
    result: dict = {
        "signature_valid": check.valid,
        "signature_problem": check.reason,
        "key_id": key_id(public_key),
        "receipt_id": str(receipt.get("receipt_id", "")) if isinstance(receipt, dict) else "",
    }
    if subject is None or context is None:
        result["probed"] = False
        result["ok"] = check.valid
        result["note"] = (
            "pass the identifiers (--name, --phone …) with the home to probe every store again"
        )
        return result
    result["identifiers_match"] = matches(receipt, subject, context.secrets.identifier_key())
    found = locate(context, subject).counts()
    result["probed"] = True
    result["found"] = found
    result["ok"] = check.valid and result["identifiers_match"] and not any(found.values())
    return result


def _clean_exports(subject: Subject, exports) -> list[dict]:
    """Drop the lines naming the subject from exports jisik wrote (rewritten atomically)."""
    cleaned = []
    for export in exports:
        path = Path(export["path"])
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.readlines()
        kept = [line for line in lines if not subject.occurs_in(line)]
        partial = path.with_name(path.name + ".partial")
        partial.write_text("".join(kept), encoding="utf-8")
        os.replace(partial, path)
        cleaned.append({"path": export["path"], "lines": len(lines) - len(kept)})
    return cleaned


def _receipts_dir(context: ErasureContext) -> Path:
    directory = context.layout.root / "receipts"
    directory.mkdir(exist_ok=True)
    return directory


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
