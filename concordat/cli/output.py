"""How every command reports: readable text or JSON, and failures as one line on stderr."""

import asyncio
import functools
import gc
import json
from collections.abc import AsyncIterable, Callable, Coroutine
from typing import Any, NoReturn, ParamSpec

import click
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from domain.text import JSON_LAYOUT, printable

P = ParamSpec("P")


class CommandError(click.ClickException):
    """A refusal or failure the user can act on: printed as one line, exit code 1."""

    def show(self, file: Any = None) -> None:
        # A refusal may quote what was typed or recorded: it stays one line.
        click.echo(f"concordat: {printable(self.format_message())}", err=True)


def fail(message: str) -> NoReturn:
    raise CommandError(message)


def emit(value: Any, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    """Prints `value` as JSON (for scripts) or through `text` (for people), with any control
    or bidirectional character a recorded value holds escaped (JSON escapes are valid JSON), so
    nothing printed can reorder a line or forge one."""
    if as_json:
        dumped = json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str)
        click.echo(printable(dumped, keep=JSON_LAYOUT))
    else:
        click.echo(printable(text(value) if text is not None else str(value), keep=JSON_LAYOUT))


async def emit_each(
    values: AsyncIterable[BaseModel],
    as_json: bool,
    line: Callable[[Any], str],
    empty: str,
    item_json: Callable[[Any], str] | None = None,
) -> None:
    """`emit` of a list whose items are printed as they come, never held together: the same
    output, each item's `line` (or `empty` for none) as text, or the same JSON array. `line`
    escapes what it puts together (as `TrailLine.text` does), so its text is not scanned again.
    `item_json`: an item's `model_dump_json(indent=2)` made faster and escaped but for its
    layout (as `TrailLine.json_text`), raising what that raises; each item is escaped as it is
    made, never scanned again."""
    count = 0
    # Written a few hundred items at a time: one write (and flush) per item was a fifth of a
    # long trail's time.
    pending: list[str] = []

    def flush() -> None:
        click.echo("".join(pending), nl=False)
        pending.clear()

    async for value in values:
        if as_json:
            pending.append(("[\n" if count == 0 else ",\n") + _json_item(value, item_json))
        else:
            pending.append(line(value) + "\n")
        count += 1
        if len(pending) == _BATCH:
            flush()
    if as_json:
        pending.append("[]\n" if count == 0 else "\n]\n")
    elif count == 0:
        pending.append(printable(empty) + "\n")
    flush()


_BATCH = 256


def _json_item(value: BaseModel, item_json: Callable[[Any], str] | None = None) -> str:
    """`value` as `emit` writes it, indented as an item of a list. pydantic's JSON is the
    standard library's text for text, integers, booleans and null (the items listed hold no
    floats, whose exponents the two write differently) and twice as fast as dumping the model
    first; the standard library's is kept for what pydantic refuses (a lone surrogate). Escaped
    as `emit` escapes it."""
    try:
        if item_json is not None:
            dumped = item_json(value)
        else:
            dumped = printable(value.model_dump_json(indent=2), keep=JSON_LAYOUT)
    except PydanticSerializationError:
        plain = json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str)
        dumped = printable(plain, keep=JSON_LAYOUT)
    # JSON text has no blank line, so this is textwrap.indent's result.
    return "  " + dumped.replace("\n", "\n  ")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


async def _settle() -> None:
    """Lets the Temporal client's last callbacks finish while the event loop still runs: without
    this a short-lived process sometimes aborts at interpreter shutdown ("PyGILState_Release",
    temporalio/sdk-python#300; 2 in 12 runs of `schedules list` here, none in 30 with it)."""
    gc.collect()
    await asyncio.sleep(0.05)


def run_async(command: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Runs an async command body; connection failures become one-line errors."""
    return _running(command, settle=True)


def run_on_database(command: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """`run_async` for a command that speaks only to PostgreSQL (the audit commands): no
    Temporal client's callbacks to wait for, so no wait, nor the full collection before it
    (together a twentieth of a long audit trail's time, bench/audit.py)."""
    return _running(command, settle=False)


def _running(command: Callable[P, Coroutine[Any, Any, None]], *, settle: bool) -> Callable[P, None]:
    async def settled(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await command(*args, **kwargs)
        finally:
            if settle:
                await _settle()

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            asyncio.run(settled(*args, **kwargs))
        except BrokenPipeError:
            raise  # the reader went away (`| head`): not a connection failure
        except OSError as error:
            fail(f"cannot connect: {error}")

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
