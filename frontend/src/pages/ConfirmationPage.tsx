/**
 * The confirmed upgrade: confirmation code (large, selectable), tier, date, amount and the
 * email's status. While the payment is confirming or the email is still being sent, the order's
 * live progress (src/progress) shows the steps and updates the page as they come; where the
 * progress feed is unavailable the page looks again a few times instead.
 */
import { useEffect, useState } from "react";
import type { Order } from "../api/types";
import { Loading, Page } from "../app/Page";
import { useServices } from "../app/services";
import { useLoad } from "../app/useLoad";
import { ProblemMessage } from "../components/ProblemMessage";
import { longDate } from "../dates";
import { formatMoney } from "../money";
import { ProgressSteps } from "../progress/ProgressSteps";
import { useOrderProgress } from "../progress/useOrderProgress";
import { hrefFor, paths } from "../routing";
import { emailStatus, ORDER_STATUS, tierName } from "../words";

const EMAIL_POLL_MS = 2000;
const EMAIL_POLLS = 5;

function Details({ order, live }: { order: Order; live: boolean }) {
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
      {/* While the steps are shown they announce the email; one announcement is enough. */}
      <dd aria-live={live ? undefined : "polite"}>{emailStatus(order.email_status)}</dd>
      <dt>Status</dt>
      <dd>{ORDER_STATUS[order.status] ?? order.status}</dd>
    </dl>
  );
}

export function ConfirmationPage({ orderId }: { orderId: string }) {
  const { api, auth } = useServices();
  const order = useLoad(() => api.order(orderId), [api, orderId]);
  const emailPending = order.state === "ready" && order.data.status === "confirmed" && order.data.email_status === "pending";
  const processing = order.state === "ready" && order.data.status === "processing";
  const { setData } = order;

  // Follow the order live once there is something to wait for, and keep the steps shown after.
  const [follow, setFollow] = useState(false);
  useEffect(() => {
    if (emailPending || processing) setFollow(true);
  }, [emailPending, processing]);
  const progress = useOrderProgress(follow ? orderId : null, { getToken: () => auth.currentToken() });
  const fresh = progress.order;
  useEffect(() => {
    if (fresh) setData(fresh);
  }, [fresh, setData]);
  const feedDown =
    typeof WebSocket === "undefined" || progress.connection === "lost" || progress.connection === "refused";

  useEffect(() => {
    if (!emailPending || !feedDown) return;
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
  }, [api, orderId, emailPending, feedDown, setData]);

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
          {follow && progress.step !== null && <ProgressSteps progress={progress} />}
          <Details order={order.data} live={follow && progress.step !== null} />
          <p className="actions">
            <a href={hrefFor(paths.dashboard())}>My upgrades</a>
            <a href={hrefFor(paths.tickets())}>My tickets</a>
          </p>
        </>
      )}
    </Page>
  );
}
