"""Benchmark: vpcreach against cfn-lint and against the floor, on generated templates of growing size.

    .venv/bin/python bench/run.py                 # full run: all sizes, 5 runs each (several minutes: cfn-lint)
    .venv/bin/python bench/run.py --runs 3 --sizes r016,r480
    .venv/bin/python bench/run.py --dirs          # also: directory scans, serial vs process pool

Every figure is the median wall time of `--runs` separate processes (subprocess start to exit), the commands
of one round interleaved so that drift on a shared machine hits them alike:

- vpcreach    `vpcreach scan T.yaml` (the console script of this interpreter's environment)
- cfn-lint    `cfn-lint T.yaml` on the same template
- floor       a bare Python process that only reads T.yaml with PyYAML's C loader: no analyzer can do less
- terraform   `vpcreach scan T-tf/` on the Terraform twin (when `vpcreach.parsers.terraform.parse_module`
              exists; otherwise "n/a" and the reason)

Targets on the ~480-resource template: vpcreach ≤ 0.25 × cfn-lint and ≤ 4 × the floor; startup
(`vpcreach --version`) ≤ 0.15 s; cost linear in resources (the walk is per ENI group, not per function).
This is a script, not a test: timings depend on the machine and must not fail a build.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # bench/ is a directory of scripts, not a package

BIN = os.path.dirname(sys.executable)
FLOOR = (
    "import sys, yaml\n"
    "class L(yaml.CSafeLoader): pass\n"
    "L.add_multi_constructor('!', lambda loader, suffix, node: None)\n"
    "with open(sys.argv[1], encoding='utf-8') as fh: yaml.load(fh.read(), Loader=L)\n"
)
TARGET_CFN_LINT = 0.25
TARGET_FLOOR = 4.0
TARGET_STARTUP = 0.15


def _tool(name: str) -> list[str] | None:
    path = os.path.join(BIN, name)
    if os.path.exists(path):
        return [path]
    found = shutil.which(name)
    return [found] if found else None


def vpcreach_cmd() -> list[str]:
    return _tool("vpcreach") or [sys.executable, "-m", "vpcreach.cli"]


def terraform_status() -> str | None:
    """None when the Terraform parser can be used, else why not."""
    try:
        from vpcreach.parsers.terraform import parse_module  # noqa: F401
    except ImportError as exc:
        return f"vpcreach.parsers.terraform.parse_module is not importable yet ({exc})"
    return None


def compile_project() -> list[str]:
    """Write the bytecode of vpcreach's own modules, as `pip install` does, and return the folders compiled.

    An editable install leaves vpcreach's modules as source; where PYTHONDONTWRITEBYTECODE is set (it is on
    this project's machines) every timed run would then compile the ~50 modules a scan imports again (~0.12 s), a cost no
    installed copy pays. cfn-lint, networkx and PyYAML were compiled when pip installed them.
    """
    import compileall
    import importlib.util

    done = []
    for package in ("vpcreach", "vpcreach.analyzer", "vpcreach.parsers", "vpcreach.graph"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            if folder not in done:
                compileall.compile_dir(folder, quiet=1)
                done.append(folder)
    return done


def wall(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time of one run, and the CPU time (user + system) of the process and the children it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {tail[0]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def medians(commands: dict[str, list[str]], runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    """Median wall time per command name, and median CPU time under "<name> cpu"."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():  # one warm-up each: the page cache
        wall(cmd, env)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(wall(cmd, env))
    out = {}
    for name, values in samples.items():
        out[name] = statistics.median(v[0] for v in values)
        out[f"{name} cpu"] = statistics.median(v[1] for v in values)
    return out


def eni_groups(spec: generate.Spec) -> int:
    return len({(s, tuple(sorted(fn.security_groups))) for fn in spec.functions if fn.subnets for s in fn.subnets})


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except OSError:
        load = "load average unknown"
    return (
        f"nproc {len(os.sched_getaffinity(0))}, {cpu}, Python {platform.python_version()}, {platform.system()}; {load}"
    )


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


def bench_templates(outdir: str, names: list[str] | None, runs: int, with_cfn_lint: bool) -> list[dict]:
    vp = vpcreach_cmd()
    lint = _tool("cfn-lint") if with_cfn_lint else None
    tf_missing = terraform_status()
    rows = []
    for name, spec in generate.ladder():
        if names and name not in names:
            continue
        cfn_path, tf_dir = generate.write(outdir, name, spec)
        commands = {"vpcreach": [*vp, "scan", cfn_path], "floor": [sys.executable, "-c", FLOOR, cfn_path]}
        if lint:
            commands["cfn-lint"] = [*lint, cfn_path]
        if tf_missing is None:
            commands["terraform"] = [*vp, "scan", tf_dir]
        print(
            f"  {name}: {spec.resource_count()} resources, {len(spec.functions)} functions ...",
            file=sys.stderr,
            flush=True,
        )
        times = medians(commands, runs)
        rows.append(
            {
                "name": name,
                "resources": spec.resource_count(),
                "functions": len(spec.functions),
                "groups": eni_groups(spec),
                **times,
            }
        )
    return rows


