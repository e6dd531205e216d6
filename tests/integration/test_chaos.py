"""The chaos run of bench/chaos.py, smaller: customers upgrading at once through a real
`tap serve` on PostgreSQL while the gateway service fails 20% of its calls and goes down for
5 seconds in the middle; then `tap reconcile`, then every invariant.

The same code as the benchmark script, at a scale that takes about half a minute: 60 customers
over 12 seconds, the outage from 3.5 to 8.5 s. The test fails if an invariant breaks, and also
if the faults did not happen (a chaos run that met no chaos proves nothing): the gateway must
have answered 503s, the breaker must have opened and failed payments fast, declining cards must
have been declined, and the small hot days must have turned quotes away.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import make_url

from tests.support.postgres import ADMIN_URL

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"


def load_chaos() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_chaos", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_under_gateway_errors_and_an_outage_every_order_is_paid_once_and_told_once(
    tmp_path: Path,
) -> None:
    chaos = load_chaos()
    # The script wants the server's address; it makes and drops its own database there.
    server = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(False)
    config = chaos.ChaosConfig(
        customers=60,
        load_seconds=12.0,
        concurrency=12,
        error_rate=0.2,
        timeout_rate=0.05,
        outage_seconds=5.0,
        hot_days=2,
        hot_capacity=4,
        pg=server.rsplit("/", 1)[0],
    )

    report = chaos.run_chaos(config, tmp_path)

    text = chaos.markdown(report, config)
    print(text)  # noqa: T201 - the figures, with -s
    assert report.ok, f"invariants broken: {report.failed()}\n\n{text}"
    figures = report.figures
    assert figures["orders"] >= 40, text
    assert figures["gateway_503"] > 0, text  # the 20% and the outage reached the server
    assert figures["gateway_503_outage"] > 0, text
    assert figures["breaker_opened"] >= 1, text
    assert figures["fail_fast"] > 0, text  # payments refused at once while it was open
    assert figures["declined"] > 0, text  # the declining test cards
    assert figures["sold_out"] > 0, text  # the hot days ran out under contention
    assert figures["confirmed"] > 0, text
    refund_emails = figures["charges_refunded"]
    assert figures["emails_sent"] == figures["confirmed"] + figures["failed"] + refund_emails, text
