"""``make bench`` / ``python -m bench [--quick]``: run the benchmarks, print a table and
rewrite the generated part of BENCHMARKS.md (between the bench markers; the notes
around it are kept)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import close_day, http, imports, meetings, pending
from bench.common import BACKENDS, Row, postgres_available

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
console = Console()


def _cases(args: argparse.Namespace) -> list[tuple[str, Any]]:
    backends = [b for b in args.backends.split(",") if b]
    if "postgresql" in backends and not postgres_available():
        console.print("[yellow]PostgreSQL not reachable: SQLite only[/yellow]")
        backends = [b for b in backends if b != "postgresql"]
    cases: list[tuple[str, Any]] = []
    for b in backends:
        if "meetings" in args.only:
            cases.append((f"meetings/{b}", partial(meetings.run, b, args.groups, args.months)))
        if "imports" in args.only:
            cases.append((f"imports/{b}", partial(imports.run, b, args.members)))
        if "http" in args.only:
            for w in args.workers:
                run = partial(http.run, b, args.agents, args.seconds, workers=w)
                cases.append((f"http/{b}/{w}", run))
        if "closeday" in args.only and b == "postgresql":
            for n in args.loans:
                cases.append((f"closeday/{n}", partial(close_day.run, b, n, keep=args.keep)))
    return cases


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def table_rows(rows: list[Row]) -> list[list[str]]:
    return [
        [
            r.bench,
            r.backend,
            r.size,
            r.figure,
            _fmt(r.value, r.unit) if r.figure != "pending" else "",
            f"{r.baseline} {_fmt(r.baseline_value, r.unit)}".strip(),
            "" if r.ratio is None else f"{r.ratio:.0%}",
            _fmt(r.peak_mb, "MiB"),
            r.note,
        ]
        for r in rows
    ]


HEAD = ["bench", "db", "size", "figure", "value", "baseline (same run)", "ratio", "peak", "note"]


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{datetime.now():%Y-%m-%d %H:%M}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load} (1/5/15 min), Python "
        f"{platform.python_version()}"
    )


def markdown(rows: list[Row], args: argparse.Namespace, before: str, after: str) -> str:
    lines = [
        START,
        f"Run `{' '.join(['python -m bench', *sys.argv[1:]])}` on {before}; "
        f"load average after the run {after}.",
        "",
        "| " + " | ".join(HEAD) + " |",
        "|" + "---|" * len(HEAD),
    ]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in table_rows(rows)]
    lines.append(END)
    return "\n".join(lines)


def write_markdown(path: Path, block: str) -> None:
    text = (
        path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    )
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument(
        "--only", default="meetings,imports,closeday,http,pending", help="which benchmarks"
    )
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--groups", type=int, help="(1) groups posted through the service")
    parser.add_argument("--months", type=int, help="(1) months of meetings per group")
    parser.add_argument("--members", type=int, help="(4) members in the imported sheet")
    parser.add_argument("--loans", help="(2) loan book sizes for close-day, e.g. 100000,300000")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="(2, 3) keep each loan book in a database kuza_bench_book_N and reuse it",
    )
    parser.add_argument("--agents", type=int, default=50, help="(5) concurrent HTTP agents")
    parser.add_argument(
        "--workers", default="1", help="(5) uvicorn worker processes to compare, e.g. 1,2,4"
    )
    parser.add_argument("--seconds", type=float, help="(5) how long the agents post")
    parser.add_argument("--output", default="BENCHMARKS.md", help="'-' for none")
    args = parser.parse_args(argv)
    args.groups = args.groups or (4 if args.quick else 40)
    args.months = args.months or (2 if args.quick else 3)
    args.members = args.members or (2_000 if args.quick else 100_000)
    loans = args.loans or ("2000,6000" if args.quick else "100000,300000")
    args.loans = [int(n) for n in loans.split(",") if n]
    args.seconds = args.seconds or (5.0 if args.quick else 60.0)
    args.workers = [int(n) for n in args.workers.split(",") if n]
    before = machine()
    rows: list[Row] = []
    spawn = multiprocessing.get_context("spawn")
    for name, case in _cases(args):
        console.print(f"running {name} …")
        # A fresh process per case: its peak memory is its own.
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            done = pool.submit(case).result()
        for r in table_rows(done):  # as it comes, so a later crash loses nothing
            console.print(" | ".join(r))
        rows += done
    if "pending" in args.only:
        rows += pending.run()
    table = Table(*HEAD, title="Kuza benchmarks (figure vs baseline measured in the same run)")
    for r in table_rows(rows):
        table.add_row(*r)
    console.print(table)
    if args.output != "-":
        after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        write_markdown(Path(args.output), markdown(rows, args, before, after))
        console.print(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
