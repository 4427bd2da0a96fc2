"""Every setting of the service, from environment variables prefixed CONCORDAT_.

Leaving both CONCORDAT_TEMPORAL_ADDRESS and CONCORDAT_DATABASE_URL unset means the embedded
default: the stack in deploy/embedded.py starts its own PostgreSQL and Temporal dev server.
"""

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote, urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.partnerships_config import SHIPPED

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AUDITOR_ROLE = "concordat_auditor"
"""May only read the event log (eventstore/migrations/0001_events.sql, 0003_roles.sql)."""
APP_ROLE = "concordat_app"
"""The worker's and web service's: reads, and appends only through append_events and append_event
(0003, 0006)."""
EMBEDDED_OWNER_ROLE = "postgres"
"""Owns the embedded database's schema; only migrations use it."""
PASSWORDS_FILE = "postgres-passwords"
"""In the data folder: the embedded roles' passwords, generated at first start (pgpass format)."""
EMBEDDED_DATABASE = "concordat"


class LogFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


class VersioningBehavior(StrEnum):
    AUTO_UPGRADE = "auto-upgrade"
    PINNED = "pinned"


class DeliveryChannel(StrEnum):
    OUTBOX = "outbox"
    SMTP = "smtp"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONCORDAT_", extra="ignore")

    temporal_address: str | None = Field(
        default=None, description="host:port of a Temporal frontend; unset for the embedded one"
    )
    temporal_namespace: str = "default"
    task_queue: str = "concordat"
    temporal_tls: bool = Field(default=False, description="use TLS to reach Temporal")
    temporal_tls_cert: Path | None = Field(default=None, description="client certificate (mTLS)")
    temporal_tls_key: Path | None = Field(default=None, description="client private key (mTLS)")
    temporal_api_key: SecretStr | None = Field(
        default=None, description="Temporal Cloud API key (implies TLS)"
    )

    worker_deployment: str | None = Field(
        default=None,
        description="Worker Versioning: the worker deployment's name (set with build_id); unset: "
        "the worker runs unversioned",
    )
    build_id: str | None = Field(
        default=None, description="Worker Versioning: this image's build (set with the name)"
    )
    versioning_behavior: VersioningBehavior = Field(
        default=VersioningBehavior.AUTO_UPGRADE,
        description="what a running workflow does when another build becomes current: moves "
        "to it at its next task (auto-upgrade) or stays on its own (pinned)",
    )
    worker_shutdown_seconds: float = Field(
        default=20.0,
        gt=0,
        description="how long a stopping worker lets running activities finish before it "
        "cancels them; in production longer than the longest activity (5 minutes, a decision's "
        "notices delivered) and shorter than the orchestrator's grace period",
    )

    database_url: SecretStr | None = Field(
        default=None,
        description=f"postgresql:// URL as {APP_ROLE}; unset for the embedded PostgreSQL",
    )
    migration_database_url: SecretStr | None = Field(
        default=None,
        description="postgresql:// URL as the schema's owner, used only to apply migrations; "
        "unset: the embedded owner, or none (the worker then only checks the schema is current)",
    )
    database_pool_size: int = Field(default=10, ge=1)
    workflow_cache_size: int = Field(
        default=1000,
        ge=0,
        description="workflows a worker keeps in memory between their tasks; one evicted is "
        "replayed from its history when next touched (make bench-scale measures both)",
    )
    auditor_database_url: SecretStr | None = Field(
        default=None,
        description="postgresql:// URL for `concordat audit`; unset for the database URL's "
        f"server and database as {AUDITOR_ROLE}",
    )

    data_dir: Path = Field(
        default=PROJECT_ROOT / ".concordat",
        description="where the embedded stack keeps its database, Temporal file and logs",
    )
    embedded_postgres_port: int = 55432
    embedded_temporal_port: int = 7233
    embedded_temporal_ui_port: int = 8233

    delivery_channel: DeliveryChannel = DeliveryChannel.OUTBOX
    outbox_dir: Path | None = Field(
        default=None, description="folder for delivered notices; default <data_dir>/outbox"
    )
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    notice_sender: str | None = Field(
        default=None,
        description="the address that sends letters on the officers' behalf (Sender header, SMTP "
        "envelope); unset: each partnership's officer's own",
    )
    notice_addresses: Path | None = Field(
        default=None, description="TOML file: [addresses] slug = 'email' for each recipient"
    )
    notice_default_domain: str = Field(
        default="concordat.invalid", description="address of a recipient not in the file: slug@"
    )

    partnerships_dir: Path = Field(
        default=SHIPPED,
        description="folder of partnership files, one <slug>.toml each; default the shipped ones",
    )

    web_port: int = Field(default=8000, description="port of concordat-web")
    web_host: str = Field(default="127.0.0.1", description="interface concordat-web listens on")
    public_base_url: str | None = Field(
        default=None,
        description="the address people reach concordat-web at; unset: http://127.0.0.1:<port>",
    )
    session_secret: SecretStr | None = Field(
        default=None, description="signs the session cookie; unset: a new one at each start"
    )
    calendar_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys of calendar subscription URLs, comma-separated, newest first; "
        "dropping a key revokes the URLs it made; unset: a new one at each start",
    )
    calendar_revoked: dict[str, datetime] = Field(
        default={},
        description='JSON {"ISSUER:SUBJECT": time}: that person\'s calendar URLs made before '
        "then are refused",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="issuer URL of the OpenID provider; unset for the embedded one",
    )
    oidc_client_id: str = "concordat"
    oidc_client_secret: SecretStr = Field(
        default=SecretStr("concordat-dev-secret"),
        description="the client secret the provider issued (the embedded one accepts any)",
    )
    embedded_oidc_port: int = 9400
    dev_users: Path = Field(
        default=PROJECT_ROOT / "deploy" / "dev-users.toml",
        description="the users the embedded OpenID provider signs in",
    )
    checkpoint_origin: str = Field(
        default="concordat.invalid/log",
        pattern=r"^[^\s+]+$",
        description="the log's name in its signed checkpoints and public key (no spaces or +)",
    )
    checkpoint_key: SecretStr | None = Field(
        default=None,
        description="the Ed25519 checkpoint signing key, base64 of its 32-byte seed; unset for "
        "<data_dir>/checkpoint.key, made at the embedded stack's first start",
    )
    checkpoint_public_key: str | None = Field(
        default=None,
        description="the public key `concordat audit` checks checkpoints with (NAME+ID+KEY); "
        "unset for the signing key's own",
    )

    checkpoint_every_minutes: int = Field(
        default=60, ge=1, description="how often the schedule mints a signed checkpoint"
    )
    checkpoint_witnesses: Path | None = Field(
        default=None,
        description="TOML file: [partnership] directory and auditors that receive checkpoints",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="the service's Ed25519 private key (PEM, mode 0600) that the CLI and the "
        "web service sign envelopes with; default <data_dir>/signing-key.pem, created by the "
        "embedded stack at first start",
    )
    trusted_keys: list[str] = Field(
        default=[],
        description="hex Ed25519 public keys whose envelopes the worker accepts (a JSON list); "
        "unset on the embedded stack for the public half of the signing key",
    )

    metrics_port: int | None = Field(
        default=None,
        description="port of /metrics, /healthz and /readyz of the worker or web service; unset: "
        "none served",
    )
    metrics_host: str = Field(default="127.0.0.1", description="interface of the metrics port")
    sdk_metrics_port: int | None = Field(
        default=None,
        description="port of the Temporal SDK's own Prometheus metrics (workflow and activity "
        "tasks, polls, latencies), on the metrics interface; unset: none served",
    )

    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _tls_pair(self) -> "Settings":
        if (self.temporal_tls_cert is None) != (self.temporal_tls_key is None):
            raise ValueError("CONCORDAT_TEMPORAL_TLS_CERT and _KEY must be set together")
        return self

    def checkpoint_key_file(self) -> Path:
        return self.data_dir / "checkpoint.key"

    def signing_key(self) -> Path:
        return self.signing_key_file or self.data_dir / "signing-key.pem"

    @model_validator(mode="after")
    def _versioned_pair(self) -> "Settings":
        if (self.worker_deployment is None) != (self.build_id is None):
            raise ValueError("CONCORDAT_WORKER_DEPLOYMENT and CONCORDAT_BUILD_ID go together")
        return self

    def outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def embedded(self) -> bool:
        return self.temporal_address is None and self.database_url is None

    def temporal_target(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.embedded_temporal_port}"

    def issuer(self) -> str:
        """The OpenID provider's issuer URL: the embedded provider's unless one is set."""
        return self.oidc_issuer or f"http://localhost:{self.embedded_oidc_port}"

    def web_base_url(self) -> str:
        return (self.public_base_url or f"http://127.0.0.1:{self.web_port}").rstrip("/")

    def passwords_file(self) -> Path:
        return self.data_dir.absolute() / PASSWORDS_FILE

    def _embedded_dsn(self, role: str) -> str:
        # The password stays in its file: the URL names the file, so it can be printed.
        passfile = quote(str(self.passwords_file()))
        return (
            f"postgresql://{role}@127.0.0.1:{self.embedded_postgres_port}/{EMBEDDED_DATABASE}"
            f"?passfile={passfile}"
        )

    def database_dsn(self) -> str:
        """The application's: it reads the log and appends only through append_events and
        append_event."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self._embedded_dsn(APP_ROLE)

    def migration_database_dsn(self) -> str | None:
        """The schema owner's, for migrations; None where only an operator migrates."""
        if self.migration_database_url is not None:
            return self.migration_database_url.get_secret_value()
        if self.database_url is None:
            return self._embedded_dsn(EMBEDDED_OWNER_ROLE)
        return None

    def auditor_database_dsn(self) -> str:
        """Where `concordat audit` reads, as a role that cannot change the log."""
        if self.auditor_database_url is not None:
            return self.auditor_database_url.get_secret_value()
        # Not the application's password: the auditor's comes from the URL's passfile (embedded),
        # PGPASSWORD or ~/.pgpass, if any.
        parts = urlsplit(self.database_dsn())
        server = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"{AUDITOR_ROLE}@{server}").geturl()
