"""Mutation audit of the integrity checks (issue 9): mutmut over privacy, audit, citations
and the permission filters, each group of modules against the fast tests that cover it.

    pip install 'mutmut>=3.8,<4'
    python benchmarks/mutation.py                         # every group, committed code (HEAD)
    python benchmarks/mutation.py --group audit --group citations
    python benchmarks/mutation.py --tree worktree         # the working tree instead of HEAD
    python benchmarks/mutation.py --report                # summarise the last run only
    python benchmarks/mutation.py --record after          # also keep the summary in results/

Each group runs in its own copy of the project under bench-out/mutation/GROUP (ignored by
git): the copy's pyproject.toml gets the [tool.mutmut] section, so no mutation config lives
in the package and mutmut's mutants/ folder never lands in the tree. mutmut copies src/ to
mutants/src and mutates only the group's files; a sitecustomize in the copy puts
mutants/src first in every process started during the run (the raw database probe runs in
a child process, which must run the mutant too) and drops the project's own src/ (the
editable install), so the unmutated package can never be tested by mistake. Hypothesis runs
derandomised and without deadlines in the copy, so a slow mutant is not counted as killed
and a survivor stays a survivor on the next run.

The summary per module (mutants, killed, survived, timeout, no tests, survival rate) is
printed and written to bench-out/mutation/summary.json; every survivor's diff is written to
bench-out/mutation/GROUP/survivors.txt for judging (equivalent mutant or real gap).
Survival rate = survived / (killed + survived + timeout); a timeout counts as detected.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench-out" / "mutation"
RESULTS = ROOT / "benchmarks" / "results" / "mutation.json"


@dataclass(frozen=True)
class Group:
    # file under src/ -> the functions to mutate in it (mutmut's mangled names, fnmatch
    # patterns such as "xǁRecordsǁreadable*" or "x__readable_clause*"); () means all
    files: dict[str, tuple[str, ...]]
    tests: tuple[str, ...]

    def patterns(self) -> list[str]:
        """mutmut run's mutant-name arguments; [] when every function is wanted."""
        if not any(self.files.values()):
            return []
        out = []
        for file, functions in self.files.items():
            module = file.removeprefix("src/").removesuffix(".py").replace("/", ".")
            out += [f"{module}.{f}" for f in functions] or [f"{module}.*"]
        return out


def _all(*files: str) -> dict[str, tuple[str, ...]]:
    return {f: () for f in files}


