"""Fallback for launcher.c when no C compiler is around: the same contract, in Python.

    python -I -S launcher.py RESULT_FILE PROGRAM [ARGS...]

The child is forked from this small interpreter (~10 MB), not from the benchmark, so its
peak RSS is max(~10 MB, its own peak) instead of max(benchmark's RSS, its own peak).
"""

import os
import sys


def main() -> int:
    if len(sys.argv) < 3:
        sys.stderr.write("usage: launcher.py RESULT_FILE PROGRAM [ARGS...]\n")
        return 2
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    code = code if code >= 0 else 128 - code
    with open(sys.argv[1], "w") as out:
        out.write(f"{usage.ru_utime:.6f} {usage.ru_stime:.6f} {usage.ru_maxrss} {code}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
