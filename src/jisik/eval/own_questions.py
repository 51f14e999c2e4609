"""A user's own questions: a CSV/TSV or JSONL file of question, expected document, answer.

CSV/TSV: a header line naming the columns ``question``, ``document`` and,
optionally, ``answer``; other columns are ignored (notes, owners …). JSONL: one
object a line with the same keys; there ``document`` and ``answer`` may also be
lists (any of them counts). The expected document is matched against the home's
documents by id, source path (absolute, or relative to the question file or the
working folder) or the end of the path ("hr/leave.md"), and must match exactly one.

An ``abstain`` column (or key) set to true marks an off-corpus question: nothing in
the home answers it, it has no document or answer, and answering it is a false
answer. A ``class`` column labels questions ("table", "typo" …) so that results
are also reported per label.

Every problem is reported with its line number, all at once, so a file can be
fixed in one go.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jisik.errors import JisikError
from jisik.eval.dataset import Query
from jisik.types import DocumentInfo

log = logging.getLogger(__name__)

QUESTION_KEYS = ("question",)
DOCUMENT_KEYS = ("document", "doc", "doc_id", "path", "source")
ANSWER_KEYS = ("answer", "answers")
ABSTAIN_KEYS = ("abstain",)
CATEGORY_KEYS = ("class", "category", "label")
_YES = {"1", "true", "yes", "y", "예", "네"}
_NO = {"", "0", "false", "no", "n", "아니오", "아니요"}
MIN_ID_PREFIX = 6  # shorter id prefixes are too likely to be a path fragment
MAX_REPORTED = 5  # problems listed in the one-line error


class QuestionFileError(JisikError):
    """The question file cannot be read or names documents the home does not have."""


@dataclass(frozen=True, slots=True)
class OwnQuestion:
    line: int
    question: str
    documents: tuple[str, ...]  # as written: ids or paths
    answers: tuple[str, ...]
    abstain: bool = False  # off-corpus: nothing answers it, abstaining is right
    category: str = ""


def load_questions(path: Path) -> list[OwnQuestion]:
    if not path.is_file():
        raise QuestionFileError(f"question file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        rows, problems = _jsonl_rows(path)
    elif suffix in (".csv", ".tsv"):
        rows, problems = _csv_rows(path, "\t" if suffix == ".tsv" else ",")
    else:
        raise QuestionFileError(
            f"{path.name}: unknown question file type '{suffix or '(none)'}'; use .csv, .tsv or .jsonl"
        )
    questions = []
    for line, row in rows:
        question, problem = _question(line, row)
        if problem:
            problems.append(problem)
        elif question:
            questions.append(question)
    _raise_if(path, problems)
    if not questions:
        raise QuestionFileError(f"{path.name}: no questions found")
    return questions


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        pass
    try:
        # Korean Excel saves CSV in CP949 unless told otherwise.
        return raw.decode("cp949")
    except UnicodeDecodeError as exc:
        raise QuestionFileError(
            f"{path.name}: not UTF-8 (or CP949) text; save it as UTF-8"
        ) from exc


def _csv_rows(path: Path, delimiter: str) -> tuple[list[tuple[int, dict]], list[str]]:
    lines = _read_text(path).splitlines(keepends=True)
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise QuestionFileError(f"{path.name}: empty file; the first line must name the columns")
    reader.fieldnames = header
    missing = [
        names[0] for names in (QUESTION_KEYS, DOCUMENT_KEYS) if not any(n in header for n in names)
    ]
    if missing:
        raise QuestionFileError(
            f"{path.name} line 1: the header needs the column(s) {', '.join(missing)} "
            f"(found: {', '.join(header)}); see the README for the format"
        )
    rows: list[tuple[int, dict]] = []
    problems: list[str] = []
    try:
        for row in reader:
            line = reader.line_num  # the record's last line: exact for one-line records
            if None in row:  # more cells than header names: probably an unquoted comma
                problems.append(
                    f"line {line}: more cells than columns; quote cells containing '{delimiter}'"
                )
            elif any((v or "").strip() for v in row.values()):
                rows.append((line, row))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
    return rows, problems


def _jsonl_rows(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    rows: list[tuple[int, dict]] = []
    problems: list[str] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.args[0] if exc.args else exc})")
            continue
        if not isinstance(value, dict):
            problems.append(f'line {number}: expected a JSON object with "question" and "document"')
            continue
        rows.append((number, {str(k).strip().lower(): v for k, v in value.items()}))
    return rows, problems


def _field(row: dict, keys: Sequence[str]) -> tuple[str, ...] | None:
    """The values under the first key present; None when it holds something odd."""
    for key in keys:
        if key in row and row[key] is not None:
            value = row[key]
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, (str, int, float)) for v in values):
                return None
            return tuple(str(v).strip() for v in values if str(v).strip())
    return ()


def _question(line: int, row: dict) -> tuple[OwnQuestion | None, str]:
    question = _field(row, QUESTION_KEYS)
    documents = _field(row, DOCUMENT_KEYS)
    answers = _field(row, ANSWER_KEYS)
    category = _field(row, CATEGORY_KEYS)
    if question is None or documents is None or answers is None or category is None:
        return None, f"line {line}: question, document and answer must be text (or lists of text)"
    if not question:
        return None, f"line {line}: the question is empty"
    if len(question) > 1:
        return None, f"line {line}: give one question, not a list"
    abstain, problem = _abstain(row)
    if problem:
        return None, f"line {line}: {problem}"
    if abstain and (documents or answers):
        return None, (
            f"line {line}: an off-corpus question (abstain) has no document or answer; "
            "remove them or the abstain flag"
        )
    if not abstain and not documents:
        return None, (
            f"line {line}: no expected document (give its path or id, "
            "or abstain=true for a question nothing answers)"
        )
    label = category[0] if category else ""
    return OwnQuestion(line, question[0], documents, answers, abstain, label), ""


def _abstain(row: dict) -> tuple[bool, str]:
    for key in ABSTAIN_KEYS:
        if key in row and row[key] is not None:
            value = row[key]
            if isinstance(value, bool):
                return value, ""
            text = str(value).strip().lower()
            if text in _YES:
                return True, ""
            if text in _NO:
                return False, ""
            return False, f"abstain must be true or false, not '{value}'"
    return False, ""


def resolve_questions(
    questions: Sequence[OwnQuestion], documents: Sequence[DocumentInfo], question_file: Path
) -> list[Query]:
    """Questions as evaluation queries whose relevant keys are document ids."""
    if not documents:
        raise QuestionFileError("the home holds no documents; add them first with `jisik add`")
    resolver = _Resolver(documents, (question_file.resolve().parent, Path.cwd()))
    queries: list[Query] = []
    problems: list[str] = []
    for q in questions:
        if q.abstain:
            queries.append(Query(f"line {q.line}", q.question, (), frozenset(), True, q.category))
            continue
        relevant = set()
        for wanted in q.documents:
            doc_id, problem = resolver.find(wanted)
            if problem:
                problems.append(f"line {q.line}: {problem}")
            else:
                relevant.add(doc_id)
        if relevant:
            queries.append(
                Query(
                    f"line {q.line}", q.question, q.answers, frozenset(relevant), False, q.category
                )
            )
    _raise_if(question_file, problems)
    return queries


class _Resolver:
    def __init__(self, documents: Sequence[DocumentInfo], bases: Sequence[Path]) -> None:
        self.documents = documents
        self.bases = bases
        self.by_source = {d.source: d.doc_id for d in documents}

    def find(self, wanted: str) -> tuple[str, str]:
        """(doc_id, "") or ("", why not)."""
        for d in self.documents:
            if wanted == d.doc_id:
                return d.doc_id, ""
        if wanted in self.by_source:
            return self.by_source[wanted], ""
        for base in self.bases:
            candidate = str((base / Path(wanted).expanduser()).resolve())
            if candidate in self.by_source:
                return self.by_source[candidate], ""
        tail = wanted.replace("\\", "/")
        while tail.startswith("./"):
            tail = tail[2:]
        tail = "/" + tail.lstrip("/")
        matches = {
            d.doc_id: d.source for d in self.documents if d.source.replace("\\", "/").endswith(tail)
        }
        if len(wanted) >= MIN_ID_PREFIX:
            matches.update(
                {d.doc_id: d.source for d in self.documents if d.doc_id.startswith(wanted)}
            )
        if len(matches) == 1:
            return next(iter(matches)), ""
        if len(matches) > 1:
            shown = ", ".join(sorted(matches.values())[:3])
            return (
                "",
                f"'{wanted}' matches {len(matches)} documents ({shown} …); give more of the path",
            )
        return "", (
            f"no document in the home matches '{wanted}' (give its id from `jisik docs list`, "
            "its path, or the end of its path)"
        )


def _raise_if(path: Path, problems: list[str]) -> None:
    if not problems:
        return
    shown = "; ".join(problems[:MAX_REPORTED])
    more = f"; and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    raise QuestionFileError(f"{path.name}: {count}: {shown}{more}")
