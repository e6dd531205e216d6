"""Settings: the only reader of the environment (prefix TAP_, and a `.env` file for local use)."""

from __future__ import annotations

import os
import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Profile = Literal["memory", "postgres", "aws"]

# Each profile picks an adapter per port; any of them can still be set on its own.
PROFILE_DEFAULTS: dict[str, dict[str, str]] = {
    "memory": {
        "persistence": "memory",
        "payments": "dummy",
        "email": "file",
        "identity": "local",
        "reasoner": "rules",
        "conversation_memory": "memory",
    },
    "postgres": {
        "persistence": "postgres",
        "payments": "http",
        "email": "file",
        "identity": "local",
        "reasoner": "rules",
        "conversation_memory": "postgres",
    },
    "aws": {
        "persistence": "aurora",
        "payments": "http",
        "email": "ses",
        "identity": "cognito",
        "reasoner": "bedrock",
        "conversation_memory": "agentcore",
    },
}


# The site's build output (`npm run build` in frontend/), next to this repository's packages.
BUILT_SITE = Path(__file__).resolve().parents[1] / "frontend" / "dist"


def default_site_dir() -> Path | None:
    """frontend/dist when it holds a build, else nothing (the API alone is served)."""
    return BUILT_SITE if (BUILT_SITE / "index.html").is_file() else None