def print_table(rows: list[dict], startup: float, runs: int) -> None:
    tf_missing = terraform_status()
    print(f"\nmachine: {machine()}; median of {runs} runs; startup (`vpcreach --version`) {startup:.3f} s\n")
    print(
        "| template | resources | functions | ENI groups | vpcreach | cfn-lint | floor | vpcreach / cfn-lint "
        "| vpcreach / floor | Terraform twin |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        lint = r.get("cfn-lint")
        vs_lint = f"{r['vpcreach'] / lint:.2f} ×" if lint else "n/a"
        print(
            f"| {r['name']} | {r['resources']} | {r['functions']} | {r['groups']} | {fmt(r['vpcreach'])} | "
            f"{fmt(lint)} | {fmt(r['floor'])} | {vs_lint} | {r['vpcreach'] / r['floor']:.1f} × | "
            f"{fmt(r.get('terraform'))} |"
        )
    print("\nCPU time (user + system, median) — less sensitive than wall time to other load on the machine:\n")
    print("| template | vpcreach | cfn-lint | floor | vpcreach / cfn-lint | vpcreach / floor | Terraform twin |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        lint = r.get("cfn-lint cpu")
        vs_lint = f"{r['vpcreach cpu'] / lint:.2f} ×" if lint else "n/a"
        print(
            f"| {r['name']} | {fmt(r['vpcreach cpu'])} | {fmt(lint)} | {fmt(r['floor cpu'])} | {vs_lint} | "
            f"{r['vpcreach cpu'] / r['floor cpu']:.1f} × | {fmt(r.get('terraform cpu'))} |"
        )
    if tf_missing:
        print(f"\nTerraform twin: n/a — {tf_missing}")


def verdicts(rows: list[dict], startup: float) -> list[str]:
    out = []
    big = max(rows, key=lambda r: r["resources"])
    ok = startup <= TARGET_STARTUP
    out.append(f"startup {startup:.3f} s (target ≤ {TARGET_STARTUP} s): {'met' if ok else 'NOT met'}")
    if big.get("cfn-lint"):
        ratio = big["vpcreach"] / big["cfn-lint"]
        out.append(
            f"{big['name']}: vpcreach / cfn-lint = {ratio:.2f} (target ≤ {TARGET_CFN_LINT}): "
            f"{'met' if ratio <= TARGET_CFN_LINT else 'NOT met'}"
        )
    ratio = big["vpcreach"] / big["floor"]
    cpu_ratio = big["vpcreach cpu"] / big["floor cpu"]
    out.append(
        f"{big['name']}: vpcreach / floor = {ratio:.1f} (target ≤ {TARGET_FLOOR}): "
        f"{'met' if ratio <= TARGET_FLOOR else 'NOT met'} (in CPU time {cpu_ratio:.1f})"
    )
    # Linearity: the cost per added resource must not grow with size. Single steps of the ladder are within
    # the noise at the small end, so compare the slope over the first half of the ladder with the last step.
    if len(rows) >= 3:
        mid = rows[len(rows) // 2]
        first, before_last, last = rows[0], rows[-2], rows[-1]
        early = (mid["vpcreach"] - first["vpcreach"]) / (mid["resources"] - first["resources"]) * 1000
        late = (last["vpcreach"] - before_last["vpcreach"]) / (last["resources"] - before_last["resources"]) * 1000
        linear = late <= 2 * max(early, 0.5)
        out.append(
            f"cost per added resource: {early:.2f} ms from {first['name']} to {mid['name']}, {late:.2f} ms from "
            f"{before_last['name']} to {last['name']}: {'linear' if linear else 'NOT linear (grows faster than resources)'}"
        )
    return out


def bench_dirs(outdir: str, runs: int) -> None:
    """A directory of N small templates: serial (VPCREACH_JOBS=1) against the process pool."""
    vp = vpcreach_cmd()
    print("\nDirectory scans (templates of ~60 resources each):\n")
    print("| templates | serial | pool (2 workers) | auto | auto chose |")
    print("|--:|--:|--:|--:|---|")
    spec = generate.layout(20, azs=2, private_per_az=2, security_groups=3)
    text = generate.to_cfn(spec)
    for count in (1, 2, 4, 8, 16, 32):
        folder = os.path.join(outdir, f"dir{count}")
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            with open(os.path.join(folder, f"t{i:03d}.yaml"), "w", encoding="utf-8") as fh:
                fh.write(text)
        cmd = [*vp, "scan", folder]
        serial = medians({"x": cmd}, runs, {**os.environ, "VPCREACH_JOBS": "1"})["x"]
        pool = medians({"x": cmd}, runs, {**os.environ, "VPCREACH_JOBS": "2"})["x"]
        auto = medians({"x": cmd}, runs, {k: v for k, v in os.environ.items() if k != "VPCREACH_JOBS"})["x"]
        from vpcreach.run import choose_jobs

        chose = choose_jobs([os.path.join(folder, f) for f in sorted(os.listdir(folder))])
        print(
            f"| {count} | {fmt(serial)} | {fmt(pool)} | {fmt(auto)} | {'serial' if chose <= 1 else f'{chose} workers'} |"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per command (median), default 5")
    ap.add_argument("--sizes", help="comma list of template names (r016,r030,r060,r120,r240,r480)")
    ap.add_argument("--no-cfn-lint", action="store_true", help="skip cfn-lint (it takes most of the time)")
    ap.add_argument("--dirs", action="store_true", help="also measure directory scans, serial against the pool")
    ap.add_argument("--keep", metavar="DIR", help="write the generated templates to DIR and keep them")
    args = ap.parse_args(argv)
    outdir = args.keep or tempfile.mkdtemp(prefix="vpcreach-bench-")
    try:
        print(f"generated templates in {outdir}", file=sys.stderr, flush=True)
        for folder in compile_project():
            print(f"bytecode written for {folder}", file=sys.stderr, flush=True)
        startup = medians({"startup": [*vpcreach_cmd(), "--version"]}, max(args.runs, 9))["startup"]
        names = args.sizes.split(",") if args.sizes else None
        rows = bench_templates(outdir, names, args.runs, not args.no_cfn_lint)
        print_table(rows, startup, args.runs)
        print()
        for line in verdicts(rows, startup):
            print(f"- {line}")
        if args.dirs:
            bench_dirs(outdir, args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(outdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
