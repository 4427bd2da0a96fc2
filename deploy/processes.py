"""Child processes of the embedded stack: port checks and children that die with their parent."""

import ctypes
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1


class PortInUse(RuntimeError):
    pass


def require_free_port(host: str, port: int, what: str) -> None:
    """Refuses to start when something already listens, instead of failing somewhere later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(
                f"port {port} on {host} is already in use, so {what} cannot start there "
                f"({error.strerror}); stop whatever holds it or choose another port in settings"
            ) from error


def free_port(host: str = "127.0.0.1", avoiding: Collection[int] = ()) -> int:
    """A port nothing listens on now, other than those in `avoiding`: ports chosen for servers
    not yet started, which the system would otherwise hand out again."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = int(probe.getsockname()[1])
        if port not in avoiding:
            return port


def _die_with_parent() -> Callable[[], None] | None:
    # A child that outlives a killed parent would hold the ports and the data folder; on Linux the
    # kernel can signal it instead. Elsewhere the parent's own shutdown has to do.
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def set_death_signal() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return set_death_signal


def spawn(
    argv: Sequence[str | Path],
    *,
    log_file: Path,
    user: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Starts a child in its own process group, so that Ctrl-C reaches only the supervisor, which
    then stops the children in order (worker first, database last)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(),
            user=user,
            env={**os.environ, **(env or {})},
        )


def stop(process: subprocess.Popen[bytes], sig: signal.Signals, timeout: float) -> int:
    """Asks a child to stop, waits, and kills it only if it does not."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
