"""Ingest: one loop over items, files or texts alike.

discover → (worker processes) read, parse, protect, chunk, analyse → compare with the
active version → batch → ``StoreWriter.commit`` (pending → indexed → active). One bad
item never stops the batch: it is reported with its reason and the rest go on. The
facade (``jisik.service``) holds the write lock around this and records the audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jisik.access import Writer
from jisik.errors import ParseError
from jisik.ingest import wire
from jisik.ingest.chunker import ChunkingConfig
from jisik.ingest.discover import discover
from jisik.ingest.prepare import FileFacts, PreparedFile, document_id, file_facts, renamed
from jisik.ingest.store_writer import StoreWriter
from jisik.ingest.workers import Budget, default_workers, shared_pool
from jisik.privacy.guard import PiiGuard
from jisik.settings import Settings
from jisik.store.records import Records
from jisik.text.analyzer import Analyzer
from jisik.types import AddFailure, AddReport

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class AddOptions:
    groups: tuple[str, ...] | None = None  # None: keep each document's; (): everyone
    owner: str | None = None  # for the source registry; None: keep
    licence: str | None = None
    writer: Writer | None = None  # checked at activation; None: unrestricted
    keep_originals: bool = False  # keep a copy of each file ingested (uploads)


@dataclass(frozen=True, slots=True)
class _Item:
    """One thing to ingest as the loop sees it, before the worker's result."""

    label: str  # how a failure names it: the file's path, or the text's source
    path: Path | None = None
    facts: FileFacts | None = None  # None for a text: known once it is prepared
    current: str | None = None  # the active version's content hash
    problem: str = ""  # why it cannot be read at all
    display: str = ""  # what readers other than admins are shown ("": the file name)


