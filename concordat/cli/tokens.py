"""The signed-in person's tokens, kept per API address in the user's configuration folder.

`$XDG_CONFIG_HOME/concordat/tokens.json` (or `~/.config/concordat/tokens.json`): the folder is
made readable by its owner only (0700) and the file written 0600 through a new file renamed into
place, so a token is never readable by another account, not even while it is being written.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

FOLDER_MODE = 0o700
FILE_MODE = 0o600


class SignIn(BaseModel):
    """One API address's sign-in: the provider's tokens and who they name."""

    model_config = ConfigDict(frozen=True)

    api: str
    issuer: str
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    email: str
    name: str

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or datetime.now(UTC))


class TokenFileError(ValueError):
    """The token file cannot be read or written."""


def config_folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "concordat"


def token_file() -> Path:
    return config_folder() / "tokens.json"


def _all() -> dict[str, SignIn]:
    path = token_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {api: SignIn.model_validate(entry) for api, entry in raw.items()}
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise TokenFileError(f"cannot read {path}: {error.strerror}") from error
    except (ValueError, AttributeError, ValidationError) as error:
        raise TokenFileError(f"{path} is not a token file; remove it and sign in again") from error


def _write(sign_ins: dict[str, SignIn]) -> None:
    folder = config_folder()
    path = token_file()
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        folder.chmod(FOLDER_MODE)
    except OSError as error:
        raise TokenFileError(f"cannot make {folder}: {error.strerror}") from error
    staged = folder / f".tokens.{os.getpid()}.json"
    text = json.dumps({api: s.model_dump(mode="json") for api, s in sign_ins.items()}, indent=2)
    try:
        # A file left by a run that died keeps its mode if opened again: made anew, always 0600.
        staged.unlink(missing_ok=True)
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(staged, path)
    except OSError as error:
        staged.unlink(missing_ok=True)
        raise TokenFileError(f"cannot write {path}: {error.strerror}") from error


def load(api: str) -> SignIn | None:
    """The sign-in kept for `api`, if any."""
    return _all().get(api)


def save(sign_in: SignIn) -> Path:
    sign_ins = _all()
    sign_ins[sign_in.api] = sign_in
    _write(sign_ins)
    return token_file()


def forget(api: str) -> bool:
    """Removes `api`'s sign-in; False if there was none."""
    sign_ins = _all()
    if sign_ins.pop(api, None) is None:
        return False
    _write(sign_ins)
    return True
