"""Memory and CPU time of processes, read from /proc (Linux only), for bench/workflows.py."""

import os
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Memory:
    """Kilobytes, as /proc/<pid>/status gives them."""

    rss_kb: int
    peak_rss_kb: int


def memory(pid: int) -> Memory:
    """VmRSS (resident now) and VmHWM (the peak resident set, the "high water mark")."""
    fields: dict[str, int] = {}
    for line in (_PROC / str(pid) / "status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return Memory(rss_kb=fields["VmRSS"], peak_rss_kb=fields["VmHWM"])


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None if the process is gone."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may itself hold spaces or parentheses.
    return text[text.rindex(")") + 2 :].split()


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    return parents


def tree(root: int) -> list[int]:
    """`root` and every descendant of it alive now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def children_of(parent: int) -> list[int]:
    return sorted(pid for pid, ppid in _parents().items() if ppid == parent)


def command_line(pid: int) -> str:
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def cpu_seconds(root: int) -> float:
    """User + system CPU time of `root` and its descendants, including descendants that have
    exited and been reaped (counted in their parent's cutime/cstime)."""
    ticks = 0
    for pid in tree(root):
        fields = _stat_fields(pid)
        if fields is not None:
            # utime, stime, cutime, cstime: fields 14-17 of stat(5), here 11-14.
            ticks += sum(int(f) for f in fields[11:15])
    return ticks / _TICKS


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine have used since boot, summed over its cores: user,
    nice, system, irq, softirq and steal from the first line of /proc/stat."""
    fields = (_PROC / "stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / _TICKS
