"""Frozen records passed between the stages of the pipeline.

Change one with ``dataclasses.replace``; never mutate a record another stage holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Section:
    """One structural unit of a parsed file: a page, a slide, a sheet, a heading's body.

    ``location`` is what a person reads in a citation ("p. 3", "slide 2",
    "sheet 급여", "§ 2. 휴가"); ``heading`` is the nearest heading above the text,
    if any, and is used for ranking and display.
    """

    text: str
    location: str
    heading: str = ""


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What a parser returns: the title it found and the sections in reading order."""

    title: str
    sections: tuple[Section, ...]
    format: str


@dataclass(frozen=True, slots=True)
class Span:
    """A character span ``[start, end)`` of a stored document version's text."""

    start: int
    end: int
    location: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document version, the unit of retrieval.

    ``text`` is exactly ``version_text[start:end]``.
    """

    ordinal: int
    start: int
    end: int
    location: str
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    doc_id: str
    title: str
    source: str
    format: str
    content_hash: str
    version: int
    modified_at: float
    ingested_at: float
    size_bytes: int
    chunks: int
    groups: tuple[str, ...]
    sections: tuple[Span, ...] = ()
    # What the PII scan at ingest found and did, {"kind": {"found", "action"}}; None: not scanned.
    pii: dict | None = None
    owner: str = ""
    licence: str = ""
    # What readers other than admins see as the source: relative to the folder added.
    display_source: str = ""

    def shown(self, full_paths: bool) -> DocumentInfo:
        """This record as a reader sees it: the display source unless ``full_paths``."""
        if full_paths or not self.display_source:
            return self
        return replace(self, source=self.display_source)

    @property
    def pii_redacted(self) -> bool:
        """Whether the stored text differs from the file because personal data was masked."""
        return any(v["action"] in ("mask", "pseudonymize") for v in (self.pii or {}).values())


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved passage, hydrated from the system of record."""

    chunk_id: int
    doc_id: str
    version: int
    title: str
    source: str
    location: str
    start: int
    end: int
    text: str
    score: float
    # Other documents holding exactly this text (the same file saved twice).
    also_sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered pointer at an exact span of a stored document version."""

    n: int
    doc_id: str
    version: int
    title: str
    source: str
    location: str
    start: int
    end: int
    text: str
    also_sources: tuple[str, ...] = ()  # the same text under other names
    # The value asked for, as [start, end) inside ``text`` (a date, an amount, a
    # table cell), so a UI can mark it; None when no one value is the answer.
    highlight: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer with its AI-output labels (see ``jisik.answer.labels``)."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    method: str
    ai_generated: bool = True
    digital_source_type: str = ""  # an IPTC digital source type URI
    model: str = ""  # what produced it: jisik's version and the answering method or model
    generated_at: str = ""  # ISO 8601, UTC
    trace_id: str = ""  # the audit trail event of this answer
    generated: bool = False  # written by a language model, checked sentence by sentence
    notice: str = ""  # why a generative answer fell back to quoted sentences
    unsupported: tuple[str, ...] = ()  # generated sentences removed: their passages lack them
    usage: tuple[int, int, bool] | None = None  # prompt, completion tokens; estimated?
    prompt_sha256: str = ""  # of the messages sent to the model, for the audit trail


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is reading: for the permission filter and the audit trail.

    ``actor`` is "user:NAME" for an API caller, "cli:LOGIN" on the command line;
    ``readers`` the reader tokens they hold (None: unrestricted).
    """

    actor: str
    readers: frozenset[str] | None = None
    trace_id: str = ""
    # Admins and the local command line see absolute source paths; other readers see
    # paths relative to the folder that was added (the server's layout stays private).
    full_paths: bool = True


@dataclass(frozen=True, slots=True)
class AddFailure:
    path: str
    error: str


@dataclass(frozen=True, slots=True)
class AddReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: tuple[AddFailure, ...] = field(default_factory=tuple)
    excluded: int = 0  # files and folders left out by --exclude or .jisikignore
