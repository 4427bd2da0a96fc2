"""The embedded stack's OpenID provider (PyPI `oidc-provider-mock`): a real provider on this
machine, signing in the development users of one file, so `make run` needs no account anywhere.
"""

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oidc_provider_mock import User, run_server_in_thread
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deploy.processes import require_free_port


class DevUsersError(ValueError):
    pass


class DevUser(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sub: str = Field(min_length=1)
    email: str = Field(min_length=3)
    name: str = Field(min_length=1)
    groups: tuple[str, ...] = ()


class _DevUsers(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    users: tuple[DevUser, ...] = Field(min_length=1)


def load_dev_users(path: Path) -> tuple[DevUser, ...]:
    """The users in `path` (`[[users]]` tables of sub, email, name, groups); refused naming the
    file and the first problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _DevUsers.model_validate(data).users
    except OSError as error:
        raise DevUsersError(f"{path}: cannot be read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise DevUsersError(f"{path}: not TOML: {error}") from error
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DevUsersError(f"{path}: {where}: {first['msg']}") from error


@contextmanager
def dev_identity_provider(port: int, users: tuple[DevUser, ...]) -> Iterator[str]:
    """Runs the provider on `port` in a thread until the block ends; yields its issuer URL."""
    require_free_port("127.0.0.1", port, "the OpenID provider")
    claims = [
        User(sub=u.sub, claims={"email": u.email, "name": u.name, "groups": list(u.groups)})
        for u in users
    ]
    with run_server_in_thread(port, user_claims=claims) as server:
        yield f"http://localhost:{server.server_port}"
