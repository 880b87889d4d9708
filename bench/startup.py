"""Benchmark (not a test): how long `jixiao` takes to start.

Each command runs in a fresh process, --runs times, and the median wall time (and
the processor time the process used, user + system, which a machine busy with other
work inflates less) is printed for
- `python -c pass`: the interpreter alone, the floor every command pays;
- `jixiao --help`: the parser and its help (goal: under 100 ms);
- `jixiao score FILE`: one built-in example YAML file scored and printed (goal: under 150 ms);
each also as a ratio to the bare interpreter measured in the same run. The commands
run as the `jixiao` console script does (`from scoring.cli import main`).

An installed package has its bytecode compiled (pip writes the .pyc files); so that a
source tree measures the same, the runs keep their bytecode in a temporary
PYTHONPYCACHEPREFIX, written by one unmeasured run first, whatever
PYTHONDONTWRITEBYTECODE says. --no-bytecode measures with every module of the tree
compiled from source on each run instead.

--against DIR measures the same commands with the package of another tree (e.g. a
commit's `git archive` unpacked into DIR) in the same run, for a before/after
comparison. --imports prints the modules whose import costs `jixiao score` most, by
`python -X importtime` (self time, summed per package), medians over the runs.

    python bench/startup.py [--runs N] [--file FILE] [--against DIR] [--imports] [--no-bytecode]
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = "import sys; from scoring.cli import main; sys.exit(main())"
ISSUE_BASELINE_SCORE = 210.0  # ms: issue 18's figure for the baseline's `jixiao score FILE`


def environment(tree: Path, cache: str | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def commands(file: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {"python -c pass": [python, "-c", "pass"],
            "jixiao --help": [python, "-c", JIXIAO, "--help"],
            "jixiao score FILE": [python, "-c", JIXIAO, "score", str(file)]}


def _processor() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(trees: dict[str, tuple[Path, dict]], file: Path,
            runs: int) -> dict[str, dict[str, tuple[float, float]]]:
    """Medians in ms of `runs` fresh processes per tree and command, (wall time, processor
    time), the runs of every tree and command interleaved so that a busy moment of the
    machine weighs on all alike (one unmeasured run of each first)."""
    times: dict[str, dict[str, list[tuple[float, float]]]] = {
        label: {name: [] for name in commands(file)} for label in trees}
    for n in range(runs + 1):
        for label, (tree, env) in trees.items():
            for name, command in commands(file).items():
                started, processor = time.perf_counter(), _processor()
                subprocess.run(command, check=False, env=env, cwd=tree,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if n:
                    times[label][name].append(((time.perf_counter() - started) * 1000,
                                               (_processor() - processor) * 1000))
    return {label: {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
                    for name, t in by.items()} for label, by in times.items()}


def imports(tree: Path, file: Path, runs: int, cache: str | None,
            top: int = 15) -> list[tuple[str, float]]:
    """The packages whose own import time is largest in `jixiao score FILE`, in ms (medians)."""
    env = environment(tree, cache)
    totals: list[collections.Counter] = []
    for _ in range(max(3, runs // 3)):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", JIXIAO, "score", str(file)],
                              check=False, env=env, cwd=tree, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        counter: collections.Counter = collections.Counter()
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line[len("import time:"):].split("|")
            parts = name.strip().split(".")
            counter[".".join(parts[:3] if parts[0] == "scoring" else parts[:1])] += int(own) / 1000
        totals.append(counter)
    names = set().union(*totals)
    medians = {name: statistics.median(c.get(name, 0.0) for c in totals) for name in names}
    return sorted(medians.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--file", type=Path,
                        default=ROOT / "examples" / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")
    parser.add_argument("--against", type=Path, metavar="DIR", help="another tree to measure in the same run")
    parser.add_argument("--imports", action="store_true", help="print what `jixiao score` spends its imports on")
    parser.add_argument("--no-bytecode", action="store_true", help="compile every module from source on each run")
    args = parser.parse_args()
    file = args.file.resolve()
    trees = {"this tree": ROOT} | ({str(args.against): args.against.resolve()} if args.against else {})
    with tempfile.TemporaryDirectory() as tmp:
        caches = {label: None if args.no_bytecode else str(Path(tmp) / str(n))
                  for n, label in enumerate(trees)}
        figures = measure({label: (tree, environment(tree, caches[label]))
                           for label, tree in trees.items()}, file, args.runs)
        bytecode = "compiled from source each run" if args.no_bytecode else "bytecode cached as installed"
        print(f"FILE = {file.name}; medians of {args.runs} runs ({bytecode}), ms; "
              "× = ratio to `python -c pass` of the same tree's runs")
        for label, found in figures.items():
            floor, floor_cpu = found["python -c pass"]
            print(f"{label}:{'wall':>21} {'':8} {'processor':>10}")
            for name, (ms, cpu) in found.items():
                print(f"  {name:<20} {ms:7.1f} {ms / floor:6.2f}×   {cpu:7.1f} {cpu / floor_cpu:6.2f}×")
        here = {name: ms for name, (ms, _) in figures["this tree"].items()}
        if args.against:
            before = {name: ms for name, (ms, _) in figures[str(args.against)].items()}
            print(f"this tree against {args.against} (wall): " + "; ".join(
                f"{name} {before[name] / here[name]:.2f}× faster" for name in here if name != "python -c pass"))
        goals = {"jixiao --help": 100.0, "jixiao score FILE": 150.0}
        print("goals: " + "; ".join(f"{name} under {goal:.0f} ms: {'met' if here[name] < goal else 'NOT met'}"
                                    for name, goal in goals.items()))
        if args.against:
            # The issue measured the baseline's `jixiao score FILE` at 210 ms on its machine, so its goal
            # of 150 ms asks for 210/150 = 1.40× faster; a slower or busier machine measures both higher.
            wanted = ISSUE_BASELINE_SCORE / goals["jixiao score FILE"]
            faster = before["jixiao score FILE"] / here["jixiao score FILE"]
            print(f"jixiao score FILE by ratio (the issue's baseline {ISSUE_BASELINE_SCORE:.0f} ms, so the goal is "
                  f"{wanted:.2f}× faster than the baseline): {faster:.2f}× faster than {args.against} in this run, "
                  f"{'met' if faster >= wanted else 'NOT met'}")
        if args.imports:
            print(f"\nimports of `jixiao score {file.name}` by own time "
              "(python -X importtime, medians, ms):")
            for name, ms in imports(ROOT, file, args.runs, caches["this tree"]):
                print(f"  {ms:6.1f}  {name}")


if __name__ == "__main__":
    main()
