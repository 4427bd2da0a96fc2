"""Calendar subscription tokens: calendar clients cannot sign in, so each person's feed address
carries who they are, encrypted and authenticated with the service's calendar keys (Fernet).

The token holds the person as they signed in (their groups and email decide what they see) and
when it was made. It stops working when its key is dropped from CONCORDAT_CALENDAR_KEYS (every
URL that key made) or when CONCORDAT_CALENDAR_REVOKED names the person with a later time (their
URLs made before then); they then fetch a new address.
"""

from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import ValidationError

from concordat.settings import Settings
from domain.provenance import Person


class CalendarTokens:
    """Makes and reads the tokens of one service's settings."""

    def __init__(self, settings: Settings) -> None:
        keys = settings.calendar_keys
        if keys is None:
            # Like the session secret: unset, URLs last only as long as this process.
            self._fernet = MultiFernet([Fernet(Fernet.generate_key())])
        else:
            try:
                self._fernet = MultiFernet(
                    [Fernet(k.strip()) for k in keys.get_secret_value().split(",") if k.strip()]
                )
            except ValueError as error:
                raise ValueError(f"CONCORDAT_CALENDAR_KEYS: {error}") from error
        self._revoked = settings.calendar_revoked

    def token_for(self, person: Person) -> str:
        return self._fernet.encrypt(person.model_dump_json().encode()).decode()

    def person(self, token: str) -> Person | None:
        """Whose token this is; None for a token that is malformed, not ours, or revoked."""
        try:
            data = self._fernet.decrypt(token.encode())
            made = datetime.fromtimestamp(self._fernet.extract_timestamp(token.encode()), UTC)
            person = Person.model_validate_json(data)
        except (InvalidToken, ValidationError, ValueError):
            return None
        revoked = self._revoked.get(f"{person.issuer}:{person.subject}")
        if revoked is not None and made < _aware(revoked):
            return None
        return person


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
