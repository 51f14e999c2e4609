"""Strings inside stored JSON values, for erasure: found and rewritten decoded (a
name stored escaped, such as a Korean one, never matches the raw column)."""

from __future__ import annotations

from collections.abc import Callable, Iterator


def json_strings(value: object) -> Iterator[str]:
    """Every string inside a decoded JSON value (stored escaped, so never matched raw)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from json_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from json_strings(inner)


def transform_strings(
    value: object, transform: Callable[[str], tuple[str, int]]
) -> tuple[object, int]:
    """``value`` with ``transform`` applied to every string in it, and the replacements."""
    if isinstance(value, str):
        return transform(value)
    if isinstance(value, dict):
        pairs = [(k, transform_strings(v, transform)) for k, v in value.items()]
        return {k: v for k, (v, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(value, list):
        items = [transform_strings(v, transform) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    return value, 0
