"""The connection to Temporal from settings, alike for worker, tests and tools."""

from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import pydantic_data_converter

from concordat.settings import Settings


def _tls(settings: Settings) -> TLSConfig | bool:
    if settings.temporal_tls_cert is not None and settings.temporal_tls_key is not None:
        return TLSConfig(
            client_cert=settings.temporal_tls_cert.read_bytes(),
            client_private_key=settings.temporal_tls_key.read_bytes(),
        )
    return settings.temporal_tls or settings.temporal_api_key is not None


async def connect_temporal(settings: Settings) -> Client:
    api_key = settings.temporal_api_key
    return await Client.connect(
        settings.temporal_target(),
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        tls=_tls(settings),
        api_key=api_key.get_secret_value() if api_key is not None else None,
    )
