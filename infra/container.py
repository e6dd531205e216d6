"""The composition root: one container, one Selector per port, every use case as a Factory."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from dependency_injector import containers, providers
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from sqlalchemy import Engine

from adapters.agentcore.runtime_invoker import AgentCoreRuntimeInvoker
from adapters.clock import SystemClock
from adapters.conversation_memory.in_memory import InMemoryConversationMemory
from adapters.conversation_memory.postgres import SqlConversationMemory
from adapters.email.file_sender import FileEmailSender, RecordingEmailSender
from adapters.email.jinja_renderer import JinjaEmailRenderer
from adapters.email.ses_sender import SesEmailSender
from adapters.email.smtp_sender import SmtpEmailSender
from adapters.identity.cognito import CognitoIdentityProvider
from adapters.identity.jwt_verifier import JwtTokenVerifier, remote_keys, static_keys
from adapters.identity.local import LocalIdentityProvider, PasswordHasher
from adapters.identity.logins import MemoryLoginStore
from adapters.ids import RandomIdGenerator, SequentialIdGenerator
from adapters.memory.idempotency import MemoryIdempotencyStore
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.observability.outcome_metrics import PrometheusOutcomeCounter
from adapters.observability.payment_metrics import breaker_state, register_breaker_gauge
from adapters.payments.dummy import DummyPaymentGateway, Faults
from adapters.payments.http_gateway import HttpPaymentGateway
from adapters.payments.resilient import (
    ClockedCircuitBreaker,
    ResilientPaymentGateway,
    RetryPolicy,
    retry_after_seconds,
)
from adapters.realtime.hub import FanOutPublisher, InMemoryProgressHub
from adapters.reasoning.bedrock_converse import BedrockConverseReasoner
from adapters.reasoning.fallback import FallbackReasoner, reasoning_breaker
from adapters.reasoning.rule_based import RuleBasedReasoner
from adapters.sql import engines
from adapters.sql.idempotency import SqlIdempotencyStore
from adapters.sql.logins import SqlLoginStore
from adapters.sql.unit_of_work import SqlUnitOfWork
from application.emails import EmailComposer
from application.idempotency import IdempotentRequests
from application.ports.conversation_memory import ConversationMemory
from application.ports.data_agent import DataAgentTools
from application.settlement import Settlement
from application.use_cases.cancel_upgrade import CancelUpgrade
from application.use_cases.check_eligibility import CheckEligibility
from application.use_cases.create_my_customer_profile import CreateMyCustomerProfile
from application.use_cases.customers import (
    GetCustomer,
    IdentifyCustomer,
    RegisterCustomer,
    SignIn,
    UpdateCustomer,
)
from application.use_cases.dispatch_outbox import DispatchOutbox
from application.use_cases.get_order import GetOrder, ListMyOrders
from application.use_cases.get_ticket import GetTicket
from application.use_cases.get_upgrade_options import GetUpgradeOptions
from application.use_cases.list_my_tickets import ListMyTickets
from application.use_cases.pay_for_upgrade import PayForUpgrade
from application.use_cases.quote_upgrade import QuoteUpgrade
from application.use_cases.read_chat_history import ReadChatHistory
from application.use_cases.reconcile_payments import ReconcilePayments
from application.use_cases.record_payment import RecordPayment
from application.use_cases.refund_upgrade import RefundUpgrade
from application.use_cases.resend_confirmation import ResendConfirmation
from application.use_cases.run_data_request import RunDataRequest
from application.use_cases.take_chat_turn import TakeChatTurn
from infra.policy import build_policy
from infra.settings import Settings

__all__ = [
    "USE_CASES",
    "ConfigurationError",
    "Container",
    "breaker_state",
    "build_container",
    "retry_after_seconds",
]


class ConfigurationError(RuntimeError):
    """The settings ask for something this build cannot provide."""


def _minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _http_gateway(url: str | None, timeout: float) -> HttpPaymentGateway:
    if not url:
        raise ConfigurationError(
            "payments over HTTP need TAP_PAYMENT_GATEWAY_URL (`tap serve` starts the dummy "
            "gateway service itself when it is unset; TAP_PAYMENTS=dummy keeps it in process)"
        )
    return HttpPaymentGateway(url, timeout=timeout)


# -- the Data Agent's MCP client (issue 5) ------------------------------------------------------
def _data_agent_tools(url: str, timeout: float) -> DataAgentTools:
    # Imported here: only the Ticket Agent needs the MCP client, and importing it costs ~0.3 s.
    from adapters.mcp.data_agent_client import McpDataAgentTools  # noqa: PLC0415

    return McpDataAgentTools(url, timeout)


def _bedrock_runtime_client(region: str, endpoint_url: str | None) -> Any:
    import boto3  # noqa: PLC0415 - only the bedrock reasoner needs the AWS SDK

    return boto3.client("bedrock-runtime", region_name=region, endpoint_url=endpoint_url)


def _agentcore_client(region: str, endpoint_url: str | None) -> Any:
    import boto3  # noqa: PLC0415 - only the chat Lambda invokes the runtime

    return boto3.client("bedrock-agentcore", region_name=region, endpoint_url=endpoint_url)


def _agentcore_memory(memory_id: str | None, region: str) -> ConversationMemory:
    if not memory_id:
        raise ConfigurationError("AgentCore conversation memory needs TAP_AGENTCORE_MEMORY_ID")
    from bedrock_agentcore.memory import MemorySessionManager  # noqa: PLC0415 - aws only

    from adapters.conversation_memory.agentcore import (  # noqa: PLC0415
        AgentCoreConversationMemory,
    )

    return AgentCoreConversationMemory(MemorySessionManager(memory_id, region), memory_id)


def _runtime_invoker(client: Any, runtime_arn: str | None) -> AgentCoreRuntimeInvoker:
    if not runtime_arn:
        raise ConfigurationError("the chat Lambda needs TAP_TICKET_AGENT_RUNTIME_ARN")
    return AgentCoreRuntimeInvoker(client, runtime_arn)


def _sesv2_client(region: str, endpoint_url: str | None) -> Any:
    import boto3  # noqa: PLC0415 - only the ses email adapter needs the AWS SDK

    return boto3.client("sesv2", region_name=region, endpoint_url=endpoint_url)


def _cognito_client(region: str, endpoint_url: str | None) -> Any:
    import boto3  # noqa: PLC0415 - only the cognito identity needs the AWS SDK

    return boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def disposed(make_engine: Callable[..., Engine]) -> Callable[..., Iterator[Engine]]:
    """A resource initializer: the engine, then its disposal at shutdown."""

    def resource(**arguments: Any) -> Iterator[Engine]:
        engine = make_engine(**arguments)
        try:
            yield engine
        finally:
            engine.dispose()

    return resource


class Container(containers.DeclarativeContainer):
    """Adapters are chosen by configuration alone; use cases never know which they got."""

    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Selector(
        config.ids,
        random=providers.Singleton(RandomIdGenerator),
        sequential=providers.Singleton(SequentialIdGenerator),
    )
    policy = providers.Singleton(build_policy, settings)

    # -- persistence --------------------------------------------------------------------
    memory_store = providers.Singleton(
        MemoryStore, clock=clock, lock_timeout=config.lock_timeout_seconds
    )
    # Engines are resources: built on first use (the memory profile never builds one) and
    # disposed by container.shutdown_resources(), which closes their pooled connections.
    postgres_engine = providers.Resource(
        disposed(engines.postgres_engine),
        url=settings.provided.database_url_value.call(),
        pool_size=config.db_pool_size,
        lock_timeout_seconds=config.lock_timeout_seconds,
    )
    postgres_autocommit_engine = providers.Resource(
        disposed(engines.postgres_engine),
        url=settings.provided.database_url_value.call(),
        pool_size=config.db_pool_size,
        lock_timeout_seconds=config.lock_timeout_seconds,
        autocommit=True,
        # Idempotency keys only: losing the last ones in a database crash is harmless (a retry
        # then runs again and meets the order's state: upgrade_in_progress, order_already_paid),
        # and not waiting for the disk spares two WAL flushes per request.
        wait_for_disk=False,
    )
    aurora_engine = providers.Resource(
        disposed(engines.aurora_engine),
        cluster_arn=config.aurora_cluster_arn,
        secret_arn=config.aurora_secret_arn,
        database=config.aurora_database,
        region=config.aws_region,
        lock_timeout_seconds=config.lock_timeout_seconds,
    )
    database_engine = providers.Selector(
        config.persistence, postgres=postgres_engine, aurora=aurora_engine
    )
    _capacity_lock = providers.Callable(operator.not_, config.unsafe_disable_capacity_lock)
    unit_of_work = providers.Selector(
        config.persistence,
        memory=providers.Factory(MemoryUnitOfWork, store=memory_store),
        postgres=providers.Factory(
            SqlUnitOfWork, engine=postgres_engine, capacity_lock=_capacity_lock
        ),
        aurora=providers.Factory(SqlUnitOfWork, engine=aurora_engine, capacity_lock=_capacity_lock),
    )
    idempotency_store = providers.Selector(
        config.persistence,
        memory=providers.Singleton(MemoryIdempotencyStore),
        postgres=providers.Singleton(SqlIdempotencyStore, engine=postgres_autocommit_engine),
        aurora=providers.Singleton(SqlIdempotencyStore, engine=aurora_engine),
    )
    login_store = providers.Selector(
        config.persistence,
        memory=providers.Singleton(MemoryLoginStore),
        postgres=providers.Singleton(SqlLoginStore, engine=postgres_engine, clock=clock),
        aurora=providers.Singleton(SqlLoginStore, engine=aurora_engine, clock=clock),
    )

    # -- payments, email, identity, progress --------------------------------------------
    gateway_faults = providers.Singleton(
        Faults,
        latency=config.gateway_latency_seconds,
        error_rate=config.gateway_error_rate,
        timeout_rate=config.gateway_timeout_rate,
        outage=config.gateway_outage,
    )
    gateway = providers.Selector(
        config.payments,
        dummy=providers.Singleton(DummyPaymentGateway, clock=clock, faults=gateway_faults),
        http=providers.Singleton(
            _http_gateway,
            url=config.payment_gateway_url,
            timeout=config.payment_gateway_timeout_seconds,
        ),
    )
    payment_breaker = providers.Singleton(
        ClockedCircuitBreaker,
        clock=clock,
        failure_threshold=config.breaker_failure_threshold,
        recovery_timeout=config.breaker_recovery_seconds,
    )
    # What the use cases get: the gateway behind retries and the circuit breaker.
    payment_gateway = providers.Singleton(
        ResilientPaymentGateway,
        inner=gateway,
        breaker=payment_breaker,
        policy=providers.Singleton(
            RetryPolicy,
            attempts=config.payment_retry_attempts,
            first_delay=config.payment_retry_first_delay_seconds,
            max_delay=config.payment_retry_max_delay_seconds,
            budget=config.payment_retry_budget_seconds,
        ),
    )
    email_renderer = providers.Singleton(JinjaEmailRenderer)
    email_sender = providers.Selector(
        config.email,
        file=providers.Singleton(
            FileEmailSender, folder=config.mail_dir, sender=config.mail_from, clock=clock
        ),
        recording=providers.Singleton(RecordingEmailSender),
        smtp=providers.Singleton(
            SmtpEmailSender,
            host=config.smtp_host,
            port=config.smtp_port,
            sender=config.mail_from,
            clock=clock,
            username=config.smtp_username,
            password=providers.Callable(_secret, settings.provided.smtp_password),
            starttls=config.smtp_starttls,
        ),
        ses=providers.Singleton(
            SesEmailSender,
            client=providers.Singleton(
                _sesv2_client, region=config.aws_region, endpoint_url=config.aws_endpoint_url
            ),
            sender=config.mail_from,
            clock=clock,
            configuration_set=config.ses_configuration_set,
        ),
    )
    identity = providers.Selector(
        config.identity,
        local=providers.Singleton(
            LocalIdentityProvider,
            clock=clock,
            issuer=config.token_issuer,
            client_id=config.token_client_id,
            token_ttl=providers.Callable(_minutes, config.token_ttl_minutes),
            signing_key_pem=settings.provided.signing_key_pem.call(),
            hasher=providers.Factory(PasswordHasher, cost=config.password_hash_cost),
            logins=login_store,
        ),
        cognito=providers.Singleton(
            CognitoIdentityProvider,
            client=providers.Singleton(
                _cognito_client, region=config.aws_region, endpoint_url=config.cognito_endpoint_url
            ),
            user_pool_id=config.cognito_user_pool_id,
            client_id=config.cognito_client_id,
        ),
    )
    token_verifier = providers.Selector(
        config.identity,
        local=providers.Singleton(
            JwtTokenVerifier,
            keys=providers.Callable(static_keys, identity.provided.public_keys.call()),
            issuer=config.token_issuer,
            client_id=config.token_client_id,
            clock=clock,
        ),
        # The pool's keys are fetched on the first token, not at start.
        cognito=providers.Singleton(
            JwtTokenVerifier,
            keys=providers.Callable(remote_keys, settings.provided.cognito_keys_url),
            issuer=settings.provided.cognito_issuer,
            client_id=config.cognito_client_id,
            clock=clock,
        ),
    )
    metrics_registry = providers.Singleton(CollectorRegistry)
    breaker_gauge = providers.Singleton(
        register_breaker_gauge, registry=metrics_registry, breaker=payment_breaker
    )
    progress_hub = providers.Singleton(InMemoryProgressHub)
    progress = providers.Singleton(
        FanOutPublisher,
        progress_hub,
        providers.Singleton(PrometheusOutcomeCounter, registry=metrics_registry),
    )
    emails = providers.Singleton(
        EmailComposer, renderer=email_renderer, ids=ids, policy=policy, site_url=config.site_url
    )
    idempotency = providers.Singleton(
        IdempotentRequests,
        store=idempotency_store,
        clock=clock,
        secret=settings.provided.idempotency_secret_bytes.call(),
        retention=providers.Callable(_hours, config.idempotency_retention_hours),
    )

    # -- use cases ----------------------------------------------------------------------
    _reads = {"uow": unit_of_work.provider, "clock": clock, "policy": policy}
    list_my_tickets = providers.Factory(ListMyTickets, **_reads)
    get_ticket = providers.Factory(GetTicket, **_reads)
    check_eligibility = providers.Factory(CheckEligibility, get_ticket=get_ticket)
    get_upgrade_options = providers.Factory(GetUpgradeOptions, **_reads)
    get_order = providers.Factory(GetOrder, **_reads)
    list_my_orders = providers.Factory(ListMyOrders, **_reads)
    quote_upgrade = providers.Factory(QuoteUpgrade, **_reads, ids=ids, progress=progress)
    cancel_upgrade = providers.Factory(CancelUpgrade, **_reads, ids=ids, progress=progress)
    _moving_money = {
        **_reads,
        "ids": ids,
        "gateway": payment_gateway,
        "emails": emails,
        "progress": progress,
    }
    settlement = providers.Factory(Settlement, **_moving_money)
    pay_for_upgrade = providers.Factory(PayForUpgrade, **_moving_money, settlement=settlement)
    refund_upgrade = providers.Factory(RefundUpgrade, **_reads, ids=ids, settlement=settlement)
    resend_confirmation = providers.Factory(ResendConfirmation, **_reads)
    record_payment = providers.Factory(
        RecordPayment, **_reads, gateway=payment_gateway, settlement=settlement
    )
    # A Singleton: it remembers how far it has read the gateway's charges.
    reconcile_payments = providers.Singleton(
        ReconcilePayments,
        uow=unit_of_work.provider,
        clock=clock,
        ids=ids,
        gateway=payment_gateway,
        settlement=settlement,
        progress=progress,
        grace=providers.Callable(_seconds, config.reconcile_grace_seconds),
        lookback=providers.Callable(_hours, config.reconcile_lookback_hours),
    )
    register_customer = providers.Factory(
        RegisterCustomer, uow=unit_of_work.provider, clock=clock, ids=ids, identity=identity
    )
    update_customer = providers.Factory(
        UpdateCustomer, uow=unit_of_work.provider, clock=clock, ids=ids, identity=identity
    )
    create_my_customer_profile = providers.Factory(
        CreateMyCustomerProfile, uow=unit_of_work.provider, clock=clock, ids=ids, identity=identity
    )
    get_customer = providers.Factory(GetCustomer, uow=unit_of_work.provider)
    identify_customer = providers.Factory(IdentifyCustomer, uow=unit_of_work.provider)
    sign_in = providers.Factory(SignIn, identity=identity)
    dispatch_outbox = providers.Factory(
        DispatchOutbox,
        uow=unit_of_work.provider,
        clock=clock,
        sender=email_sender,
        progress=progress,
    )

    # -- the agents ----------------------------------------------------------------------
    # The Data Agent's tools as the Ticket Agent reaches them: one MCP session kept open for
    # every customer (each call carries its own token); built on first use, so a process that
    # never talks to the Data Agent opens nothing.
    data_agent_tools = providers.Singleton(
        _data_agent_tools, url=config.data_agent_url, timeout=config.data_agent_timeout_seconds
    )
    rules_reasoner = providers.Singleton(
        RuleBasedReasoner, clock=clock, park_timezone=config.park_timezone
    )
    reasoner = providers.Selector(
        config.reasoner,
        rules=rules_reasoner,
        # The model, with the rules answering (and the conversation flagged) while it fails.
        bedrock=providers.Singleton(
            FallbackReasoner,
            primary=providers.Singleton(
                BedrockConverseReasoner,
                client=providers.Singleton(
                    _bedrock_runtime_client,
                    region=config.aws_region,
                    endpoint_url=config.aws_endpoint_url,
                ),
                model_id=config.bedrock_model_id,
                max_tokens=config.bedrock_max_tokens,
                temperature=config.bedrock_temperature,
            ),
            fallback=rules_reasoner,
            breaker=providers.Singleton(
                reasoning_breaker,
                clock=clock,
                failure_threshold=config.reasoner_breaker_failure_threshold,
                recovery_timeout=config.reasoner_breaker_recovery_seconds,
            ),
        ),
    )
    conversation_memory = providers.Selector(
        config.conversation_memory,
        memory=providers.Singleton(InMemoryConversationMemory, ids=ids),
        postgres=providers.Singleton(SqlConversationMemory, engine=database_engine, ids=ids),
        agentcore=providers.Singleton(
            _agentcore_memory, memory_id=config.agentcore_memory_id, region=config.aws_region
        ),
    )
    take_chat_turn = providers.Factory(
        TakeChatTurn,
        memory=conversation_memory,
        reasoner=reasoner,
        tools=data_agent_tools,
        clock=clock,
        ids=ids,
        park_name=config.park_name,
        max_steps=config.agent_max_steps,
    )
    read_chat_history = providers.Factory(ReadChatHistory, memory=conversation_memory)
    # -- the Data Agent's natural-language tool (issue 5): the same reasoner, its own tools --
    run_data_request = providers.Factory(
        RunDataRequest,
        reasoner=reasoner,
        clock=clock,
        policy=policy,
        max_steps=config.agent_max_steps,
    )
    # The chat Lambda's way to the Ticket Agent's runtime (aws only; built on first use).
    agent_runtime = providers.Singleton(
        _runtime_invoker,
        client=providers.Singleton(
            _agentcore_client, region=config.aws_region, endpoint_url=config.aws_endpoint_url
        ),
        runtime_arn=config.ticket_agent_runtime_arn,
    )


USE_CASES = (
    "list_my_tickets",
    "get_ticket",
    "check_eligibility",
    "get_upgrade_options",
    "get_order",
    "list_my_orders",
    "quote_upgrade",
    "cancel_upgrade",
    "pay_for_upgrade",
    "refund_upgrade",
    "resend_confirmation",
    "record_payment",
    "reconcile_payments",
    "take_chat_turn",
    "read_chat_history",
    "run_data_request",
    "register_customer",
    "update_customer",
    "create_my_customer_profile",
    "get_customer",
    "identify_customer",
    "sign_in",
    "dispatch_outbox",
)
SERVICES = (
    "token_verifier",
    "idempotency",
    "progress_hub",
    "metrics_registry",
    "breaker_gauge",
    "unit_of_work",
)


def build_container(settings: Settings, overrides: Mapping[str, Any] | None = None) -> Container:
    """A container for these settings, with every use case resolved once so that a bad setting
    fails now rather than on some customer's first request. `overrides` replaces providers by
    name with fixed objects (tests use it for the clock and the ids)."""
    container = Container(settings=settings)
    container.config.from_dict(settings.model_dump())
    for name, value in (overrides or {}).items():
        getattr(container, name).override(providers.Object(value))
    try:
        for name in (*SERVICES, *USE_CASES):
            getattr(container, name)()
    except Exception as error:
        raise ConfigurationError(_explain(settings, error)) from error
    return container


def _explain(settings: Settings, error: Exception) -> str:
    text = str(error)
    if "has no" in text and "provider" in text:
        chosen = {
            port: getattr(settings, port)
            for port in ("persistence", "payments", "email", "identity")
        }
        return (
            f"This build has no adapter for one of {chosen} (profile {settings.profile!r}): "
            f"{text}. The memory profile works everywhere: TAP_PROFILE=memory."
        )
    return f"Cannot build the application from these settings: {text}"
