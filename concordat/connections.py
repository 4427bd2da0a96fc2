"""The connection to Temporal from settings, alike for worker, tests and tools."""

from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from concordat.settings import Settings

# One runtime a process: each serves its metrics on its own port, which only one can bind.
_runtimes: dict[str, Runtime] = {}


def _runtime(settings: Settings) -> Runtime | None:
    """The SDK's runtime serving its Prometheus metrics, where CONCORDAT_SDK_METRICS_PORT is set."""
    if settings.sdk_metrics_port is None:
        return None
    address = f"{settings.metrics_host}:{settings.sdk_metrics_port}"
    if address not in _runtimes:
        _runtimes[address] = Runtime(
            telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address))
        )
    return _runtimes[address]


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
        runtime=_runtime(settings),
    )
