"""Helpers for tests that run a writer in another process and kill it mid-run."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def kill_after_batches(script: str, *args: str, batches: int = 4) -> None:
    """Run ``script`` (a ``python -c`` program printing a line per committed batch), let
    ``batches`` batches commit, then kill it with SIGKILL in the middle of the next one."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(batches):
            assert proc.stdout.readline()
        time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
