"""Run ``mockaudit ARGS`` in a fresh process and report its exit code and peak RSS.

``ru_maxrss`` survives fork and exec on Linux, so a process started straight from
pytest would report pytest's own peak. This small launcher therefore starts the
command as *its* child and reads ``getrusage(RUSAGE_CHILDREN)`` once it has exited:
``RESULT <exit code> <peak RSS KiB>`` on the last stdout line. The command's own
stdout and stderr pass through.
"""

from __future__ import annotations

import resource
import subprocess
import sys


def inner() -> None:
    from mockaudit.cli import main

    main(sys.argv[2:])


def outer() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integrity.rss_child", "--inner", *sys.argv[1:]]
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(f"RESULT {proc.returncode} {peak}", flush=True)


if __name__ == "__main__":
    inner() if sys.argv[1:2] == ["--inner"] else outer()
