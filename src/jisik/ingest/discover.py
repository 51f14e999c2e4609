"""Finding the files to ingest under the paths a user gave."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from jisik.ingest.parsers import is_supported

# Inside folders these are silently passed over: they are never documents.
IGNORED_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .svg .ico .heic .mp3 .wav .m4a .mp4 .mov "
    ".avi .mkv .zip .7z .tar .gz .tgz .rar .exe .dll .so .dylib .bin .iso .dmg .ttf .otf "
    ".woff .woff2 .pyc .class .o .db .sqlite .lock .tmp .ds_store".split()
)


@dataclass(frozen=True, slots=True)
class Found:
    path: Path
    problem: str = ""  # non-empty: report as failed without reading


def discover(paths: Iterable[Path]) -> Iterator[Found]:
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            yield Found(path, "no such file or directory")
        elif path.is_dir():
            yield from _walk(path, seen)
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            yield Found(path.resolve())


def _walk(root: Path, seen: set[Path]) -> Iterator[Found]:
    errors: list[OSError] = []
    for directory, subdirs, files in os.walk(root, onerror=errors.append):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(directory, name)
            if name.startswith((".", "~$")) or path.suffix.lower() in IGNORED_SUFFIXES:
                continue
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if is_supported(path):
                yield Found(resolved)
            else:
                yield Found(resolved, f"unsupported file type '{path.suffix.lower() or '(none)'}'")
    for error in errors:
        yield Found(Path(error.filename or root), f"cannot read folder: {error.strerror or error}")
