"""Errors raised by the domain.

A `DomainError` is a refused command: its message is shown to an operations officer as it stands,
so it says what is wrong in their words ("tewv has already signed the MoU (on 2022-08-20)").
A `ConfigError` is a partnership configuration file that cannot be trusted; its message names the
file, the field and the problem so the file can be fixed without reading code.
"""


class DomainError(Exception):
    """A command that the governance rules do not allow; nothing was recorded."""


class UnknownOrganisationError(DomainError):
    """The command names an organisation the partnership does not know."""


class UnknownBodyError(DomainError):
    """The command names a body (executive, board, forum...) the partnership does not have."""


class ConfigError(Exception):
    """A partnership configuration file is missing, malformed or inconsistent."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        super().__init__(f"{file}: {field}: {problem}")


class UnknownPartnershipError(ConfigError):
    """No file in the partnerships folder is named for the slug asked for."""