@dataclass
class _Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[AddFailure] = field(default_factory=list)
    pii: list[dict] = field(default_factory=list)
    counted: dict[str, str] = field(default_factory=dict)  # source -> how it was counted
    labels: dict[str, str] = field(default_factory=dict)  # source -> label
    paths: dict[str, Path] = field(default_factory=dict)  # source -> file
    displays: dict[str, str] = field(default_factory=dict)  # source -> display name

    def count(self, source: str, kind: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.counted[source] = kind

    def refuse(self, source: str, reason: str) -> None:
        """A counted item its writer may not write after all: failed instead."""
        self.failed.append(AddFailure(self.labels.get(source, source), reason))
        kind = self.counted.pop(source, "")
        if kind:
            setattr(self, kind, getattr(self, kind) - 1)


class IngestPipeline:
    def __init__(
        self,
        settings: Settings,
        records: Records,
        guard: PiiGuard,
        analyzer: Analyzer,
        chunking: ChunkingConfig,
        writer: StoreWriter,
    ) -> None:
        self.settings = settings
        self.records = records
        self.guard = guard
        self.analyzer = analyzer
        self.chunking = chunking
        self.writer = writer

    def files(
        self,
        paths: Iterable[Path],
        options: AddOptions,
        home,
        progress: Progress | None = None,
        sources: Mapping[Path, str] | None = None,
        follow_symlinks: bool = False,
        exclude: Sequence[str] = (),
    ) -> tuple[AddReport, list[dict]]:
        """Ingest files and folders (the caller holds the write lock); the report and
        what the PII guard did to each document. ``sources`` names given files otherwise
        than by their path (uploads, by their upload name)."""
        paths = list(paths)
        found = list(discover(paths, follow_symlinks=follow_symlinks, home=home, exclude=exclude))
        excluded = sum(f.excluded for f in found)
        found = [f for f in found if not f.excluded]
        roots = [p.resolve() for p in map(Path, paths) if p.expanduser().is_dir()]
        jobs = self._file_jobs(found, sources, roots, options.groups, progress)
        return self._run(jobs, options, excluded)

    def texts(
        self,
        items: Iterable[tuple[str, str, str]],
        options: AddOptions,
        progress: Progress | None = None,
    ) -> tuple[AddReport, list[dict]]:
        """Ingest ``(source, title, text)`` documents; same rules as files."""
        return self._run(self._text_jobs(list(items), options.groups, progress), options, 0)

    def _run(self, jobs, options: AddOptions, excluded: int) -> tuple[AddReport, list[dict]]:
        tally = _Tally()
        batch: list[PreparedFile] = []
        self.writer.recover()
        # In the order given, whatever order the workers finish in.
        for item, outcome in self._prepared(jobs):
            if item.problem:
                tally.failed.append(AddFailure(item.label, item.problem))
                continue
            facts, current = item.facts, item.current
            if facts is None:
                if outcome.prepared is None:
                    tally.failed.append(AddFailure(item.label, outcome.error))
                    continue
                facts = outcome.prepared.facts
                current = self.records.active_hash(facts.source)
            tally.labels[facts.source] = item.label
            if item.path is not None:
                tally.paths[facts.source] = item.path
            if item.display:
                tally.displays[facts.source] = item.display
            if current == facts.content_hash:
                self._unchanged(facts, options, tally)
                continue
            if outcome.prepared is None:
                tally.failed.append(AddFailure(item.label, outcome.error))
                continue
            batch.append(self._received(outcome.prepared))
            tally.count(facts.source, "added" if current is None else "updated")
            if self.writer.batch_full(batch):
                self._commit(batch, options, tally)
                batch = []
        self._commit(batch, options, tally)
        report = AddReport(
            tally.added, tally.updated, tally.unchanged, tuple(tally.failed), excluded
        )
        return report, tally.pii

    def _unchanged(self, facts: FileFacts, options: AddOptions, tally: _Tally) -> None:
        """The same content again: only its groups and registry fields may change."""
        tally.count(facts.source, "unchanged")
        refusal = self.writer.regroup_checked(facts.doc_id, options.groups, options.writer)
        if refusal:
            tally.refuse(facts.source, refusal)
            return
        self.records.set_registry_fields(facts.doc_id, options.owner, options.licence)

    def _commit(self, batch: list[PreparedFile], options: AddOptions, tally: _Tally) -> None:
        done = self.writer.commit(
            batch,
            options.groups,
            (options.owner, options.licence),
            options.writer,
            tally.paths if options.keep_originals else None,
            tally.displays,
        )
        tally.pii.extend(done.pii)
        for source, reason in done.refused.items():
            tally.refuse(source, reason)

    def _file_jobs(
        self, found, sources, roots, groups, progress
    ) -> Iterator[tuple[_Item, dict | None]]:
        """``(item, worker request)`` per found file; the request is None where nothing
        is left to read (a problem, unchanged content)."""
        max_bytes = self.settings.max_file_mb * 1_000_000
        key = None
        for done, entry in enumerate(found, start=1):
            if progress:
                progress(done, len(found), str(entry.path))
            label = str(entry.path)
            if entry.problem:
                yield _Item(label, problem=entry.problem), None
                continue
            try:
                facts = file_facts(entry.path, max_bytes)
                if sources and entry.path in sources:
                    facts = renamed(facts, sources[entry.path])
                current = self.records.active_hash(facts.source)
            except ParseError as exc:
                yield _Item(label, problem=str(exc)), None
                continue
            renamed_upload = bool(sources and entry.path in sources)
            item = _Item(
                label,
                entry.path,
                facts,
                current,
                display="" if renamed_upload else _display(entry.path, roots),
            )
            if current == facts.content_hash:
                yield item, None
                continue
            key = key or self.guard.secrets.pseudonym_key()
            yield (
                item,
                {
                    "op": "file",
                    "path": str(entry.path),
                    "facts": wire.facts_json(facts),
                    "chunking": wire.chunking_json(self.chunking),
                    "guard": self._guard_request(facts.doc_id, groups, key),
                },
            )

    def _text_jobs(self, items: list[tuple[str, str, str]], groups, progress):
        key = self.guard.secrets.pseudonym_key() if items else b""
        for done, (source, title, text) in enumerate(items, start=1):
            if progress:
                progress(done, len(items), source)
            yield (
                _Item(source),
                {
                    "op": "text",
                    "source": source,
                    "title": title,
                    "text": text,
                    "chunking": wire.chunking_json(self.chunking),
                    "guard": self._guard_request(document_id(source), groups, key),
                },
            )

    def _guard_request(self, doc_id: str, groups: tuple[str, ...] | None, key: bytes) -> dict:
        """What a worker needs to apply the PII guard as ``StoreWriter.protector`` does:
        the policy of the document's future readers and the pseudonym key."""
        audience = groups if groups is not None else self.records.groups(doc_id)
        return wire.guard_json(self.guard.policies.for_document(audience), key)

    def _prepared(self, jobs):
        """Run ingest jobs on the process's worker pool, under the settings' budget."""
        pool = shared_pool(
            self.analyzer.config,
            self.settings.ingest_file_memory_mb,
            self.settings.ingest_workers or default_workers(),
        )
        yield from pool.run(
            jobs, Budget(self.settings.ingest_file_timeout_s, self.settings.ingest_file_memory_mb)
        )

    def _received(self, prepared: PreparedFile) -> PreparedFile:
        # The worker already analysed the title and headings the index entries need.
        for text, terms in prepared.title_terms:
            self.analyzer.remember_query_terms(text, terms)
        return prepared


def _display(path: Path, roots: list[Path]) -> str:
    """A file's name relative to the folder it was added with (its own name when it was
    given by itself): what readers other than admins are shown."""
    for root in roots:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.name
