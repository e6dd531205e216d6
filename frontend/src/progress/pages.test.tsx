import { act, screen, waitFor } from "@testing-library/react";
import { anOrder } from "../test/fixtures";
import { fakeApi, json } from "../test/fakeApi";
import { renderApp, route } from "../test/renderApp";
import { installFakeWebSocket, latest } from "./fakeWebSocket";

const PROCESSING = anOrder({ status: "processing" });
const CONFIRMED = anOrder({ status: "confirmed", confirmation_code: "F4M2B335", email_status: "pending" });
const EMAILED = { ...CONFIRMED, email_status: "sent" };

beforeEach(installFakeWebSocket);

describe("Live progress on the pages", () => {
  it("confirmation page: the email arrives live and the feed closes", async () => {
    const fake = fakeApi({ "GET /api/upgrades/:id": json(CONFIRMED) });
    renderApp({ at: "/upgrades/o-1", api: fake, signedIn: true });
    expect(await screen.findByText("Being sent")).toBeInTheDocument();
    const ws = await waitFor(latest);
    expect(ws.url).toMatch(/\/api\/upgrades\/o-1\/events\?access_token=tok$/);

    act(() => ws.emit({ type: "snapshot", event: null, at: "2026-12-01T10:00:00Z", order: CONFIRMED }));
    expect(screen.getByRole("listitem", { current: "step" })).toHaveTextContent("Upgrade confirmed");
    act(() => ws.emit({ type: "event", event: "email_sent", at: "2026-12-01T10:00:01Z", order: EMAILED }));

    expect(screen.getByText("Sent")).toBeInTheDocument();
    expect(screen.getByText("Confirmation email sent.")).toBeInTheDocument(); // the announcement
    expect(ws.closedByClient).toBe(true);
    expect(fake.callsTo("GET /api/upgrades/:id")).toHaveLength(1); // no polling
  });

  it("payment page: a processing payment's confirmation moves on to the confirmation page", async () => {
    const fake = fakeApi({ "GET /api/upgrades/:id": [json(PROCESSING), json(CONFIRMED)] });
    renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    expect(await screen.findByText(/still confirming your payment/)).toBeInTheDocument();
    const ws = latest();
    act(() => ws.emit({ type: "snapshot", event: null, at: "2026-12-01T10:00:00Z", order: PROCESSING }));
    expect(screen.getByRole("listitem", { current: "step" })).toHaveTextContent("Payment");

    act(() => ws.emit({ type: "event", event: "confirmed", at: "2026-12-01T10:00:01Z", order: CONFIRMED }));
    expect(await screen.findByRole("heading", { level: 1, name: "Your upgrade is confirmed" })).toBeInTheDocument();
    expect(route()).toBe("/upgrades/o-1");
    expect(ws.closedByClient).toBe(true); // the payment page's feed; the confirmation page opens its own
  });

  it("payment page: the steps show beside the quote while paying", async () => {
    const fake = fakeApi({ "GET /api/upgrades/:id": json(anOrder()) });
    renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    await screen.findByRole("timer");
    const ws = latest();
    act(() => ws.emit({ type: "snapshot", event: null, at: "2026-12-01T10:00:00Z", order: anOrder() }));
    expect(screen.getByRole("listitem", { current: "step" })).toHaveTextContent("Quote held");
    act(() => ws.emit({ type: "event", event: "payment_processing", at: "2026-12-01T10:00:01Z", order: PROCESSING }));
    expect(screen.getByRole("listitem", { current: "step" })).toHaveTextContent("Payment");
    expect(screen.getByRole("button", { name: "Pay $45.00" })).toBeInTheDocument(); // the form stays put
  });

  it("payment page: an order paid in another tab leaves no card form and moves to the confirmation", async () => {
    const fake = fakeApi({ "GET /api/upgrades/:id": [json(anOrder()), json(CONFIRMED)] });
    renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    await screen.findByRole("timer");
    const ws = latest();
    act(() => ws.emit({ type: "snapshot", event: null, at: "2026-12-01T10:00:00Z", order: anOrder() }));
    act(() => ws.emit({ type: "event", event: "confirmed", at: "2026-12-01T10:00:01Z", order: CONFIRMED }));
    expect(await screen.findByRole("heading", { level: 1, name: "Your upgrade is confirmed" })).toBeInTheDocument();
    expect(route()).toBe("/upgrades/o-1");
    expect(screen.queryByRole("button", { name: /^Pay/ })).not.toBeInTheDocument();
  });

  it("payment page: the last decline made elsewhere closes the card form", async () => {
    const failed = anOrder({ status: "failed", last_decline_code: "card_declined", attempts_left: 0 });
    const fake = fakeApi({ "GET /api/upgrades/:id": json(anOrder()) });
    renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    await screen.findByRole("timer");
    const ws = latest();
    act(() => ws.emit({ type: "snapshot", event: null, at: "2026-12-01T10:00:00Z", order: anOrder() }));
    act(() => ws.emit({ type: "event", event: "payment_declined", at: "2026-12-01T10:00:01Z", order: failed }));
    expect(await screen.findByText(/This upgrade can no longer be paid/)).toHaveTextContent("Not paid (card declined)");
    expect(screen.queryByRole("button", { name: /^Pay/ })).not.toBeInTheDocument();
  });
});
