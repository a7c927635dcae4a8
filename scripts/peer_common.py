"""Pieces shared by the scripts that measure Crible next to its peers (eval_peers.py, bench_peers.py)."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import shlex
import subprocess
import sys
from typing import Any, Optional


def command_output(command: list[str]) -> Optional[str]:
    """A command's standard output, stripped, or None when it cannot run or fails."""
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True
                              ).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def run_metadata(script: str, command_variable: str, argv: Optional[list[str]]) -> dict[str, Any]:
    """When, how and where a report was made: the fields both reports open with.

    `command_variable` names the environment variable in which the shell wrapper passes the
    command the user typed; without it, the Python command line stands in.
    """
    python_command = "python " + shlex.join([script] + (argv if argv is not None else sys.argv[1:]))
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": os.environ.get(command_variable) or python_command,
        "python_command": python_command,
        "machine": command_output(["uname", "-m"]) or platform.machine(),
        "nproc": command_output(["nproc"]) or str(os.cpu_count()),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
