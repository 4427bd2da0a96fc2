"""Temporal, for the administrators' commands that need it directly (schedules)."""

from temporalio.client import Client

from concordat.cli.output import fail
from concordat.connections import connect_temporal
from concordat.dev_extra import embedded_refusal
from concordat.settings import Settings


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
