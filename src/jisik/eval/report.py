"""One self-contained HTML file for an evaluation: tables, plots, failures.

No scripts and nothing fetched: the plots are inline SVG drawn here, the style
is inline CSS, so the file opens anywhere, offline, and can be mailed around.
Every piece of text from data (questions, passages, titles) goes through
``html.escape``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from html import escape

from jisik import __version__
from jisik.eval.results import (
    RANK_DEPTH,
    EvalResult,
    QueryResult,
    RunResult,
    gold_rank,
    percentile,
)

MAX_FAILURES_SHOWN = 100  # per mode; the rest are counted, not listed
QUALITY_COLUMNS = (
    ("recall@1", "R@1"),
    ("recall@5", "R@5"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
    ("answer_hit@10", "answer hit@10"),
    ("answer_sentence@1", "answer sentence@1"),
)
LATENCY_COLUMNS = (("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"))
# Colour-blind-safe (Okabe–Ito); baselines are drawn dashed in grey tones.
MODE_COLOURS = {"lexical": "#0072B2", "dense": "#E69F00", "hybrid": "#009E73"}
EXTRA_COLOURS = ("#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
BASELINE_COLOURS = {"whitespace_bm25": "#999999", "kiwi_bm25": "#555555"}
HISTOGRAM_BINS = 24

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic",sans-serif;
margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.9rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}thead th{background:#f5f5f5}
tr.baseline td{color:#555;font-style:italic}td.best{font-weight:700;background:#eef8f2}
.plots{display:flex;flex-wrap:wrap;gap:1.5rem}svg{background:#fff;border:1px solid #eee}
details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
.failure{border-left:3px solid #D55E00;padding:.3rem .8rem;margin:.8rem 0;background:#fcfcfc}
.failure .q{font-weight:600}.label{color:#666;font-size:.8rem;text-transform:uppercase;letter-spacing:.03em}
.passage{font-size:.85rem;margin:.2rem 0 .4rem 0}.key{color:#888;font-size:.8rem}
.gold{background:#eef8f2;padding:.2rem .4rem}.wrong{background:#fdf1ec;padding:.2rem .4rem}
"""


def render_html(result: EvalResult) -> str:
    runs = [*result.modes.values(), *result.baselines.values()]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ko"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>jisik eval · {escape(result.dataset)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>jisik eval · {escape(result.dataset)}</h1>",
        f'<p class="meta">{escape(_meta_line(result))}</p>',
        "<h2>Scores</h2>",
        _metrics_table(result),
        (
            '<p class="meta">Documents are ranked by their best passage. Baselines (italic) are '
            "plain in-memory BM25 (k1=1.5, b=0.75) over title and text: whitespace tokens, as a "
            "generic RAG framework gives, and Kiwi content morphemes. Answer metrics count only "
            "questions with a short gold answer; answer sentence@1 is measured in the mode "
            "<code>jisik ask</code> uses.</p>"
        ),
        "<h2>Plots</h2>",
        '<div class="plots">',
        recall_curve_svg(runs),
        latency_histogram_svg(list(result.modes.values())),
        "</div>",
        "<h2>Failures</h2>",
        (
            '<p class="meta">Queries whose first document is not a gold one, worst first: the gold '
            "passage, then what was retrieved instead.</p>"
        ),
        *(_failures_section(run, result) for run in result.modes.values()),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _meta_line(result: EvalResult) -> str:
    bits = [
        f"split {result.split}" if result.split else "all queries",
        f"{result.queries} queries",
    ]
    if result.answer_queries:
        bits.append(f"{result.answer_queries} with short answers")
    if result.ingest_seconds:
        bits.append(f"ingest {result.ingest_seconds:.1f} s")
    embedder = result.info.get("embedder")
    bits.append(f"embedder {embedder or 'none'}")
    settings = result.info.get("settings")
    if isinstance(settings, dict):
        bits.append(", ".join(f"{k}={v}" for k, v in settings.items()))
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    bits.append(f"jisik {__version__}, {now}")
    return " · ".join(bits)


