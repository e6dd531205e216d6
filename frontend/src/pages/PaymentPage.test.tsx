import { screen } from "@testing-library/react";
import { anOrder } from "../test/fixtures";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderApp, route } from "../test/renderApp";

const DECLINED = problem(402, {
  code: "card_declined",
  detail: "Your card was declined.",
  guidance: "Try another card, or ask your bank why.",
  decline_code: "card_declined",
  attempts_left: 2,
});
const CONFIRMED = anOrder({
  status: "confirmed",
  confirmation_code: "F4M2B335",
  payment: { brand: "visa", last4: "4242" },
  email_status: "sent",
});

async function fillCard(user: ReturnType<typeof renderApp>["user"], number: string) {
  for (const [label, value] of [
    ["Card number", number],
    ["Expiry date (MM/YY)", "1230"],
    ["Security code", "123"],
    ["Name on card", "Alice Rivera"],
  ] as const) {
    await user.clear(screen.getByLabelText(label));
    await user.type(screen.getByLabelText(label), value);
  }
}

describe("Quote and payment page", () => {
  it("shows an order the server let lapse as it now is, with no Pay button left", async () => {
    const fake = fakeApi({
      "GET /api/upgrades/:id": [json(anOrder()), json(anOrder({ status: "expired" }))],
      "POST /api/upgrades/:id/payment": problem(422, {
        code: "order_expired",
        detail: "This quote has expired and its price is no longer held.",
      }),
    });
    const { user } = renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    await screen.findByRole("timer");
    await fillCard(user, "4242424242424242");
    await user.click(screen.getByRole("button", { name: "Pay $45.00" }));
    expect(await screen.findByText(/This upgrade can no longer be paid/)).toHaveTextContent("Expired");
    expect(screen.queryByRole("button", { name: /^Pay/ })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Start a new upgrade" })).toBeInTheDocument();
  });

  it("shows the quote with its countdown", async () => {
    const fake = fakeApi({ "GET /api/upgrades/:id": json(anOrder()) });
    renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    expect(await screen.findByText("Non-stop")).toBeInTheDocument();
    expect(screen.getByText("Wednesday, December 9, 2026")).toBeInTheDocument();
    expect(screen.getByText("$45.00")).toBeInTheDocument();
    expect(screen.getByRole("timer")).toHaveTextContent(/Price held for 1[45]:\d\d/);
    expect(screen.getByRole("button", { name: "Pay $45.00" })).toBeDisabled();
  });

  it("explains a decline, then pays with another card and shows the confirmation", async () => {
    const fake = fakeApi({
      "GET /api/upgrades/:id": [json(anOrder()), json(CONFIRMED)],
      "POST /api/upgrades/:id/payment": [DECLINED, json(CONFIRMED)],
    });
    const { user } = renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    await screen.findByRole("timer");
    await fillCard(user, "4000000000000002");
    await user.click(screen.getByRole("button", { name: "Pay $45.00" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Your card was declined.");
    expect(alert).toHaveTextContent("Try another card, or ask your bank why.");
    expect(alert).toHaveTextContent("You can try 2 more times with another card.");
    expect(route()).toBe("/upgrades/o-1/pay");

    await fillCard(user, "4242424242424242");
    await user.click(screen.getByRole("button", { name: "Pay $45.00" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Your upgrade is confirmed" })).toHaveFocus();
    expect(route()).toBe("/upgrades/o-1");
    expect(screen.getByText("F4M2B335")).toBeInTheDocument();
    expect(screen.getByText(/\$45\.00 \(visa ending 4242\)/)).toBeInTheDocument();
    expect(screen.getByText("Sent")).toBeInTheDocument();

    const payments = fake.callsTo("POST /api/upgrades/:id/payment");
    expect(payments.map((call) => (call.body as { card: { number: string } }).card.number)).toEqual([
      "4000000000000002",
      "4242424242424242",
    ]);
    // A decline is final for that attempt: the second one has its own key.
    expect(payments[0]!.headers["Idempotency-Key"]).not.toBe(payments[1]!.headers["Idempotency-Key"]);
  });

  it("offers a retry when payments are unavailable (503), reusing the attempt's key", async () => {
    const fake = fakeApi({
      "GET /api/upgrades/:id": [json(anOrder()), json(CONFIRMED)],
      "POST /api/upgrades/:id/payment": [
        problem(503, { code: "payment_unavailable", detail: "The payment processor had an error.", guidance: "Nothing was charged. Please try again in a few moments." }, { "Retry-After": "5" }),
        json(CONFIRMED),
      ],
    });
    const { user } = renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    await screen.findByRole("timer");
    await fillCard(user, "4242424242424242");
    await user.click(screen.getByRole("button", { name: "Pay $45.00" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Payments are not available right now.");
    expect(alert).toHaveTextContent("Nothing was charged.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("F4M2B335")).toBeInTheDocument();
    const keys = fake.callsTo("POST /api/upgrades/:id/payment").map((call) => call.headers["Idempotency-Key"]);
    expect(keys[0]).toBe(keys[1]);
  });

  it("goes straight to the confirmation when the order is already paid", async () => {
    const fake = fakeApi({ "GET /api/upgrades/:id": json(CONFIRMED) });
    renderApp({ at: "/upgrades/o-1/pay", api: fake, signedIn: true });
    expect(await screen.findByText("F4M2B335")).toBeInTheDocument();
    expect(route()).toBe("/upgrades/o-1");
  });
});
