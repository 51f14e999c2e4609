"""Loading a BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels.tsv, split.tsv."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jisik.errors import JisikError


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    text: str
    answers: tuple[str, ...]
    relevant: frozenset[str]
    # An off-corpus question: nothing answers it, so the right reply is to abstain.
    abstain: bool = False
    category: str = ""  # the user's own label ("table", "typo" …): results per label


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    corpus: tuple[Passage, ...]
    queries: tuple[Query, ...]


def load_dataset(folder: Path, split: str | None = None) -> Dataset:
    for required in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (folder / required).is_file():
            raise JisikError(f"{folder} is not a BEIR-layout dataset: {required} is missing")
    corpus = tuple(
        Passage(str(r["id"]), str(r.get("title") or ""), str(r["text"]))
        for r in _jsonl(folder / "corpus.jsonl")
    )
    qrels: dict[str, set[str]] = {}
    for row in _tsv(folder / "qrels.tsv"):
        if float(row.get("score", 1) or 1) > 0:
            qrels.setdefault(row["query-id"], set()).add(row["corpus-id"])
    wanted = _split_ids(folder, split)
    queries = tuple(
        Query(
            str(r["id"]),
            str(r["text"]),
            tuple(r.get("answers") or ()),
            frozenset(qrels[str(r["id"])]),
        )
        for r in _jsonl(folder / "queries.jsonl")
        if str(r["id"]) in qrels and (wanted is None or str(r["id"]) in wanted)
    )
    return Dataset(folder.name, corpus, queries)


def _split_ids(folder: Path, split: str | None) -> set[str] | None:
    if split is None:
        return None
    path = folder / "split.tsv"
    if not path.is_file():
        return None  # sets without a split are used whole
    rows = list(_tsv(path))
    if not rows:
        return set()
    id_key, split_key = list(rows[0].keys())[:2]
    return {r[id_key] for r in rows if r[split_key] == split}


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise JisikError(f"{path}:{number} is not valid JSON: {exc}") from exc


def _tsv(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")