def _metrics_table(result: EvalResult) -> str:
    rows = [(run, False) for run in result.modes.values()]
    rows += [(run, True) for run in result.baselines.values()]
    columns = [
        (key, label)
        for key, label in QUALITY_COLUMNS + LATENCY_COLUMNS
        if any(key in run.metrics for run, _ in rows)
    ]
    best = {
        key: max((run.metrics[key] for run, _ in rows if key in run.metrics), default=None)
        for key, _ in QUALITY_COLUMNS
    }
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    body = []
    for run, is_baseline in rows:
        cells = []
        for key, _ in columns:
            value = run.metrics.get(key)
            if value is None:
                cells.append("<td>–</td>")
                continue
            text = f"{value:.1f}" if key.endswith("_ms") else f"{value:.3f}"
            cls = ' class="best"' if best.get(key) is not None and value == best[key] else ""
            cells.append(f"<td{cls}>{text}</td>")
        row_class = ' class="baseline"' if is_baseline else ""
        body.append(f"<tr{row_class}><td>{escape(run.name)}</td>{''.join(cells)}</tr>")
    return (
        f"<table><thead><tr><th>run</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# --- plots -------------------------------------------------------------------


def _colour(name: str, index: int) -> str:
    return (
        MODE_COLOURS.get(name)
        or BASELINE_COLOURS.get(name)
        or EXTRA_COLOURS[index % len(EXTRA_COLOURS)]
    )


def recall_curve_svg(runs: Sequence[RunResult], width: int = 520, height: int = 340) -> str:
    """Recall@k for k = 1 … 10, one line per run."""
    left, right, top, bottom = 52, 150, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    curves = [(run, run.recall_curve()) for run in runs if run.results]
    low = min((min(c) for _, c in curves), default=0.0)
    floor = max(0.0, int(low * 10) / 10)  # start the axis at the tenth below the lowest point
    span = (1.0 - floor) or 1.0

    def x(k: int) -> float:
        return left + (k - 1) * plot_w / (RANK_DEPTH - 1)

    def y(value: float) -> float:
        return top + (1.0 - (value - floor) / span) * plot_h

    out = [_svg_open(width, height, "recall@k per mode")]
    out.append(_text(left, 18, "recall@k", anchor="start", weight="600"))
    step = 0.1 if span > 0.3 else 0.05 if span > 0.1 else 0.02
    ticks = [floor + step * i for i in range(round(span / step) + 1)]
    for value in ticks:
        out.append(_line(left, y(value), left + plot_w, y(value), "#eee"))
        out.append(_text(left - 6, y(value) + 4, f"{value:.2f}", anchor="end"))
    for k in range(1, RANK_DEPTH + 1):
        out.append(_text(x(k), top + plot_h + 16, str(k)))
    out.append(_text(left + plot_w / 2, height - 6, "k (documents looked at)"))
    out.append(_line(left, top, left, top + plot_h, "#999"))
    out.append(_line(left, top + plot_h, left + plot_w, top + plot_h, "#999"))
    for index, (run, curve) in enumerate(curves):
        colour = _colour(run.name, index)
        dash = ' stroke-dasharray="5 3"' if run.name in BASELINE_COLOURS else ""
        points = " ".join(f"{x(k):.1f},{y(v):.1f}" for k, v in enumerate(curve, start=1))
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}">'
            f"<title>{escape(run.name)}: "
            + ", ".join(f"@{k} {v:.3f}" for k, v in enumerate(curve, 1))
            + "</title></polyline>"
        )
        legend_y = top + 14 + index * 18
        out.append(
            f'<line x1="{left + plot_w + 14}" y1="{legend_y - 4}" x2="{left + plot_w + 34}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(_text(left + plot_w + 40, legend_y, run.name, anchor="start"))
    out.append("</svg>")
    return "".join(out)


def latency_histogram_svg(runs: Sequence[RunResult], width: int = 520, row_height: int = 90) -> str:
    """Search latency per mode on one shared axis, with p50 and p95 marked."""
    runs = [run for run in runs if run.results]
    left, right, top, bottom = 70, 20, 28, 40
    height = top + bottom + row_height * max(1, len(runs))
    plot_w = width - left - right
    out = [_svg_open(width, height, "search latency per mode")]
    out.append(_text(left, 18, "search latency (ms)", anchor="start", weight="600"))
    all_times = [r.latency_ms for run in runs for r in run.results]
    if not all_times:
        out.append(_text(width / 2, height / 2, "no queries"))
        out.append("</svg>")
        return "".join(out)
    # The slowest 1 % would squash everything else; they go into the last bin.
    high = max(percentile(all_times, 0.99), 1e-6)
    bin_width = high / HISTOGRAM_BINS

    def x(ms: float) -> float:
        return left + min(ms, high) / high * plot_w

    for index, run in enumerate(runs):
        base = top + (index + 1) * row_height - 12
        counts = [0] * HISTOGRAM_BINS
        for result in run.results:
            counts[min(int(result.latency_ms / bin_width), HISTOGRAM_BINS - 1)] += 1
        tallest = max(counts) or 1
        colour = _colour(run.name, index)
        for b, count in enumerate(counts):
            bar = (row_height - 24) * count / tallest
            out.append(
                f'<rect x="{left + b * plot_w / HISTOGRAM_BINS:.1f}" y="{base - bar:.1f}" '
                f'width="{plot_w / HISTOGRAM_BINS - 1:.1f}" height="{bar:.1f}" fill="{colour}">'
                f"<title>{b * bin_width:.1f}–{(b + 1) * bin_width:.1f} ms: {count}</title></rect>"
            )
        out.append(_line(left, base, left + plot_w, base, "#999"))
        out.append(_text(left - 6, base - (row_height - 24) / 2, run.name, anchor="end"))
        times = [r.latency_ms for r in run.results]
        for line, (share, label) in enumerate(((0.5, "p50"), (0.95, "p95"))):
            value = percentile(times, share)
            out.append(_line(x(value), base - row_height + 20, x(value), base, "#222", dash="3 2"))
            # Labels on two lines so close values stay legible; flipped left near the edge.
            near_edge = x(value) > left + 0.75 * plot_w
            out.append(
                _text(
                    x(value) + (-3 if near_edge else 3),
                    base - row_height + 28 + 12 * line,
                    f"{label} {value:.1f}",
                    anchor="end" if near_edge else "start",
                )
            )
    axis_y = top + len(runs) * row_height - 12
    step = nice_step(high / 5)
    for i in range(int(high / step) + 1):
        ms = step * i
        out.append(_line(x(ms), axis_y, x(ms), axis_y + 4, "#999"))
        out.append(_text(x(ms), axis_y + 16, f"{ms:g}"))
    out.append(_text(left + plot_w / 2, height - 6, "milliseconds (last bin: slower)"))
    out.append("</svg>")
    return "".join(out)


def nice_step(rough: float) -> float:
    """The 1, 2 or 5 times a power of ten nearest above ``rough``: round tick labels."""
    if rough <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        'font-family="system-ui,sans-serif" font-size="11">'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{dashed}/>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", weight: str = "400") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="#333">{escape(text)}</text>'
    )


