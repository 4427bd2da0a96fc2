"""What every command that drives a process shares: the client, and refusals as one line."""

from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from concordat.cli.output import fail
from concordat.connections import connect_temporal
from concordat.dev_extra import embedded_refusal
from concordat.reach import refusal, rpc_reason
from concordat.settings import Settings
from domain.errors import ConfigError, DomainError
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership

T = TypeVar("T")


async def client() -> Client:
    settings = Settings()
    refusal = embedded_refusal(settings)
    if refusal is not None:
        fail(refusal)
    try:
        return await connect_temporal(settings)
    except RuntimeError as error:
        fail(unreachable(settings, error))


def unreachable(settings: Settings, error: RuntimeError) -> str:
    """Why the client could not connect, in one line."""
    where = settings.temporal_target()
    if "ConnectError" in str(error) or "Connection refused" in str(error):
        # The SDK's message is a dump of the Rust transport error; nothing listening is the usual
        # cause, and what to do about it is the useful line.
        return f"cannot reach Temporal at {where}: is the service running? (make run)"
    return f"cannot reach Temporal at {where}: {error}"


def partnership(slug: str) -> Partnership:
    """The shipped configuration of `slug`, or a one-line refusal naming the known ones."""
    try:
        return load_partnership(slug, Settings().partnerships_dir)
    except (ConfigError, DomainError) as error:
        fail(str(error))


async def call(handle: WorkflowHandle[Any, Any], update: Any, request: Any) -> Any:
    """Runs an update; a refusal by the process or an unknown process ends the command."""
    try:
        return await handle.execute_update(update, request)
    except WorkflowUpdateFailedError as error:
        fail(refusal(error))
    except RPCError as error:
        fail(rpc_reason(handle.id, error))


async def query(handle: WorkflowHandle[Any, Any], query_method: Any) -> Any:
    try:
        return await handle.query(query_method)
    except RPCError as error:
        fail(rpc_reason(handle.id, error))
