"""The facade every interface uses: add, remove, search, ask, documents, stats, reindex.

Ingest keeps the records (SQLite) and the index consistent across crashes:

1. a batch of new versions is written as ``pending`` (invisible to search);
2. their chunks are added to the index and the index is committed;
3. the versions are activated in one transaction, retiring older versions;
4. the retired versions' chunks are deleted from the index, then their rows.

Search only returns chunks of active versions, so a crash anywhere leaves the
previous state visible; ``_recover`` finishes or undoes leftovers before the next
write, and the next ``add`` re-ingests what did not make it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Self

from jisik import __version__
from jisik.access import Writer
from jisik.answer.citations import verify_in_hits
from jisik.answer.events import (
    AnswerEvent,
    CitationsEvent,
    DeltaEvent,
    FinalEvent,
    events_of,
    final_answer,
)
from jisik.answer.labels import GENERATED, label
from jisik.audit.actors import local_actor, new_trace_id
from jisik.audit.canonical import canonical_json, sha256_hex
from jisik.audit.chain import AuditLog
from jisik.audit.registry import AnswerRegistry, normalise
from jisik.chat.assistant import Conversations
from jisik.compose import (
    analyzer_for,
    chunking_for,
    database_url,
    embedder_for,
    generative_for,
    generator_for,
    index_for,
    readers_for,
    reranker_for,
)
from jisik.embed.backlog import EmbeddingBacklog
from jisik.embed.base import Embedder
from jisik.errors import (
    ForbiddenError,
    InvalidQueryError,
    JisikError,
    NotFoundError,
)
from jisik.home import (
    LOCK_WAIT_SECONDS,
    SCHEMA_VERSION,
    HomeLayout,
    HomeMissingError,
    check_manifest,
)
from jisik.identity.store import IdentityStore
from jisik.index.base import Index, Rewritable, require
from jisik.index.registry import INDEX_SCHEMA_VERSION, open_index
from jisik.ingest.pipeline import AddOptions, IngestPipeline
from jisik.ingest.prepare import (
    FileFacts,
    document_id,
    prepare_sections,
)
from jisik.ingest.store_writer import StoreWriter, embedding_text, readers_of
from jisik.keys import keyed_hash
from jisik.originals import Originals
from jisik.privacy.context import ErasureContext
from jisik.privacy.guard import PiiGuard
from jisik.privacy.subject import Subject
from jisik.search.pipeline import SearchPipeline
from jisik.settings import Settings
from jisik.store.database import compact, migrate, open_engine
from jisik.store.feedback import FeedbackStore
from jisik.store.jobs import JobStore
from jisik.store.records import Records
from jisik.text.analyzer import Analyzer
from jisik.types import AddReport, Answer, DocumentInfo, Hit, Requester, Section

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
MAX_QUERY_CHARS = 2000
NO_GENERATOR = (
    "생성형 답변에는 언어 모델 설정이 필요합니다 (no language model is configured: set "
    "llm_base_url and llm_model, or JISIK_LLM_BASE_URL and JISIK_LLM_MODEL)"
)


class Jisik:
    """One home, opened once; thread-safe for concurrent reads."""

    def __init__(
        self, settings: Settings, *, create: bool = True, rebuilding: bool = False
    ) -> None:
        """Open (or create) the home. ``rebuilding`` skips the manifest check: only
        ``reindex`` uses it, since rebuilding is the fix for a mismatch."""
        self.settings = settings
        self.layout = HomeLayout(settings.home)
        if not self.layout.exists() and not create:
            raise HomeMissingError(
                f"no jisik home at {settings.home}; add documents first with `jisik add PATH` "
                "or point --home / JISIK_HOME at an existing home"
            )
        self.analyzer: Analyzer = analyzer_for(settings)
        self.embedder: Embedder | None = embedder_for(settings)
        self.chunking = chunking_for(settings)
        self.generator = generator_for(settings)
        self._open_home(create, rebuilding)
        self.records = Records(self.engine)
        self.originals = Originals(self.layout.originals)
        self.audit = AuditLog(self.engine, home=self.layout.root)
        self.guard = PiiGuard(self.engine, self.layout.root / "secrets")
        self.answers = AnswerRegistry(self.engine)
        self.index: Index = index_for(settings, self.layout, self.embedder)
        self._build_readers()
        self.backlog = EmbeddingBacklog(self)
        self.conversations = Conversations(self)

    @property
    def embeds_later(self) -> bool:
        """Whether vectors are made after ingest, by the backlog (a slow embedder)."""
        return self.store_writer.embeds_later

    def embed_backlog(self, progress: Progress | None = None, stop=None) -> int:
        """Embed the chunks still without a vector; the number embedded."""
        return self.backlog.run(progress, stop)

    def load_models(self, mode: str | None = None) -> dict[str, float]:
        """Load what a question needs now rather than on the first one; the seconds
        each part took (``jisik ask --verbose`` shows them)."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        # Kiwi reads much of its model on the first analysis, not when it is built.
        self.analyzer.analyze("연차 휴가는 며칠인가요?")
        timings["analyzer"] = time.perf_counter() - started
        if self.embedder is not None and (mode or self.settings.mode) != "lexical":
            started = time.perf_counter()
            self.retriever.embed_query("jisik")
            timings["embedder"] = time.perf_counter() - started
        return timings

    def embedding_text(self, chunk) -> str:
        return embedding_text(chunk.title, chunk.heading, chunk.text)

    def readers_of_version(self, version_id: int) -> tuple[str, ...]:
        return readers_of(self.records.version_groups(version_id))

    def _build_readers(self) -> None:
        self.retriever, self.answerer = readers_for(
            self.settings, self.analyzer, self.embedder, self.index
        )
        self.pipeline = SearchPipeline(
            self.retriever, self.records, self.index, self.settings, reranker_for(self.settings)
        )
        self.store_writer = StoreWriter(
            self.records,
            self.index,
            self.originals,
            self.analyzer,
            self.embedder,
            self.chunking,
            self.guard,
        )
        self.ingest = IngestPipeline(
            self.settings, self.records, self.guard, self.analyzer, self.chunking, self.store_writer
        )
        # Recorded with every question: built here, once, not on the query path.
        self.generative = (
            generative_for(self.settings, self.generator, self.answerer, self.analyzer)
            if self.generator is not None
            else None
        )
        self._produced_by = {
            "jisik": __version__,
            "analyzer": self.analyzer.describe(),
            "embedder": self.embedder.id if self.embedder else None,
            "answerer": self.answerer.method,
            "generator": self.generator.id if self.generator else None,
            "reranker": self.pipeline.reranker.id if self.pipeline.reranker else None,
        }

    # --- home ---------------------------------------------------------------

    def expected_manifest(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "analyzer": self.analyzer.describe(),
            "embedder": (
                {
                    "name": self.settings.embedder,
                    "id": self.embedder.id,
                    "dim": self.embedder.dim,
                }
                if self.embedder
                else None
            ),
            "index_backend": self.settings.index_backend,
            "index_schema": INDEX_SCHEMA_VERSION,
            "chunking": {
                "target_chars": self.chunking.target_chars,
                "max_chars": self.chunking.max_chars,
                "overlap_sentences": self.chunking.overlap_sentences,
            },
        }

    def _open_home(self, create: bool, rebuilding: bool) -> None:
        expected = self.expected_manifest()
        if self.layout.exists() and not rebuilding:
            check_manifest(self.layout.read_manifest(), expected, self.layout.root)
        elif create:
            self.layout.create()
        self.engine = open_engine(database_url(self.layout))
        migrate(self.engine)
        if not self.layout.exists():
            self.layout.write_manifest({**expected, "created_by": f"jisik {__version__}"})

    def close(self) -> None:
        self.index.close()
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ------------------------------------------------------------

    def add(
        self,
        paths: Iterable[Path],
        groups: Sequence[str] | None = None,
        progress: Progress | None = None,
        sources: Mapping[Path, str] | None = None,
        actor: str | None = None,
        owner: str | None = None,
        licence: str | None = None,
        writer: Writer | None = None,
        keep_originals: bool = False,
        lock_wait_seconds: float = LOCK_WAIT_SECONDS,
        follow_symlinks: bool = False,
        exclude: Sequence[str] = (),
    ) -> AddReport:
        """Ingest files and folders. One bad file never stops the batch.

        ``groups`` are the reader groups (None: keep each document's; empty: everyone).
        ``sources`` records given files under another name than their path (the
        server names uploads by their upload name, not where it staged them).
        ``owner`` and ``licence`` go to the source registry (None: keep).
        ``writer`` is checked when each version is activated (None: unrestricted);
        a file it may not write is reported failed with the reason. ``keep_originals``
        keeps a copy of each file ingested (uploads), under the same lock.
        ``follow_symlinks`` reads links that point outside the folders given (by
        default they are reported and skipped). Each file is read in a worker
        process under the ingest time and memory budget (``ingest.workers``).
        """
        options = AddOptions(_group_set(groups), owner, licence, writer, keep_originals)
        with self.layout.write_lock(lock_wait_seconds):
            report, pii = self.ingest.files(
                paths, options, self.layout, progress, sources, follow_symlinks, exclude
            )
        return self._added(report, options.groups, actor, pii)

    def add_texts(
        self,
        items: Iterable[tuple[str, str, str]],
        groups: Sequence[str] | None = None,
        progress: Progress | None = None,
        actor: str | None = None,
    ) -> AddReport:
        """Ingest documents given as ``(source, title, text)``; same rules as files."""
        options = AddOptions(_group_set(groups))
        with self.layout.write_lock():
            report, pii = self.ingest.texts(items, options, progress)
        return self._added(report, options.groups, actor, pii)

    def _added(self, report: AddReport, groups, actor: str | None, pii: list[dict]) -> AddReport:
        actions: dict[str, dict[str, int]] = {}
        for summary in pii:
            for kind, seen in summary.items():
                per_action = actions.setdefault(kind, {})
                per_action[seen["action"]] = per_action.get(seen["action"], 0) + seen["found"]
        self.audit.append(
            "documents.add",
            actor or local_actor(),
            new_trace_id(),
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=[f.path for f in report.failed],
            groups=None if groups is None else list(groups),
            pii_actions=actions,
        )
        return report

    def set_groups(
        self,
        doc_id: str,
        groups: Sequence[str],
        actor: str | None = None,
        writer: Writer | None = None,
    ) -> DocumentInfo:
        """Change who may read a document (no groups: everyone), if ``writer`` may."""
        with self.layout.write_lock():
            self.store_writer.recover()
            if self.records.document(doc_id) is None:
                raise NotFoundError(f"no document with id '{doc_id}'; see `jisik docs list`")
            refusal = self.store_writer.regroup_checked(doc_id, tuple(sorted(set(groups))), writer)
            if refusal:
                raise ForbiddenError(refusal)
        self.audit.append(
            "documents.groups",
            actor or local_actor(),
            new_trace_id(),
            doc_id=doc_id,
            groups=sorted(set(groups)),
        )
        return self.records.document(doc_id)[0]

    def remove(
        self, doc_id: str, actor: str | None = None, who: Requester | None = None
    ) -> DocumentInfo:
        """Delete a document, if ``who`` (None: unrestricted) may read it; checked under
        the write lock, so a regroup that lands first cannot be deleted through."""
        with self.layout.write_lock():
            self.store_writer.recover()
            self.check_readable(doc_id, who)
            found = self.records.document(doc_id)
            if found is None:
                raise NotFoundError(f"no document with id '{doc_id}'; see `jisik docs list`")
            self.store_writer.purge(self.records.retire_document(doc_id))
        self.audit.append("documents.remove", actor or local_actor(), new_trace_id(), doc_id=doc_id)
        return found[0]

    def rewrite_text(
        self, doc_id: str, transform: Callable[[str], tuple[str, int]], actor: str | None = None
    ) -> int:
        """Write a new version with ``transform`` applied to the title, every section and
        the source name (erasure: redact a person from a document). Returns how many
        replacements were made; the old version and its index entries are purged.

        A changed source name gives the document a new id: it is moved, groups kept.
        """
        with self.layout.write_lock():
            self.store_writer.recover()
            row = self.records.active_version(doc_id)
            if row is None:
                raise NotFoundError(f"no document with id '{doc_id}'; see `jisik docs list`")
            count = 0
            parts = []
            for a, b, location, heading in json.loads(row.sections_json):
                text, n_text = transform(row.text[a:b])
                heading, n_heading = transform(heading)
                count += n_text + n_heading
                parts.append(Section(text, location, heading))
            title, n_title = transform(row.title)
            source, n_source = transform(self.records.source(doc_id))
            count += n_title + n_source
            if not count:
                return 0
            groups = self.records.groups(doc_id)
            content = "\n".join(p.text for p in parts)
            facts = FileFacts(
                source,
                document_id(source),
                sha256_hex(f"{title}\0{content}"),
                len(content.encode("utf-8")),
                row.modified_at,
            )
            prepared = prepare_sections(
                facts, title, row.format, tuple(parts), self.analyzer, self.chunking
            )
            previous = json.loads(row.pii_json) if row.pii_json else None
            self.store_writer.commit([dataclasses.replace(prepared, pii=previous)], groups)
            if facts.doc_id != doc_id:
                self.store_writer.purge(self.records.retire_document(doc_id))
        self.audit.append(
            "documents.rewrite",
            actor or local_actor(),
            new_trace_id(),
            doc_id=doc_id,
            new_doc_id=facts.doc_id,
            replacements=count,
        )
        return count

    def rewrite_index(self, progress: Progress | None = None) -> None:
        """Rewrite the index so that nothing deleted is left on disk (after erasure)."""
        with self.layout.write_lock():
            self.store_writer.recover()
            versions = self.records.active_versions()

            def entries():
                for done, (version_id, title, text, sections) in enumerate(versions, start=1):
                    if progress:
                        progress(done, len(versions), title)
                    yield from self.store_writer.stored_entries(version_id, title, text, sections)

            require(self.index, Rewritable, "rewrite itself without deleted entries").rewrite(
                entries()
            )

    # --- data-subject rights (jisik.privacy.erasure does the work) -----------
    # Every call is audited, with the identifiers as keyed hashes: the trail must not
    # itself become a copy of the person's data.

    def erasure_context(self) -> ErasureContext:
        """What finding and erasing a person works on (``jisik.privacy.context``)."""
        return ErasureContext(
            records=self.records,
            index=self.index,
            query_terms=self.analyzer.query_terms,
            audit=self.audit,
            answers=self.answers,
            jobs=JobStore(self.engine),
            conversations=self.conversations.store,
            feedback=FeedbackStore(self.engine),
            identity=IdentityStore(self.engine, self.audit),
            layout=self.layout,
            secrets=self.guard.secrets,
            rewrite_text=self.rewrite_text,
            remove=self.remove,
            rewrite_index=self.rewrite_index,
            compact=lambda: compact(self.engine),
        )

    def privacy_find(self, subject: Subject, who: Requester | None = None) -> dict:
        """Every place a person's identifiers appear; titles and sources only of the
        documents ``who`` may read."""
        from jisik.privacy import erasure

        who = self._who(who)
        found = erasure.find(self.erasure_context(), subject, who.readers)
        self._audit_privacy("privacy.find", who, subject, counts=_privacy_counts(found))
        return found

    def privacy_document_ids(self, subject: Subject) -> list[str]:
        """The documents an erasure would touch (to confirm a removal)."""
        from jisik.privacy import erasure

        return erasure.document_ids(self.erasure_context(), subject)

    def privacy_erase(
        self,
        subject: Subject,
        actor: str | None = None,
        basis: str | None = None,
        remove_documents: bool = False,
        progress: Progress | None = None,
        confirm_documents: Sequence[str] | None = None,
    ):
        """Erase a person everywhere, physically; returns the signed receipt and its path."""
        from jisik.privacy import erasure

        who = Requester(actor or local_actor(), None, new_trace_id())
        try:
            erased = erasure.erase(
                self.erasure_context(),
                subject,
                who.actor,
                basis or erasure.DEFAULT_BASIS,
                remove_documents,
                progress,
                confirm_documents,
            )
        except JisikError as exc:
            self._audit_privacy(
                "privacy.erase", who, subject, outcome="refused", reason=str(exc)[:300]
            )
            raise
        finally:
            # Questions and passages kept in memory for speed may name the person.
            self.analyzer.forget()
            self.guard.forget()
        receipt = erased.receipt
        self._audit_privacy(
            "privacy.erase",
            who,
            subject,
            outcome="done",
            receipt_id=receipt["receipt_id"],
            receipt_sha256=sha256_hex(canonical_json(receipt)),
            counts=receipt["probe_after"],
            removed=len(receipt["removed"]["documents_redacted"])
            + len(receipt["removed"]["documents_removed"]),
            remove_documents=remove_documents,
        )
        return erased

    def privacy_verify(
        self, receipt: dict, subject: Subject | None = None, who: Requester | None = None
    ) -> dict:
        """Check an erasure receipt against this home's key; with the identifiers,
        probe every store again."""
        from jisik.privacy import erasure

        who = self._who(who)
        result = erasure.verify(
            receipt, self.guard.secrets.public_key(), subject, self.erasure_context()
        )
        self._audit_privacy(
            "privacy.verify",
            who,
            subject,
            receipt_id=result["receipt_id"][:64],
            ok=result["ok"],
            signature_valid=result["signature_valid"],
        )
        return result

    def privacy_denied(self, action: str, who: Requester, reason: str) -> None:
        """Record a privacy request refused at the edge (a role that may not do it)."""
        self._audit_privacy(action, who, None, outcome="denied", reason=reason[:300])

    def public_key(self):
        """The home's public signing key (receipts, audit checkpoints)."""
        return self.guard.secrets.public_key()

    def _audit_privacy(
        self, action: str, who: Requester, subject: Subject | None, **details: object
    ) -> None:
        identifiers = None
        if subject is not None:
            key = self.guard.secrets.identifier_key()
            identifiers = [
                {"kind": i.kind, "hmac": keyed_hash(key, f"audit:{i.kind}:{i.normal}")}
                for i in subject.identifiers
            ]
        self.audit.append(
            action, who.actor, who.trace_id or new_trace_id(), identifiers=identifiers, **details
        )

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the index from the records under the current settings."""
        import shutil

        with self.layout.write_lock():
            self.store_writer.recover()
            manifest = self.layout.read_manifest() if self.layout.exists() else {}
            self.layout.write_manifest({**manifest, "reindex_in_progress": True})
            self.index.close()
            shutil.rmtree(self.layout.index, ignore_errors=True)
            self.layout.index.mkdir(parents=True)
            self.index = open_index(
                self.settings.index_backend,
                self.layout.index,
                self.embedder.dim if self.embedder else 0,
            )
            self._build_readers()
            versions = self.records.active_versions()
            for done, (version_id, title, text, sections) in enumerate(versions, start=1):
                if progress:
                    progress(done, len(versions), title)
                self.store_writer.reindex_version(version_id, title, text, sections)
            self.index.commit()
            self.layout.write_manifest(
                {**self.expected_manifest(), "created_by": f"jisik {__version__}"}
            )
            return len(versions)

    # --- reading ------------------------------------------------------------

    def search(
        self, query: str, k: int = 10, mode: str | None = None, who: Requester | None = None
    ) -> list[Hit]:
        """The best passages ``who`` may see (by default: the local user, unrestricted)."""
        who = self._who(who)
        hits = self.pipeline.hits(_check_query(query), k, mode, who.readers, who.full_paths)
        hits = self.guard.hits(hits, self.guard.reader_policy(who.readers))
        self.audit.append(
            "search",
            who.actor,
            who.trace_id,
            query=query,
            sources=_sources(hits),
            **self._versions(),
        )
        return hits

    def ask(
        self,
        question: str,
        k: int = 5,
        who: Requester | None = None,
        generate: bool | None = None,
    ) -> Answer:
        """A cited, labelled answer from what ``who`` may read; recorded in the audit trail.
        ``generate`` asks for a generated answer (None: the ``generate`` setting), which
        needs a configured language model; without one the quoted answer says so."""
        return final_answer(self.ask_stream(question, k, who, generate))

    def ask_stream(
        self,
        question: str,
        k: int = 5,
        who: Requester | None = None,
        generate: bool | None = None,
        asked: str | None = None,
    ) -> Iterator[AnswerEvent]:
        """``ask`` as it happens: the answer's text in pieces (a generated answer sentence
        by sentence, each already checked against its citations), masked as this reader
        may see it; then its citations and the final answer, which is authoritative
        (checked, masked, labelled and recorded; a fallback replaces what streamed). A
        quoted answer streams only once it is whole and checked. The question is checked
        and the passages retrieved before this returns. ``asked``: what the person typed,
        when ``question`` is a follow-up rewritten to stand alone (both are recorded)."""
        who = self._who(who)
        question = _check_query(question)
        hits = self.pipeline.hits(question, k, None, who.readers, who.full_paths)
        answerer = self._answerer_for(generate)
        return self._answer_events(question, hits, answerer, who, bool(generate), asked)

    def _answerer_for(self, generate: bool | None):
        wanted = self.settings.generate if generate is None else generate
        return self.generative if wanted and self.generative is not None else self.answerer

    def provisional_label(self, generate: bool | None = None) -> Answer:
        """The labels an answer will most likely carry, for headers sent before it exists
        (a stream); the final answer's own labels are authoritative."""
        answerer = self._answerer_for(generate)
        generated = answerer is self.generative
        return label(
            Answer(
                "",
                "",
                False,
                (),
                answerer.method,
                digital_source_type=GENERATED if generated else "",
                model=self.generator.id if generated else "",
            ),
            "",
        )

    def _answer_events(self, question, hits, answerer, who, asked_to_generate, asked=None):
        policy = self.guard.reader_policy(who.readers)
        context = {"asked": asked} if asked and asked != question else {}
        if answerer is not self.generative:
            # A quoted answer is composed whole: it streams only after every check.
            composed = final_answer(answerer.stream(question, hits))
            yield from events_of(
                self._finish(question, hits, composed, who, policy, asked_to_generate, context)
            )
            return
        shown: list[str] = []
        finished = withheld = False
        try:
            final: Answer | None = None
            for event in answerer.stream(question, hits):
                if isinstance(event, DeltaEvent) and not withheld:
                    piece = self.guard.text(event.text, policy)
                    # None: a kind this reader may not see; nothing more streams, and the
                    # final answer says what was withheld.
                    withheld = piece is None
                    if piece is not None:
                        shown.append(piece)
                        yield DeltaEvent(piece)
                elif isinstance(event, FinalEvent):
                    final = event.answer
            if final is None:
                raise JisikError("the answerer ended without an answer; this is a bug")
            answer = self._finish(question, hits, final, who, policy, asked_to_generate, context)
            finished = True
            yield CitationsEvent(answer.citations)
            yield FinalEvent(answer)
        finally:
            if not finished and any(shown):
                # The reader left (or the stream failed) after seeing part of an answer.
                self.audit.append(
                    "ask",
                    who.actor,
                    who.trace_id,
                    question=question,
                    **context,
                    answer_sha256=sha256_hex(normalise("".join(shown))),
                    interrupted=True,
                    passages=_sources(hits),
                    **self._versions(),
                )

    def _finish(self, question, hits, answer, who, policy, asked_to_generate, context) -> Answer:
        if asked_to_generate and self.generative is None and not answer.abstained:
            answer = dataclasses.replace(answer, notice=NO_GENERATOR)
        for citation in answer.citations:
            verify_in_hits(citation, hits)
        # Checked against the stored text first, then shown as this reader may see it.
        answer, pii_shown = self.guard.answer(answer, policy)
        answer = label(answer, who.trace_id)
        self.audit.append(
            "ask",
            who.actor,
            who.trace_id,
            question=question,
            **context,
            answer_sha256=sha256_hex(normalise(answer.text)),
            abstained=answer.abstained,
            sources=[{"doc_id": c.doc_id, "version": c.version} for c in answer.citations],
            passages=_sources(hits),
            model=answer.model,
            generated=answer.generated,
            **self._generation_audit(answer),
            pii_output=pii_shown,
            **self._versions(),
        )
        if not answer.abstained:
            self.answers.register(answer.text, who.trace_id)
        return answer

    def documents(
        self, who: Requester | None = None, limit: int | None = None, offset: int = 0
    ) -> list[DocumentInfo]:
        """Documents ``who`` may read, by source; a page of them with ``limit``/``offset``."""
        found = self.records.documents(who.readers if who else None, limit, offset)
        return [d.shown(who is None or who.full_paths) for d in found]

    def count_documents(self, who: Requester | None = None) -> int:
        return self.records.count_documents(who.readers if who else None)

    def document(self, doc_id: str, who: Requester | None = None) -> tuple[DocumentInfo, str]:
        """A document and its text; one ``who`` may not read is reported as missing."""
        found = self.records.document(doc_id, who.readers if who else None)
        if found is None:
            raise NotFoundError(f"no document with id '{doc_id}'; see `jisik docs list`")
        info, text = found
        return info.shown(who is None or who.full_paths), text

    def exists(self, doc_id: str) -> bool:
        return bool(self.records.source(doc_id))

    def check_readable(self, doc_id: str, who: Requester | None) -> None:
        """Raise the same NotFoundError as a missing document unless ``who`` may read it
        (without loading its text)."""
        readers = who.readers if who else None
        if not self.exists(doc_id) or (
            readers is not None and not self.records.readable({doc_id}, readers)
        ):
            raise NotFoundError(f"no document with id '{doc_id}'; see `jisik docs list`")

    def _who(self, who: Requester | None) -> Requester:
        if who is None:
            return Requester(local_actor(), None, new_trace_id())
        return who if who.trace_id else dataclasses.replace(who, trace_id=new_trace_id())

    def _generation_audit(self, answer: Answer) -> dict:
        """What the audit trail keeps of a generated answer: parameters, the prompt's
        hash and the removed sentences' hashes (their text may name people)."""
        if not answer.generated and not answer.notice:
            return {}
        out: dict = {"notice": answer.notice[:300]} if answer.notice else {}
        if answer.generated:
            out.update(
                parameters={
                    "max_tokens": self.settings.llm_max_answer_tokens,
                    "temperature": 0.0,
                },
                prompt_sha256=answer.prompt_sha256,
                usage=list(answer.usage) if answer.usage else None,
                removed_sentences=[sha256_hex(normalise(s)) for s in answer.unsupported],
            )
        return out

    def _versions(self) -> dict:
        """What produced a result, for the audit trail: enough to reproduce it."""
        return {"versions": self._produced_by}

    def stats(self) -> dict:
        counts = self.records.counts()
        index_stats = self.index.stats()
        database_bytes = sum(
            p.stat().st_size for p in self.layout.root.glob("jisik.db*") if p.is_file()
        )
        return {
            "home": str(self.layout.root),
            **counts,
            "database_bytes": database_bytes,
            **index_stats,
            "index_backend": self.settings.index_backend,
            "embedder": (
                {"id": self.embedder.id, "dim": self.embedder.dim} if self.embedder else None
            ),
            "analyzer": self.analyzer.describe(),
            "mode": self.settings.mode if self.embedder else "lexical",
            # Chunks searchable lexically but not yet embedded (background embedding).
            "embedding_backlog": self.backlog.pending(),
        }


def _group_set(groups: Sequence[str] | None) -> tuple[str, ...] | None:
    """Reader groups as given: None keeps a document's, () makes it readable by everyone."""
    return None if groups is None else tuple(sorted(set(groups)))


def _sources(hits: Sequence[Hit]) -> list[dict]:
    seen: dict[tuple[str, int], dict] = {}
    for hit in hits:
        seen.setdefault((hit.doc_id, hit.version), {"doc_id": hit.doc_id, "version": hit.version})
    return list(seen.values())


def _privacy_counts(found: dict) -> dict[str, int]:
    return {k: (len(v) if isinstance(v, list | dict) else v) for k, v in found.items()}


def _check_query(text: str) -> str:
    text = (text or "").strip()
    if not text or all(not ch.isalnum() for ch in text):
        raise InvalidQueryError("the question is empty or only punctuation; type some words")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQueryError(
            f"the question is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    return text