PRIVACY = "src/jisik/privacy/"
AUDIT = "src/jisik/audit/"
GROUPS: dict[str, Group] = {
    # Detection: check digits, birth dates, the normaliser, the detector.
    "detect": Group(
        _all(*(PRIVACY + f for f in ("checks.py", "detect.py", "normal.py"))),
        (
            "tests/unit/test_check_digits.py",
            "tests/unit/test_pii_detect.py",
            "tests/unit/test_identifier_normaliser.py",
        ),
    ),
    # The shapes and context rules of each type (the largest module: a group of its own).
    "rules": Group(
        _all(PRIVACY + "rules.py"),
        (
            "tests/unit/test_check_digits.py",
            "tests/unit/test_pii_detect.py",
            "tests/unit/test_identifier_normaliser.py",
        ),
    ),
    # What is stored and shown: policies, redaction, the ingest/answer guard, the scorer.
    "policy": Group(
        _all(*(PRIVACY + f for f in ("policy.py", "redact.py", "guard.py", "scoring.py"))),
        (
            "tests/unit/test_pii_detect.py",
            "tests/integration/test_pii_policies.py",
            "tests/integration/test_erasure.py",
            "tests/integration/test_erasure_hardening.py",
        ),
    ),
    # Erasure: subject, find, erase, probe (and the index's count of entries), receipts.
    "erasure": Group(
        {
            **_all(
                *(
                    PRIVACY + f
                    for f in (
                        "subject.py",
                        "locate.py",
                        "erasure.py",
                        "homefiles.py",
                        "rawprobe.py",
                        "receipts.py",
                    )
                )
            ),
            "src/jisik/index/embedded.py": ("xǁEmbeddedIndexǁentries_present*",),
        },
        (
            "tests/unit/test_identifier_normaliser.py",
            "tests/integration/test_erasure.py",
            "tests/integration/test_erasure_hardening.py",
            "tests/integration/test_probe_counters.py",
        ),
    ),
    # The receipt alone (signature, keyed identifiers, what it signs): a quicker run of
    # the part of "erasure" an attacker forges.
    "receipts": Group(
        _all(PRIVACY + "receipts.py"),
        (
            "tests/unit/test_receipt_vectors.py",
            "tests/integration/test_erasure_hardening.py",
            "tests/integration/test_erasure.py",
        ),
    ),
    "audit": Group(
        _all(
            *(
                AUDIT + f
                for f in (
                    "actors.py",
                    "canonical.py",
                    "chain.py",
                    "checkpoint.py",
                    "links.py",
                    "registry.py",
                    "retention.py",
                    "verify.py",
                )
            )
        ),
        (
            "tests/unit/test_audit_chain.py",
            "tests/unit/test_audit_checkpoint.py",
            "tests/unit/test_audit_tamper_fuzz.py",
            "tests/integration/test_audit_trail.py",
            "tests/integration/test_audit_cli.py",
        ),
    ),
    "citations": Group(
        _all("src/jisik/answer/citations.py"),
        ("tests/unit/test_citation_verify.py", "tests/integration/test_answer_integrity.py"),
    ),
    "access": Group(_all("src/jisik/access.py"), ("tests/unit/test_access_rules.py",)),
    # The permission filters: the records' (Python and SQL) and the index's.
    "readers": Group(
        {
            "src/jisik/store/records.py": ("xǁRecordsǁreadable*", "x__readable_clause*"),
            "src/jisik/index/lexical.py": ("xǁLexicalIndexǁsearch*",),
            "src/jisik/index/vectors.py": (
                "xǁ_Segmentǁallowed_rows*",
                "xǁVectorIndexǁsearch*",
                "xǁVectorIndexǁ_search_graph*",
                "x__top_rows*",
                "xǁVectorIndexǁreaders_of*",
            ),
        },
        (
            "tests/unit/test_vectors.py",
            "tests/contract/test_index_contract.py",
            "tests/integration/test_permissions.py",
            "tests/integration/test_readable_recheck.py",
        ),
    ),
}

# Appended to the copy's tests/conftest.py only.
HYPOTHESIS_PROFILE = """

# --- added by benchmarks/mutation.py in its copy of the project ---
from hypothesis import settings as _mutation_settings

_mutation_settings.register_profile("mutation", deadline=None, derandomize=True)
_mutation_settings.load_profile("mutation")
"""

# Put in the copy as _site/sitecustomize.py, on PYTHONPATH for the run. The mutants'
# folder is only added once it exists: an entry for a missing folder would be cached by
# the import system as "nothing here" and never looked at again.
SITECUSTOMIZE = """
import os, sys

_original = os.environ.get("JISIK_MUTATION_ORIGINAL_SRC")
if _original:
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _original]
_mutants = os.environ.get("JISIK_MUTATION_MUTANTS_SRC")
if _mutants and os.path.isdir(_mutants) and _mutants not in sys.path:
    sys.path.insert(0, _mutants)
"""

STATUS = {  # mutmut's exit codes (mutmut.stats.status_by_exit_code)
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "killed",
    None: "not checked",
}


def _export(tree: str, target: Path) -> None:
    """The project's files (src, tests, pyproject.toml) into ``target``."""
    paths = ["src", "tests", "pyproject.toml"]
    if tree == "head":
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD", *paths],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        tar = target / "head.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as handle:
            handle.extractall(target, filter="data")
        tar.unlink()
        return
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z", *paths],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for relative in filter(None, listed):
        source = ROOT / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)