# --- failures ------------------------------------------------------------------


def _failures_section(run: RunResult, result: EvalResult) -> str:
    failures = run.failures()
    if not failures:
        return f"<details><summary>{escape(run.name)}: no failures</summary></details>"
    shown = failures[:MAX_FAILURES_SHOWN]
    more = (
        f'<p class="meta">… and {len(failures) - len(shown)} more.</p>'
        if len(failures) > len(shown)
        else ""
    )
    return (
        f"<details><summary>{escape(run.name)}: {len(failures)} of {len(run.results)} queries "
        f"missed at rank 1</summary>"
        + "".join(_failure(r, result) for r in shown)
        + more
        + "</details>"
    )


def _failure(item: QueryResult, result: EvalResult) -> str:
    rank = gold_rank(item)
    where = f"gold at rank {rank}" if rank else f"gold not in the top {RANK_DEPTH}"
    parts = [
        '<div class="failure">',
        f'<div class="q">{escape(item.query.text)}</div>',
        (
            f'<div class="key">{escape(item.query.id)} · {escape(where)} · '
            f"{item.latency_ms:.1f} ms</div>"
        ),
    ]
    if item.query.answers:
        answers = " | ".join(a if len(a) <= 200 else a[:199] + "…" for a in item.query.answers)
        parts.append(
            f'<div class="label">gold answer</div><div class="passage">{escape(answers)}</div>'
        )
    if item.answer_correct is not None:
        given = item.answer or "(abstained)"
        verdict = "contains a gold answer" if item.answer_correct else "misses"
        parts.append(
            f'<div class="label">jisik ask, first sentence ({verdict})</div>'
            f'<div class="passage">{escape(given)}</div>'
        )
    parts.append('<div class="label">gold passage</div>')
    for key in sorted(item.query.relevant):
        preview = result.gold.get(key)
        title, text = (preview.title, preview.text) if preview else ("", "(not in the corpus)")
        parts.append(
            f'<div class="passage gold"><b>{escape(title)}</b> '
            f'<span class="key">{escape(key)}</span><br>{escape(text)}</div>'
        )
    parts.append('<div class="label">retrieved instead</div>')
    if not item.shown:
        parts.append('<div class="passage">(nothing)</div>')
    for rank_shown, preview in enumerate(item.shown, start=1):
        cls = "gold" if preview.key in item.query.relevant else "wrong"
        parts.append(
            f'<div class="passage {cls}">{rank_shown}. <b>{escape(preview.title)}</b> '
            f'<span class="key">{escape(preview.key)}</span><br>{escape(preview.text)}</div>'
        )
    parts.append("</div>")
    return "".join(parts)
