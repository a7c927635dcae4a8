"""Pieces shared by the scripts that measure Crible next to its peers (eval_peers.py, bench_peers.py)."""

from __future__ import annotations

import subprocess
from typing import Optional


def command_output(command: list[str]) -> Optional[str]:
    """A command's standard output, stripped, or None when it cannot run or fails."""
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True
                              ).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return None
