"""Run every benchmark in bench/, one after another, and print their tables.

    python bench/run.py            # all of them
    python bench/run.py meeting_latency

Each benchmark is a script with its own bounded waits; one that fails does not
stop the others, and the exit code says whether all of them succeeded.
"""

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# A whole benchmark, subprocesses included, never runs longer than this.
BENCHMARK_TIMEOUT_SECONDS = 30 * 60


def benchmarks(names: list[str]) -> list[Path]:
    found = sorted(p for p in BENCH_DIR.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))
    if not names:
        return found
    wanted = {name.removesuffix(".py") for name in names}
    unknown = wanted - {p.stem for p in found}
    if unknown:
        raise SystemExit(f"No such benchmark: {', '.join(sorted(unknown))}. Known: {', '.join(p.stem for p in found)}")
    return [p for p in found if p.stem in wanted]


def run(script: Path) -> bool:
    print(f"\n# {script.stem}", flush=True)
    try:
        completed = subprocess.run(
            [sys.executable, str(script)], cwd=BENCH_DIR.parent, timeout=BENCHMARK_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        print(f"{script.stem} did not finish within {BENCHMARK_TIMEOUT_SECONDS // 60} minutes.")
        return False
    if completed.returncode != 0:
        print(f"{script.stem} exited with code {completed.returncode}.")
    return completed.returncode == 0


def main() -> int:
    results = [run(script) for script in benchmarks(sys.argv[1:])]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
