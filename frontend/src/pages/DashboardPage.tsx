/**
 * My upgrades: every order with its status, newest first. A quote waiting for payment can be
 * paid or cancelled (giving the hold back); a confirmed upgrade can be refunded before the visit
 * date, after the customer confirms. What happened is announced in a live region.
 */
import { useState } from "react";
import { ApiError, networkError } from "../api/errors";
import type { Order } from "../api/types";
import { Loading, Page } from "../app/Page";
import { useServices } from "../app/services";
import { useLoad } from "../app/useLoad";
import { ProblemMessage } from "../components/ProblemMessage";
import { isAfterToday, longDate } from "../dates";
import { formatMoney } from "../money";
import { hrefFor, paths } from "../routing";
import { emailStatus, ORDER_STATUS, tierName } from "../words";

type Action = "cancel" | "refund";

function OrderCard({ order, onChanged }: { order: Order; onChanged: (order: Order, said: string) => void }) {
  const { api } = useServices();
  const [busy, setBusy] = useState<Action | null>(null);
  const [confirmingRefund, setConfirmingRefund] = useState(false);
  const [error, setError] = useState<{ action: Action; error: ApiError } | null>(null);
  const headingId = `order-${order.id}`;
  const refundable = order.status === "confirmed" && isAfterToday(order.date);

  async function run(action: Action) {
    setBusy(action);
    setError(null);
    try {
      const changed = action === "cancel" ? await api.cancel(order.id) : await api.refund(order.id);
      setConfirmingRefund(false);
      onChanged(
        changed,
        action === "cancel"
          ? `The upgrade of ${order.ticket} to ${tierName(order.tier)} was cancelled; the price is no longer held.`
          : `The upgrade of ${order.ticket} was refunded: ${formatMoney(order.amount_due, order.currency)} goes back to your card.`,
      );
    } catch (caught) {
      setError({ action, error: caught instanceof ApiError ? caught : networkError() });
    } finally {
      setBusy(null);
    }
  }

  return (
    <li className={`card order order-${order.status}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {tierName(order.tier)} for {order.ticket}
      </h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{ORDER_STATUS[order.status] ?? order.status}</dd>
        <dt>Visit date</dt>
        <dd>{longDate(order.date)}</dd>
        <dt>Amount</dt>
        <dd>{formatMoney(order.amount_due, order.currency)}</dd>
        {order.confirmation_code && (
          <>
            <dt>Confirmation code</dt>
            <dd className="confirmation-code">{order.confirmation_code}</dd>
          </>
        )}
        {(order.status === "confirmed" || order.status === "refunded") && (
          <>
            <dt>Email</dt>
            <dd>{emailStatus(order.email_status)}</dd>
          </>
        )}
      </dl>
      {error && <ProblemMessage error={error.error} onRetry={() => run(error.action)} retrying={busy !== null} />}
      <div className="actions">
        {order.status === "pending" && (
          <>
            <a className="button" href={hrefFor(paths.pay(order.id))} aria-label={`Pay for ${order.ticket}`}>
              Pay
            </a>
            <button
              type="button"
              onClick={() => run("cancel")}
              disabled={busy !== null}
              aria-label={busy === "cancel" ? `Cancelling the quote for ${order.ticket}` : `Cancel the quote for ${order.ticket}`}
            >
              {busy === "cancel" ? "Cancelling…" : "Cancel"}
            </button>
          </>
        )}
        {order.status === "confirmed" && (
          <a href={hrefFor(paths.confirmation(order.id))} aria-label={`Details of the upgrade for ${order.ticket}`}>
            Details
          </a>
        )}
        {refundable && !confirmingRefund && (
          <button
            type="button"
            onClick={() => setConfirmingRefund(true)}
            disabled={busy !== null}
            aria-label={`Refund the upgrade for ${order.ticket}`}
          >
            Refund
          </button>
        )}
      </div>
      {refundable && confirmingRefund && (
        <div className="confirm" role="group" aria-label="Confirm the refund">
          <p>
            Refund {formatMoney(order.amount_due, order.currency)}? Ticket {order.ticket} goes back to{" "}
            {tierName(order.previous_tier)} on {longDate(order.previous_date)}.
          </p>
          <button type="button" onClick={() => run("refund")} disabled={busy !== null}>
            {busy === "refund" ? "Refunding…" : "Yes, refund"}
          </button>
          <button type="button" onClick={() => setConfirmingRefund(false)} disabled={busy !== null}>
            Keep my upgrade
          </button>
        </div>
      )}
    </li>
  );
}

export function DashboardPage() {
  const { api } = useServices();
  const orders = useLoad(() => api.orders(), [api]);
  const [said, setSaid] = useState("");

  function changed(order: Order, words: string) {
    if (orders.state !== "ready") return;
    orders.setData(orders.data.map((o) => (o.id === order.id ? order : o)));
    setSaid(words);
  }

  const sorted = orders.state === "ready" ? [...orders.data].sort((a, b) => b.created_at.localeCompare(a.created_at)) : [];
  return (
    <Page title="My upgrades">
      <p className="visually-hidden" role="status">
        {said}
      </p>
      {said && (
        <p className="notice" aria-hidden="true">
          {said}
        </p>
      )}
      {orders.state === "loading" && <Loading what="your upgrades" />}
      {orders.state === "error" && <ProblemMessage error={orders.error} onRetry={orders.reload} />}
      {orders.state === "ready" &&
        (sorted.length === 0 ? (
          <p>
            No upgrades yet. <a href={hrefFor(paths.tickets())}>Choose a ticket to upgrade</a>.
          </p>
        ) : (
          <ul className="cards" aria-label="Upgrade history">
            {sorted.map((order) => (
              <OrderCard key={order.id} order={order} onChanged={changed} />
            ))}
          </ul>
        ))}
    </Page>
  );
}
