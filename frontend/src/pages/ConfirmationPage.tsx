/**
 * The confirmed upgrade: confirmation code (large, selectable), tier, date, amount and the
 * email's status. While the email is still being sent the page looks again a few times.
 */
import { useEffect } from "react";
import type { Order } from "../api/types";
import { Loading, Page } from "../app/Page";
import { useServices } from "../app/services";
import { useLoad } from "../app/useLoad";
import { ProblemMessage } from "../components/ProblemMessage";
import { longDate } from "../dates";
import { formatMoney } from "../money";
import { hrefFor, paths } from "../routing";
import { emailStatus, ORDER_STATUS, tierName } from "../words";

const EMAIL_POLL_MS = 2000;
const EMAIL_POLLS = 5;

function Details({ order }: { order: Order }) {
  const card = order.payment?.last4 ? `${String(order.payment.brand ?? "Card")} ending ${order.payment.last4}` : null;
  return (
    <dl className="facts">
      <dt>Ticket</dt>
      <dd>{order.ticket}</dd>
      <dt>Tier</dt>
      <dd>{tierName(order.tier)}</dd>
      <dt>Visit date</dt>
      <dd>{longDate(order.date)}</dd>
      <dt>Amount paid</dt>
      <dd>
        {formatMoney(order.amount_due, order.currency)}
        {card ? ` (${card})` : ""}
      </dd>
      <dt>Confirmation email</dt>
      <dd aria-live="polite">{emailStatus(order.email_status)}</dd>
      <dt>Status</dt>
      <dd>{ORDER_STATUS[order.status] ?? order.status}</dd>
    </dl>
  );
}

export function ConfirmationPage({ orderId }: { orderId: string }) {
  const { api } = useServices();
  const order = useLoad(() => api.order(orderId), [api, orderId]);
  const emailPending = order.state === "ready" && order.data.status === "confirmed" && order.data.email_status === "pending";
  const { setData } = order;

  useEffect(() => {
    if (!emailPending) return;
    let polls = 0;
    let live = true;
    const timer = setInterval(() => {
      if (++polls >= EMAIL_POLLS) clearInterval(timer);
      api.order(orderId).then((fresh) => live && setData(fresh), () => undefined);
    }, EMAIL_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, orderId, emailPending, setData]);

  const title = order.state === "ready" && order.data.status === "confirmed" ? "Your upgrade is confirmed" : "Your upgrade";
  return (
    <Page title={title}>
      {order.state === "loading" && <Loading what="your upgrade" />}
      {order.state === "error" && <ProblemMessage error={order.error} onRetry={order.reload} />}
      {order.state === "ready" && (
        <>
          {order.data.confirmation_code && (
            <p className="confirmation">
              Confirmation code <strong className="confirmation-code">{order.data.confirmation_code}</strong>
            </p>
          )}
          {order.data.status === "pending" && (
            <p>
              This upgrade is waiting for payment. <a href={hrefFor(paths.pay(order.data.id))}>Pay now</a>
            </p>
          )}
          <Details order={order.data} />
          <p className="actions">
            <a href={hrefFor(paths.dashboard())}>My upgrades</a>
            <a href={hrefFor(paths.tickets())}>My tickets</a>
          </p>
        </>
      )}
    </Page>
  );
}
