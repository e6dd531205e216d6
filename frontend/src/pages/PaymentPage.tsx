/**
 * The quote and its payment: tier, date and amount due with the countdown to `expires_at`, and
 * the card form paying POST /api/upgrades/{id}/payment. Declines and an unavailable gateway are
 * explained by the card form (ProblemMessage, with a retry that reuses the attempt's key);
 * success goes to the confirmation page. While the quote is open or the payment is being
 * confirmed, the order's live progress (src/progress) shows its steps; a cancel or expiry from
 * elsewhere, or the confirmation of a payment still processing, updates the page as it comes.
 */
import { useEffect, useState } from "react";
import { ApiError } from "../api/errors";
import type { Order, PaymentCard } from "../api/types";
import { Loading, Page } from "../app/Page";
import { useServices } from "../app/services";
import { useLoad } from "../app/useLoad";
import { CardForm } from "../components/CardForm";
import { Countdown } from "../components/Countdown";
import { ProblemMessage } from "../components/ProblemMessage";
import { longDate } from "../dates";
import { formatMoney } from "../money";
import { ProgressSteps } from "../progress/ProgressSteps";
import { useOrderProgress, type OrderProgress } from "../progress/useOrderProgress";
import { hrefFor, navigate, paths } from "../routing";
import { ORDER_STATUS, tierName } from "../words";

function QuoteSummary({ order }: { order: Order }) {
  return (
    <dl className="facts quote">
      <dt>Ticket</dt>
      <dd>{order.ticket}</dd>
      <dt>Upgrade to</dt>
      <dd>{tierName(order.tier)}</dd>
      <dt>Visit date</dt>
      <dd>{longDate(order.date)}</dd>
      <dt>Amount due</dt>
      <dd className="amount">{formatMoney(order.amount_due, order.currency)}</dd>
    </dl>
  );
}

/** Refusals that mean the order itself moved on: the page shows it as it now is. */
const ORDER_ENDED = new Set(["order_expired", "order_cancelled", "order_failed", "order_refunded", "order_already_paid"]);

function Payable({ order, progress, onEnded }: { order: Order; progress: OrderProgress; onEnded: () => void }) {
  const { api } = useServices();
  const [expired, setExpired] = useState(Date.parse(order.expires_at) <= Date.now());

  async function pay(card: PaymentCard, key: string) {
    try {
      const paid = await api.pay(order.id, card, key);
      navigate(paths.confirmation(paid.id));
    } catch (caught) {
      // The hold lapsed on the server (clocks differ) or another tab ended the order: reload it,
      // so the page offers what can be done now instead of a Pay button that can only fail.
      if (caught instanceof ApiError && ORDER_ENDED.has(caught.code)) onEnded();
      throw caught;
    }
  }

  return (
    <>
      {progress.step !== null && <ProgressSteps progress={progress} />}
      <section aria-labelledby="quote-heading" className="card">
        <h2 id="quote-heading">Your quote</h2>
        <QuoteSummary order={order} />
        <Countdown expiresAt={order.expires_at} onExpire={() => setExpired(true)} />
      </section>
      <section aria-labelledby="pay-heading">
        <h2 id="pay-heading">Pay by card</h2>
        {expired ? (
          <p>
            The price is no longer held. <a href={hrefFor(paths.upgrade(order.ticket))}>Choose a date again</a> to
            get a new quote.
          </p>
        ) : (
          <CardForm amountDue={order.amount_due} currency={order.currency} onPay={pay} />
        )}
      </section>
    </>
  );
}

export function PaymentPage({ orderId }: { orderId: string }) {
  const { api, auth } = useServices();
  const order = useLoad(() => api.order(orderId), [api, orderId]);
  const status = order.state === "ready" ? order.data.status : null;
  const progress = useOrderProgress(status === "pending" || status === "processing" ? orderId : null, {
    getToken: () => auth.currentToken(),
  });
  const { setData } = order;
  const live = progress.order;
  useEffect(() => {
    // Paid or ended while the page is open (a payment went through, the last decline, a
    // cancel, the price hold expired; here or in another tab): show the order as it now is, so
    // the page never offers a card form for an order that can no longer be paid. An attempt
    // in flight (processing) leaves the form and its answer in place.
    if (!live || live.status === status) return;
    if (live.status !== "pending" && live.status !== "processing") setData(live);
  }, [live, status, setData]);

  const paidId = order.state === "ready" && order.data.status === "confirmed" ? order.data.id : null;
  useEffect(() => {
    // Already paid (a reload after paying, or a second tab): show the confirmation instead.
    if (paidId) navigate(paths.confirmation(paidId), { replace: true });
  }, [paidId]);

  return (
    <Page title="Quote and payment">
      {order.state === "loading" && <Loading what="your quote" />}
      {order.state === "error" && <ProblemMessage error={order.error} onRetry={order.reload} />}
      {order.state === "ready" &&
        (order.data.status === "pending" ? (
          <Payable order={order.data} progress={progress} onEnded={order.reload} />
        ) : order.data.status === "processing" ? (
          <>
            {progress.step !== null && <ProgressSteps progress={progress} />}
            <div role="status">
              <p>We are still confirming your payment. Nothing more is needed from you.</p>
              <button type="button" onClick={order.reload}>
                Check again
              </button>
            </div>
          </>
        ) : (
          <div>
            <QuoteSummary order={order.data} />
            <p>
              This upgrade can no longer be paid: <strong>{ORDER_STATUS[order.data.status] ?? order.data.status}</strong>.
            </p>
            <p>
              <a href={hrefFor(paths.upgrade(order.data.ticket))}>Start a new upgrade</a> or{" "}
              <a href={hrefFor(paths.dashboard())}>see my upgrades</a>.
            </p>
          </div>
        ))}
    </Page>
  );
}
