"""Benchmark: the HTML picture (`scan --graph-out`) against the scan itself, as the functions grow.

    .venv/bin/python bench/picture.py                    # 500, 1000, 2000 and 4000 functions
    .venv/bin/python bench/picture.py --functions 2000   # one size

Each function gets a security group of its own (`generate.layout(n, azs=2, private_per_az=1,
security_groups=n)`), so no two functions share a box and the picture has 2n ENI groups: the worst case for
the layout, which cannot fold functions together. Figures are CPU seconds of this process (the machine
is shared; wall time would measure the neighbours), for the analysis and for the picture of it.

Target: the picture costs about as much as the scan and grows near-linearly with the functions. Before the
layout's quadratic scans were removed (issue 12), 500 / 1,000 / 2,000 functions took 5.9 / 24 / 94 CPU
seconds to draw (2,000: over 150 s of wall time on a loaded machine), against 0.4 / 0.8 / 1.6 s to scan.
This is a script, not a test: timings depend on the machine and must not fail a build.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # bench/ is a directory of scripts, not a package


def measure(functions: int, outdir: str) -> tuple[float, float, int]:
    """(analysis CPU s, picture CPU s, page bytes) for one generated template."""
    from vpcreach.reports.picture import write_html
    from vpcreach.run import RunRequest, execute

    spec = generate.layout(functions, azs=2, private_per_az=1, security_groups=functions)
    path = os.path.join(outdir, f"picture{functions}.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(generate.to_cfn(spec))
    start = time.process_time()
    analyses = execute(RunRequest(paths=[path])).analyses
    scanned = time.process_time()
    page = os.path.join(outdir, f"picture{functions}.html")
    write_html(analyses, page)
    drawn = time.process_time()
    return scanned - start, drawn - scanned, os.path.getsize(page)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--functions", type=int, action="append", help="function count (repeatable)")
    args = ap.parse_args(argv)
    sizes = args.functions or [500, 1000, 2000, 4000]
    print(f"{'functions':>9}  {'scan s':>7}  {'picture s':>9}  {'page KB':>8}")
    with tempfile.TemporaryDirectory() as outdir:
        for n in sizes:
            scan, picture, size = measure(n, outdir)
            print(f"{n:>9}  {scan:>7.1f}  {picture:>9.1f}  {size // 1024:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
