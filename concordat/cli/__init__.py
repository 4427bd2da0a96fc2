"""`concordat`: the command line of operations staff and auditors.

What a person does goes through the web service's API as the person `concordat login` signed in
(concordat/cli/api.py); only the administrators' commands (schedules, setup, audit) reach
Temporal or the database directly.

Every command has --help, prints for people by default and JSON with --json, exits 0 on success
and non-zero with a one-line reason on failure (concordat/cli/output.py).
"""

import importlib
import sys

import click

# Each command is imported only when it runs: importing them all (Temporal's client among them)
# would add more than a second to every command, the auditor's included.
_COMMANDS = {
    "admission": ("concordat.cli.admission", "admission"),
    "audit": ("concordat.cli.audit", "audit"),
    "committee": ("concordat.cli.committee", "committee"),
    "declarations": ("concordat.cli.declarations", "declarations"),
    "escalation": ("concordat.cli.escalation", "escalation"),
    "exit": ("concordat.cli.exits", "exit_"),
    "login": ("concordat.cli.login", "login"),
    "logout": ("concordat.cli.login", "logout"),
    "meeting": ("concordat.cli.meetings", "meeting"),
    "mou": ("concordat.cli.mou", "mou"),
    "partnerships": ("concordat.cli.partnerships", "partnerships"),
    "review": ("concordat.cli.review", "review"),
    "schedules": ("concordat.cli.schedules", "schedules"),
    "setup": ("concordat.cli.setup", "setup"),
    "status": ("concordat.cli.workflows", "status"),
    "what-if": ("concordat.cli.what_if", "what_if_command"),
    "whoami": ("concordat.cli.login", "whoami"),
    "workflows": ("concordat.cli.workflows", "workflows_group"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, attribute = _COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=_LazyGroup)
@click.version_option(package_name="concordat")
def cli() -> None:
    """Run and audit the governance of health and care partnerships."""


def main() -> None:
    """Every failure, a mistyped option included, ends as one line on stderr."""
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"concordat: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("concordat: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
