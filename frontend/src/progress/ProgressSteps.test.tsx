import { render, screen, within } from "@testing-library/react";
import { ProgressSteps, type StepsProgress } from "./ProgressSteps";

const at = (fields: Partial<StepsProgress>): StepsProgress => ({
  step: null,
  declined: null,
  outcome: null,
  lastEvent: null,
  final: false,
  ...fields,
});

describe("ProgressSteps", () => {
  it("lists the steps in order and marks the current one", () => {
    render(<ProgressSteps progress={at({ step: "paying" })} />);
    const list = within(screen.getByRole("region", { name: "Upgrade progress" })).getByRole("list");
    expect(list.tagName).toBe("OL");
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "Quote held (done)",
      "Payment",
      "Upgrade confirmed",
      "Confirmation email sent",
    ]);
    expect(items[1]).toHaveAttribute("aria-current", "step");
    expect(items.filter((item) => item.hasAttribute("aria-current"))).toHaveLength(1);
  });

  it("announces each new step politely, but not the state it opened in", () => {
    const { rerender } = render(<ProgressSteps progress={at({ step: "confirmed" })} />);
    const live = screen.getByRole("status");
    expect(live).toHaveAttribute("aria-live", "polite");
    expect(live).toBeEmptyDOMElement();

    rerender(<ProgressSteps progress={at({ step: "email_sent", final: true })} />);
    expect(live).toHaveTextContent("Confirmation email sent.");
    // The last step is done, so no step is current any more.
    expect(screen.getAllByRole("listitem").filter((item) => item.hasAttribute("aria-current"))).toHaveLength(0);
  });

  it("explains a decline on the payment step", () => {
    const { rerender } = render(<ProgressSteps progress={at({ step: "paying" })} />);
    rerender(<ProgressSteps progress={at({ step: "paying", declined: { code: "card_declined", attemptsLeft: 1 } })} />);
    expect(screen.getByRole("status")).toHaveTextContent("Card declined. 1 attempt left.");
    expect(screen.getAllByRole("listitem")[1]).toHaveTextContent("Payment — Card declined. 1 attempt left.");
  });
});