class Settings(BaseSettings):
    """Everything configurable, validated once at start. Secrets come from here, never the code."""

    model_config = SettingsConfigDict(
        env_prefix="TAP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    profile: Profile = "memory"
    persistence: Literal["memory", "postgres", "aurora"] | None = None
    payments: Literal["dummy", "http"] | None = None
    email: Literal["file", "recording", "smtp", "ses"] | None = None
    identity: Literal["local", "cognito"] | None = None
    reasoner: Literal["rules", "bedrock"] | None = None
    conversation_memory: Literal["memory", "postgres", "agentcore"] | None = None
    ids: Literal["random", "sequential"] = "random"

    # The park and its prices (DOMAIN.md); no overrides by default, so the calendar shows the rules.
    park_name: str = "Funland Park"
    park_timezone: str = "America/Los_Angeles"
    currency: str = "USD"
    price_general: Decimal = Decimal("59.00")
    price_standard: Decimal = Decimal("79.00")
    price_non_stop: Decimal = Decimal("109.00")
    price_double_fun: Decimal = Decimal("149.00")
    peak_seasons: list[str] = Field(default_factory=lambda: ["12-20..01-03", "07-01..08-31"])
    off_peak_months: list[int] = Field(default_factory=lambda: [1, 2, 3, 9, 10, 11])
    multiplier_peak: Decimal = Decimal("1.50")
    multiplier_weekend: Decimal = Decimal("1.25")
    multiplier_off_peak: Decimal = Decimal("0.85")
    multiplier_regular: Decimal = Decimal("1.00")
    price_overrides: dict[str, Decimal] = Field(
        default_factory=dict, description='{"2026-12-24:double-fun": "199.00"}'
    )
    tier_features: dict[str, list[str]] = Field(default_factory=dict)
    min_notice_days: int = 2
    horizon_days: int = 120
    closures: list[date] = Field(default_factory=list)
    capacity_standard: int = 300
    capacity_non_stop: int = 120
    capacity_double_fun: int = 40
    capacity_overrides: dict[str, int] = Field(
        default_factory=dict, description='{"2026-12-24:double-fun": 10}'
    )
    hold_minutes: int = Field(default=15, ge=1)
    max_declines: int = Field(default=3, ge=1)

    # Identity: the local issuer (token_*), or an Amazon Cognito user pool (cognito_*); both
    # are checked by the same JWT verifier.
    token_issuer: str = "https://identity.funland.local"  # noqa: S105
    token_client_id: str = "tap-web"  # noqa: S105
    token_ttl_minutes: int = Field(default=60, ge=1)
    token_signing_key: SecretStr | None = (
        None  # an RSA private key in PEM; random per start if unset
    )
    password_hash_cost: int = 2**14
    cognito_user_pool_id: str | None = Field(default=None, description="us-east-1_AbC123")
    cognito_client_id: str | None = Field(
        default=None, description="the site's app client (public: no secret)"
    )
    cognito_endpoint_url: str | None = Field(
        default=None, description="a Cognito stand-in (moto's server); unset: AWS itself"
    )
    cognito_jwks_url: str | None = Field(
        default=None, description="where the pool's signing keys are; unset: derived"
    )

    # HTTP.
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    site_url: str = "http://127.0.0.1:8080"
    cors_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(default=600, ge=0, description="per client; 0 turns it off")
    rate_limit_burst: int = Field(default=60, ge=1)
    site_dir: Path | None = Field(
        default_factory=default_site_dir,
        description="the built site served at / (frontend/dist when built; empty: API only)",
    )

    # Persistence: PostgreSQL (a URL), or Aurora through the Data API (ARNs; credentials stay in
    # Secrets Manager).
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TAP_DATABASE_URL", "DATABASE_URL"),
        description="postgresql://user@host:5432/db (the postgres profile)",
    )
    db_pool_size: int = Field(default=20, ge=1)
    worker_threads: int | None = Field(
        default=None,
        ge=1,
        description="threads running use cases when they leave the event loop; default four per "
        "CPU (measured on 2 cores: 20 threads lose to GIL hand-offs, 4 leave the CPU waiting)",
    )
    aurora_cluster_arn: str | None = None
    aurora_secret_arn: str | None = None
    aurora_database: str = "tap"
    aws_region: str = "us-east-1"
    migrate_on_start: bool = False
    unsafe_disable_capacity_lock: bool = Field(
        default=False,
        description="TESTS ONLY: count capacity without the lock, to prove the lock matters",
    )

    # Payments: the dummy gateway in process, or a gateway service over HTTP (the dummy one is
    # started with the local build when no URL is given).
    payment_gateway_url: str | None = Field(
        default=None, description="http://127.0.0.1:8090; unset: `tap serve` starts one"
    )
    payment_gateway_timeout_seconds: float = Field(default=10.0, gt=0)
    payment_gateway_admin_token: SecretStr | None = Field(
        default=None, description="guards the dummy gateway service's fault-injection calls"
    )
    gateway_latency_seconds: float = Field(default=0.0, ge=0, description="dummy gateway fault")
    gateway_error_rate: float = Field(default=0.0, ge=0, le=1, description="dummy gateway fault")
    gateway_timeout_rate: float = Field(default=0.0, ge=0, le=1, description="dummy gateway fault")
    gateway_outage: bool = Field(default=False, description="dummy gateway fault")
    payment_retry_attempts: int = Field(default=3, ge=1)
    payment_retry_first_delay_seconds: float = Field(default=0.2, ge=0)
    payment_retry_max_delay_seconds: float = Field(default=2.0, ge=0)
    payment_retry_budget_seconds: float = Field(
        default=5.0, ge=0, description="the most a payment request waits between its retries"
    )
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="consecutive transient gateway failures that open it"
    )
    breaker_recovery_seconds: float = Field(default=30.0, gt=0)
    reconcile_every_seconds: float = Field(
        default=60.0, ge=0, description="the local build's reconciliation period; 0 turns it off"
    )
    reconcile_grace_seconds: float = Field(
        default=120.0,
        gt=0,
        description="how old an unfinished payment must be before reconciliation settles it; "
        "longer than a payment request can run (timeouts times attempts, plus the retry budget)",
    )
    reconcile_lookback_hours: float = Field(default=1.0, gt=0)

    # Mail and background work.
    lock_timeout_seconds: float = Field(default=3.0, gt=0)
    idempotency_retention_hours: int = Field(default=24, ge=24)
    idempotency_secret: SecretStr | None = Field(
        default=None,
        description="keys request fingerprints; set it where keys outlive a process (databases)",
    )
    mail_dir: Path = Path("var/mail")
    mail_from: str = "Funland Park <upgrades@funland.example>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    ses_configuration_set: str | None = None
    aws_endpoint_url: str | None = Field(
        default=None, description="a local stand-in for AWS APIs (tests, a moto server)"
    )
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    handler_threads: bool | None = Field(
        default=None,
        description="run use cases in worker threads; default: only when an adapter does I/O",
    )
    demo_data: bool = True
    demo_load_tickets: int = Field(default=0, ge=0, description="extra tickets for benchmarks")
    log_level: str = "INFO"
    log_json: bool = True

    # -- the Data Agent (an MCP server, `tap data-agent`) and the Ticket Agent's client of it --
    data_agent_host: str = Field(
        default="0.0.0.0",  # noqa: S104 - AgentCore's MCP contract: 0.0.0.0:8000/mcp
        description="where `tap data-agent` listens",
    )
    data_agent_port: int = Field(default=8000, ge=0, le=65535, description="0: any free port")
    serve_data_agent: bool = Field(
        default=True,
        description="`tap serve` serves the Data Agent beside the site (and its chat uses it)",
    )
    data_agent_url: str = Field(
        default="http://127.0.0.1:8000/mcp",
        description="the Data Agent's MCP endpoint, as the Ticket Agent reaches it",
    )
    data_agent_timeout_seconds: float = Field(
        default=15.0, gt=0, description="the longest the Ticket Agent waits for one tool call"
    )

    # -- the Ticket Agent: its reasoner, its memory, its runtime --------------------------------
    bedrock_model_id: str = Field(
        default="amazon.nova-pro-v1:0", description="the Converse model of the bedrock reasoner"
    )
    bedrock_max_tokens: int = Field(default=1024, ge=1)
    bedrock_temperature: float = Field(default=0.2, ge=0, le=1)
    reasoner_breaker_failure_threshold: int = Field(default=3, ge=1)
    reasoner_breaker_recovery_seconds: float = Field(default=60.0, gt=0)
    agent_max_steps: int = Field(default=6, ge=1, le=20, description="tool rounds per turn")
    agentcore_memory_id: str | None = Field(
        default=None, description="the AgentCore Memory resource (conversation_memory=agentcore)"
    )
    ticket_agent_runtime_arn: str | None = Field(
        default=None, description="the Ticket Agent's AgentCore runtime, for the chat Lambda"
    )
    ticket_agent_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("site_dir", mode="before")
    @classmethod
    def _empty_site_dir_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("site_dir")
    @classmethod
    def _site_dir_holds_a_build(cls, value: Path | None) -> Path | None:
        if value is not None and not (value / "index.html").is_file():
            raise ValueError(
                f"TAP_SITE_DIR ({value}) holds no index.html: run `npm run build` in frontend/, "
                "or set TAP_SITE_DIR= (empty) to serve the API alone"
            )
        return value

    @model_validator(mode="after")
    def _fill_ports_from_profile(self) -> Self:
        for port, adapter in PROFILE_DEFAULTS[self.profile].items():
            if getattr(self, port) is None:
                setattr(self, port, adapter)
        if self.persistence == "postgres" and not self.database_url:
            raise ValueError(
                "the postgres persistence needs TAP_DATABASE_URL (or DATABASE_URL), e.g. "
                "postgresql://postgres@127.0.0.1:5432/tap"
            )
        if self.persistence == "aurora" and not (
            self.aurora_cluster_arn and self.aurora_secret_arn
        ):
            raise ValueError(
                "the aurora persistence needs TAP_AURORA_CLUSTER_ARN and TAP_AURORA_SECRET_ARN"
            )
        if self.identity == "cognito" and not (
            self.cognito_user_pool_id and self.cognito_client_id
        ):
            raise ValueError(
                "the cognito identity needs TAP_COGNITO_USER_POOL_ID and TAP_COGNITO_CLIENT_ID "
                "(the user pool and the site's app client), or TAP_IDENTITY=local"
            )
        pool_region = (self.cognito_user_pool_id or "").partition("_")[0]
        if self.identity == "cognito" and pool_region != self.aws_region:
            # The pool id starts with its region, and its tokens' issuer names it: a mismatch
            # would refuse every token with no hint why.
            raise ValueError(
                f"TAP_COGNITO_USER_POOL_ID ({self.cognito_user_pool_id}) is a pool in "
                f"{pool_region!r}, but TAP_AWS_REGION is {self.aws_region!r}: set them to match"
            )
        return self

    @property
    def cognito_issuer(self) -> str:
        """The `iss` of the pool's tokens: always the AWS form, emulator or not."""
        return f"https://cognito-idp.{self.aws_region}.amazonaws.com/{self.cognito_user_pool_id}"

    @property
    def cognito_api_url(self) -> str:
        """The user-pool API the site's browser calls: the stand-in, else the region's."""
        endpoint = (
            self.cognito_endpoint_url or f"https://cognito-idp.{self.aws_region}.amazonaws.com"
        )
        return endpoint.rstrip("/")

    @property
    def cognito_keys_url(self) -> str:
        """The pool's JWKS: TAP_COGNITO_JWKS_URL, else the emulator's copy (which serves it
        beside the pool, not at the issuer), else the issuer's."""
        if self.cognito_jwks_url:
            return self.cognito_jwks_url
        if self.cognito_endpoint_url:
            base = f"{self.cognito_endpoint_url.rstrip('/')}/{self.cognito_user_pool_id}"
        else:
            base = self.cognito_issuer
        return f"{base}/.well-known/jwks.json"

    @property
    def use_threads(self) -> bool:
        """Whether requests must leave the event loop: yes as soon as persistence is not the
        in-process store (every other memory-profile adapter answers without waiting)."""
        if self.handler_threads is not None:
            return self.handler_threads
        return self.persistence != "memory"

    def idempotency_secret_bytes(self) -> bytes:
        if self.idempotency_secret is not None:
            return self.idempotency_secret.get_secret_value().encode()
        return secrets.token_bytes(32)  # the memory profile forgets its keys on restart anyway

    @model_validator(mode="after")
    def _grace_outlasts_a_payment(self) -> Self:
        longest = (
            self.payment_gateway_timeout_seconds * self.payment_retry_attempts
            + self.payment_retry_budget_seconds
        )
        if self.reconcile_grace_seconds <= longest:
            raise ValueError(
                f"TAP_RECONCILE_GRACE_SECONDS ({self.reconcile_grace_seconds}) must exceed the "
                f"longest a payment request can run ({longest:g} s: timeout x attempts + retry "
                "budget), or reconciliation could settle a payment still in flight"
            )
        return self

    @property
    def use_case_threads(self) -> int:
        return self.worker_threads or 4 * (os.cpu_count() or 1)

    def database_url_value(self) -> str | None:
        return self.database_url.get_secret_value() if self.database_url else None

    def signing_key_pem(self) -> str | None:
        return self.token_signing_key.get_secret_value() if self.token_signing_key else None
