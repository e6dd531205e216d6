import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import type { UpgradeTierKey } from "../api/types";
import { decemberOptions } from "../test/fixtures";
import { UpgradeCalendar } from "./UpgradeCalendar";

function Harness({ tier = "non-stop", onSelect }: { tier?: UpgradeTierKey; onSelect?: (d: string) => void }) {
  const [selected, setSelected] = useState<string>();
  return (
    <UpgradeCalendar
      options={decemberOptions()}
      tier={tier}
      selected={selected}
      onSelect={(date) => {
        setSelected(date);
        onSelect?.(date);
      }}
    />
  );
}

const day = (name: RegExp) => screen.getByRole("button", { name });

describe("UpgradeCalendar", () => {
  it("names each bookable day with its date and the amount due for the tier", () => {
    render(<Harness />);
    expect(day(/^Thursday, December 3, \$50\.00$/)).toBeEnabled();
    expect(day(/^Thursday, December 3,/)).toHaveTextContent("3$50.00");
  });

  it("follows the chosen tier", () => {
    render(<Harness tier="double-fun" />);
    expect(day(/^Thursday, December 3, \$90\.00$/)).toBeEnabled();
    // Every Double Fun day costs the same here, so none is singled out as cheapest.
    expect(day(/^Wednesday, December 9, \$90\.00$/).closest("td")).not.toHaveClass("day-cheapest");
    expect(screen.getByRole("list", { name: "Calendar key" })).not.toHaveTextContent("Cheapest");
  });

  it("disables sold-out, closed and out-of-window days and says why", () => {
    render(<Harness />);
    expect(day(/^Tuesday, December 8, sold out$/)).toBeDisabled();
    expect(day(/^Saturday, December 5, park closed$/)).toBeDisabled();
    expect(day(/^Tuesday, December 1, not bookable, outside the booking window$/)).toBeDisabled();
    // Not in the options at all (after last_bookable) is out of window too.
    expect(day(/^Monday, December 21, not bookable/)).toBeDisabled();
    expect(day(/December 8, sold out/).closest("td")).toHaveClass("day-sold-out");
    expect(day(/December 5, park closed/).closest("td")).toHaveClass("day-closed");
    const key = screen.getByRole("list", { name: "Calendar key" });
    expect(key).toHaveTextContent("Sold out: no places left for this upgrade that day.");
    expect(key).toHaveTextContent("Park closed: nothing can be booked that day.");
  });

  it("marks the cheapest days of the month and says so", () => {
    render(<Harness />);
    expect(day(/^Wednesday, December 9, \$45\.00, cheapest$/).closest("td")).toHaveClass("day-cheapest");
    expect(day(/^Thursday, December 10, \$45\.00, cheapest, only 2 left$/)).toBeEnabled();
    expect(day(/^Friday, December 11, \$50\.00$/).closest("td")).not.toHaveClass("day-cheapest");
    expect(screen.getByRole("list", { name: "Calendar key" })).toHaveTextContent("Cheapest this month: $45.00");
  });

  it("selects a day by click and repeats the choice in the live footer", async () => {
    const onSelect = vi.fn();
    render(<Harness onSelect={onSelect} />);
    await userEvent.click(day(/December 7, \$50\.00/));
    expect(onSelect).toHaveBeenCalledWith("2026-12-07");
    expect(day(/^Monday, December 7, \$50\.00, selected$/)).toBeInTheDocument();
    expect(screen.getByText("You chose Monday, December 7: $50.00 to pay.")).toBeInTheDocument();
  });

  it("moves focus with the arrow keys, skipping the sold-out day, and selects with Enter", async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    render(<Harness onSelect={onSelect} />);
    await user.click(day(/December 7, \$50\.00/));
    expect(day(/December 7/)).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(day(/^Wednesday, December 9/)).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(day(/^Wednesday, December 16/)).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(onSelect).toHaveBeenLastCalledWith("2026-12-16");
  });

  it("never selects a disabled day", async () => {
    const onSelect = vi.fn();
    render(<Harness onSelect={onSelect} />);
    await userEvent.click(day(/December 8, sold out/));
    expect(onSelect).not.toHaveBeenCalled();
  });
});

describe("UpgradeCalendar's first month", () => {
  function spanning(visit: string) {
    const options = decemberOptions();
    const january = { ...options.calendar[3]!, date: "2027-01-14" };
    return { ...options, ticket: { ...options.ticket, visit_date: visit }, last_bookable: "2027-01-14", calendar: [...options.calendar, january] };
  }

  it("opens on the ticket's visit month, where most upgrades stay", () => {
    render(<UpgradeCalendar options={spanning("2027-01-14")} tier="non-stop" onSelect={() => {}} />);
    expect(screen.getByText("January 2027")).toBeInTheDocument();
  });

  it("opens on the first bookable day when the visit day is outside the window", () => {
    render(<UpgradeCalendar options={spanning("2026-11-20")} tier="non-stop" onSelect={() => {}} />);
    expect(screen.getByText("December 2026")).toBeInTheDocument();
  });
});
