import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { problemToError } from "../api/errors";
import { ProblemMessage } from "./ProblemMessage";

// Bodies as the local build sends them (captured with curl).
const DECLINED = {
  type: "/problems/card_declined",
  title: "Payment Required",
  status: 402,
  detail: "Your card was declined.",
  code: "card_declined",
  guidance: "Try another card, or ask your bank why.",
  request_id: "b0a0cf450c2f4e4c000000000a",
  decline_code: "insufficient_funds",
  attempts_left: 2,
};
const UNAVAILABLE = {
  type: "/problems/payment_unavailable",
  title: "Service Unavailable",
  status: 503,
  detail: "The payment processor had an error.",
  code: "payment_unavailable",
  guidance: "Nothing was charged. Please try again in a few moments.",
  request_id: "b0a0cf450c2f4e4c000000000b",
};

describe("ProblemMessage", () => {
  it("puts a decline into words with what to do next and no retry", () => {
    const onRetry = vi.fn();
    render(<ProblemMessage error={problemToError(402, DECLINED, null)} onRetry={onRetry} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Your card was declined: not enough funds.");
    expect(alert).toHaveTextContent("Try another card, or ask your bank why.");
    expect(alert).toHaveTextContent("You can try 2 more times with another card.");
    expect(alert).toHaveTextContent("Reference: b0a0cf450c2f4e4c000000000a");
    expect(screen.queryByRole("button", { name: /try again/i })).not.toBeInTheDocument();
  });

  it("offers a retry for 503 and says when, from Retry-After", async () => {
    const onRetry = vi.fn();
    render(<ProblemMessage error={problemToError(503, UNAVAILABLE, "10")} onRetry={onRetry} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Payments are not available right now.");
    expect(screen.getByRole("alert")).toHaveTextContent("Nothing was charged.");
    expect(screen.getByRole("alert")).toHaveTextContent("You can try again in 10 seconds.");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it.each([409, 429, 503])("offers a retry for %i", (status) => {
    render(<ProblemMessage error={problemToError(status, { detail: "Busy." }, null)} onRetry={() => {}} />);
    expect(screen.getByRole("button", { name: "Try again" })).toBeEnabled();
  });

  it.each([400, 401, 402, 404, 422])("offers no retry for %i", (status) => {
    render(<ProblemMessage error={problemToError(status, { detail: "No." }, null)} onRetry={() => {}} />);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });

  it("disables the retry while it runs", () => {
    render(<ProblemMessage error={problemToError(503, UNAVAILABLE, null)} onRetry={() => {}} retrying />);
    expect(screen.getByRole("button", { name: "Trying again…" })).toBeDisabled();
  });

  it("lists field errors of a 400", () => {
    const body = {
      code: "invalid_request",
      detail: "The request is not valid.",
      errors: [{ field: "email", message: "Field required" }],
    };
    render(<ProblemMessage error={problemToError(400, body, null)} />);
    expect(screen.getByRole("listitem")).toHaveTextContent("email: Field required");
  });

  it("still speaks plainly when the answer was not problem JSON", () => {
    render(<ProblemMessage error={problemToError(502, null, null)} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Something went wrong on our side.");
    expect(screen.getByRole("alert")).toHaveTextContent("Please try again. If it keeps happening, contact us.");
  });
});
