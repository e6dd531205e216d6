import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { problemToError } from "../api/errors";
import type { PaymentCard } from "../api/types";
import { CardForm } from "./CardForm";

const NOW = () => new Date(2026, 10, 28, 12, 0, 0);

/** A promise the test settles by hand, to hold a payment "in flight". */
function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(onPay: (card: PaymentCard, key: string) => Promise<void>) {
  let n = 0;
  const newKey = vi.fn(() => `key-${++n}`);
  const user = userEvent.setup();
  render(<CardForm amountDue="50.00" currency="USD" onPay={onPay} now={NOW} newKey={newKey} />);
  const fill = async (number = "4242424242424242") => {
    await user.clear(screen.getByLabelText("Card number"));
    await user.type(screen.getByLabelText("Card number"), number);
    await user.clear(screen.getByLabelText("Expiry date (MM/YY)"));
    await user.type(screen.getByLabelText("Expiry date (MM/YY)"), "1230");
    await user.clear(screen.getByLabelText("Security code"));
    await user.type(screen.getByLabelText("Security code"), "123");
    await user.clear(screen.getByLabelText("Name on card"));
    await user.type(screen.getByLabelText("Name on card"), "Alice Rivera");
  };
  const pay = () => screen.getByRole("button", { name: /^Pay|Paying/ });
  return { user, fill, pay, newKey };
}

describe("CardForm", () => {
  it("validates live, groups the number and shows the brand", async () => {
    const { user, pay } = setup(vi.fn());
    const number = screen.getByLabelText("Card number");
    await user.type(number, "4242424242424241");
    expect(number).toHaveValue("4242 4242 4242 4241");
    expect(number).toHaveAccessibleDescription(/Visa/);
    await user.tab();
    expect(number).toHaveAttribute("aria-invalid", "true");
    expect(number).toHaveAccessibleDescription(/This card number is not valid/);
    // Once touched, the message follows each keystroke.
    await user.type(number, "{Backspace}2");
    expect(number).not.toHaveAttribute("aria-invalid");
    expect(pay()).toBeDisabled();
    expect(screen.getByText("Fill in every field correctly to pay.")).toBeInTheDocument();
  });

  it("asks for 4 CVC digits for American Express", async () => {
    const { user } = setup(vi.fn());
    await user.type(screen.getByLabelText("Card number"), "378282246310005");
    expect(screen.getByTestId("card-brand")).toHaveTextContent("American Express");
    await user.type(screen.getByLabelText("Security code"), "123");
    await user.tab();
    expect(screen.getByLabelText("Security code")).toHaveAccessibleDescription(
      "The security code is 4 digits, on the front of the card.",
    );
  });

  it("keeps Pay disabled while the payment is in flight, so a double click pays once", async () => {
    const inFlight = deferred();
    const onPay = vi.fn(() => inFlight.promise);
    const { user, fill, pay } = setup(onPay);
    await fill();
    expect(pay()).toHaveTextContent("Pay $50.00");
    expect(pay()).toBeEnabled();
    await user.dblClick(pay());
    expect(pay()).toBeDisabled();
    expect(pay()).toHaveTextContent("Paying…");
    expect(onPay).toHaveBeenCalledTimes(1);
    await act(async () => inFlight.resolve());
    expect(onPay).toHaveBeenCalledTimes(1);
  });

  it("reuses the attempt's Idempotency-Key when retrying after a 503", async () => {
    const onPay = vi
      .fn<(card: PaymentCard, key: string) => Promise<void>>()
      .mockRejectedValueOnce(problemToError(503, { code: "payment_unavailable", detail: "Down.", guidance: "Nothing was charged." }, "5"))
      .mockResolvedValueOnce(undefined);
    const { user, fill, pay, newKey } = setup(onPay);
    await fill();
    await user.click(pay());
    expect(await screen.findByRole("alert")).toHaveTextContent("Payments are not available right now.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(onPay).toHaveBeenCalledTimes(2);
    expect(onPay.mock.calls[0]![1]).toBe("key-1");
    expect(onPay.mock.calls[1]![1]).toBe("key-1");
    expect(onPay.mock.calls[1]![0]).toEqual(onPay.mock.calls[0]![0]);
    expect(newKey).toHaveBeenCalledTimes(1);
  });

  it("reuses the key when Pay is pressed again with the same card after a retryable error", async () => {
    const onPay = vi
      .fn<(card: PaymentCard, key: string) => Promise<void>>()
      .mockRejectedValueOnce(problemToError(409, { code: "payment_in_progress", detail: "A payment is in flight." }, null))
      .mockResolvedValueOnce(undefined);
    const { user, fill, pay } = setup(onPay);
    await fill();
    await user.click(pay());
    await screen.findByRole("alert");
    await user.click(pay());
    expect(onPay.mock.calls.map((call) => call[1])).toEqual(["key-1", "key-1"]);
  });

  it("starts a new attempt with a new key after a decline, with no retry offered", async () => {
    const onPay = vi
      .fn<(card: PaymentCard, key: string) => Promise<void>>()
      .mockRejectedValueOnce(
        problemToError(402, { code: "card_declined", detail: "Your card was declined.", decline_code: "card_declined", attempts_left: 2 }, null),
      )
      .mockResolvedValueOnce(undefined);
    const { user, fill, pay } = setup(onPay);
    await fill("4000000000000002");
    await user.click(pay());
    expect(await screen.findByRole("alert")).toHaveTextContent("Your card was declined.");
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
    await fill("4242424242424242");
    await user.click(pay());
    expect(onPay.mock.calls.map((call) => call[1])).toEqual(["key-1", "key-2"]);
    expect(onPay.mock.calls[1]![0].number).toBe("4242424242424242");
  });

  it("starts a new attempt when the card changes after a retryable error", async () => {
    const onPay = vi
      .fn<(card: PaymentCard, key: string) => Promise<void>>()
      .mockRejectedValueOnce(problemToError(503, { code: "payment_unavailable" }, null))
      .mockResolvedValueOnce(undefined);
    const { user, fill, pay } = setup(onPay);
    await fill();
    await user.click(pay());
    await screen.findByRole("alert");
    await fill("5555555555554444");
    await user.click(pay());
    expect(onPay.mock.calls.map((call) => call[1])).toEqual(["key-1", "key-2"]);
  });
});
