"""Run a server under cProfile, profiling only between SIGUSR1 and SIGUSR2.

Start-up and imports stay out of the profile: ``run.py`` sends SIGUSR1 when the load starts
and SIGUSR2 when it ends, which writes the statistics to OUT.

    python benchmarks/profiled.py OUT -m package [args...]
    python benchmarks/profiled.py OUT script.py [args...]
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys

profiler = cProfile.Profile()


def main() -> None:
    out = sys.argv[1]
    rest = sys.argv[2:]

    def start(*_: object) -> None:
        profiler.enable()

    def stop(*_: object) -> None:
        profiler.disable()
        profiler.dump_stats(out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(rest)
        sys.path.insert(0, str(__import__("pathlib").Path(rest[0]).resolve().parent))
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