def _toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(name: str, group: Group, tree: str) -> Path:
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _export(tree, work)
    with open(work / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["src"]\n'
            f"only_mutate = {_toml_list(list(group.files))}\n"
            f"pytest_add_cli_args_test_selection = {_toml_list(group.tests)}\n"
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
            "use_git_change_detection = false\n"
            # mutmut times only the test calls, not fixtures (a module fixture that ingests
            # a handbook takes seconds): a fixed allowance keeps those from timing out.
            "timeout_multiplier = 4.0\n"
            # Forked straight from the process that ran the suite, a mutant inherits the
            # locks of threads it does not have (Kiwi's, tantivy's) and can hang; a fork
            # server that has only imported pytest and collected is safe to fork.
            'process_isolation = "forkserver"\n'
            "timeout_constant = 60.0\n"
        )
    with open(work / "tests" / "conftest.py", "a", encoding="utf-8") as handle:
        handle.write(HYPOTHESIS_PROFILE)
    (work / "_site").mkdir()
    (work / "_site" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return work


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(work / "_site"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "JISIK_MUTATION_ORIGINAL_SRC": os.path.realpath(ROOT / "src"),
        "JISIK_MUTATION_MUTANTS_SRC": str(work / "mutants" / "src"),
    }


def run(name: str, group: Group, max_children: int) -> float:
    work = WORK / name
    env = _env(work)
    started = time.monotonic()
    with open(work / "mutmut.log", "w", encoding="utf-8") as log:
        done = subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
            + group.patterns(),
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        print(f"{name}: mutmut exited {done.returncode}; see {work / 'mutmut.log'}")
    return time.monotonic() - started


def _wanted(key: str, patterns: list[str]) -> bool:
    return not patterns or any(fnmatch(key, p) for p in patterns)


def summarise(name: str, group: Group) -> dict[str, dict]:
    """Per module counts from mutmut's .meta files; survivors' diffs to survivors.txt."""
    work = WORK / name
    modules: dict[str, dict] = {}
    survivors: list[str] = []
    patterns = group.patterns()
    for file in group.files:
        meta = work / "mutants" / (file + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts = Counter(
            STATUS.get(code, "suspicious") for key, code in codes.items() if _wanted(key, patterns)
        )
        survivors += sorted(
            key for key, code in codes.items() if _wanted(key, patterns) and code == 0
        )
        tested = counts["killed"] + counts["survived"] + counts["timeout"]
        modules[file.removeprefix("src/")] = {
            "mutants": sum(counts.values()),
            "killed": counts["killed"],
            "survived": counts["survived"],
            "timeout": counts["timeout"],
            "no_tests": counts["no tests"],
            "other": sum(counts.values()) - tested - counts["no tests"],
            "survival_rate": round(counts["survived"] / tested, 3) if tested else None,
        }
    env = _env(work)
    with open(work / "survivors.txt", "w", encoding="utf-8") as out:
        for key in survivors:
            shown = subprocess.run(
                [sys.executable, "-m", "mutmut", "show", key],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            out.write(shown.stdout + "\n")
    return modules


def _table(summary: dict[str, dict]) -> str:
    lines = [
        f"{'module':42} {'mutants':>7} {'killed':>6} {'surv.':>5} {'t/o':>4} {'none':>4} {'rate':>6}"
    ]
    total = Counter()
    for module, c in summary.items():
        rate = "-" if c["survival_rate"] is None else f"{c['survival_rate']:.3f}"
        lines.append(
            f"{module:42} {c['mutants']:7} {c['killed']:6} {c['survived']:5} "
            f"{c['timeout']:4} {c['no_tests']:4} {rate:>6}"
        )
        total.update({k: c[k] for k in ("mutants", "killed", "survived", "timeout", "no_tests")})
    tested = total["killed"] + total["survived"] + total["timeout"]
    rate = f"{total['survived'] / tested:.3f}" if tested else "-"
    lines.append(
        f"{'total':42} {total['mutants']:7} {total['killed']:6} {total['survived']:5} "
        f"{total['timeout']:4} {total['no_tests']:4} {rate:>6}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group", action="append", choices=sorted(GROUPS))
    parser.add_argument("--tree", choices=("head", "worktree"), default="head")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--report", action="store_true", help="summarise the last run only")
    parser.add_argument("--record", help="store the summary under this label in results/")
    args = parser.parse_args()
    names = args.group or list(GROUPS)
    summary_path = WORK / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for name in names:
        group = GROUPS[name]
        if not args.report:
            prepare(name, group, args.tree)
            seconds = run(name, group, args.max_children)
            print(f"{name}: {seconds:.0f} s")
        summary.update(summarise(name, group))
        summary_path.parent.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    shown = {
        m: summary[m]
        for n in names
        for m in summary
        if m in [f.removeprefix("src/") for f in GROUPS[n].files]
    }
    print(_table(shown))
    if args.record:
        recorded = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        recorded.setdefault(args.record, {}).update(shown)
        RESULTS.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
