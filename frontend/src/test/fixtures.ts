/**
 * Test data in the exact shape of GET /api/tickets/{ref}/upgrade-options (captured from the
 * local build), trimmed to December 2026 with one of each kind of day.
 */
import type { CalendarDay, DayTierOption, OptionReason, Order, Ticket, TierKey, UpgradeOptions } from "../api/types";

function option(amountDue: string, reason: OptionReason | null = null, remaining = 100): DayTierOption {
  return { price: "0.00", amount_due: amountDue, remaining, available: reason === null, reason };
}

function day(date: string, nonStop: DayTierOption, closed = false): CalendarDay {
  const reason = closed ? "date_closed" : nonStop.reason;
  return {
    date,
    day_type: "regular",
    closed,
    tiers: {
      standard: option("20.00", reason === "sold_out" ? null : reason),
      "non-stop": nonStop,
      "double-fun": option("90.00", reason === "sold_out" ? null : reason),
    },
  };
}

/** Dec 1–2 out of window, Dec 5 closed, Dec 8 sold out (Non-stop), Dec 9–10 cheapest, Dec 10 two left. */
export function decemberOptions(): UpgradeOptions {
  const calendar: CalendarDay[] = [];
  for (let d = 1; d <= 20; d++) {
    const date = `2026-12-${String(d).padStart(2, "0")}`;
    if (d <= 2) calendar.push(day(date, option("50.00", "date_out_of_window")));
    else if (d === 5) calendar.push(day(date, option("62.50", "date_closed"), true));
    else if (d === 8) calendar.push(day(date, option("50.00", "sold_out", 0)));
    else if (d === 9) calendar.push(day(date, option("45.00")));
    else if (d === 10) calendar.push(day(date, option("45.00", null, 2)));
    else calendar.push(day(date, option("50.00")));
  }
  return {
    ticket: {
      id: "18c2a728-d343-4955-a3cd-34b1d078faa4",
      number: "TKT-10000001",
      tier: "general",
      visit_date: "2026-12-06",
      status: "active",
      price_paid: "73.75",
      currency: "USD",
      eligibility: { eligible: true, code: null, message: "Ticket TKT-10000001 can be upgraded.", guidance: "" },
    },
    currency: "USD",
    first_bookable: "2026-12-03",
    last_bookable: "2026-12-20",
    tiers: [
      { key: "standard", name: "Standard", rank: 1, features: ["Park entry"] },
      { key: "non-stop", name: "Non-stop", rank: 2, features: ["Unlimited express lanes"] },
      { key: "double-fun", name: "Double Fun", rank: 3, features: ["Everything in Non-stop"] },
    ],
    calendar,
  };
}

/** Alice's tickets as GET /api/tickets answers (captured from the local build), plus a used one. */
export function aliceTickets(): Ticket[] {
  const ticket = (number: string, tier: TierKey, visit: string, eligibility: Ticket["eligibility"], status: Ticket["status"] = "active"): Ticket => ({
    id: `id-${number}`,
    number,
    tier,
    visit_date: visit,
    status,
    price_paid: "73.75",
    currency: "USD",
    eligibility,
  });
  return [
    ticket("TKT-10000001", "general", "2026-12-06", { eligible: true, code: null, message: "Ticket TKT-10000001 can be upgraded.", guidance: "" }),
    ticket("TKT-10000002", "standard", "2026-12-27", {
      eligible: false,
      code: "upgrade_in_progress",
      message: "Ticket TKT-10000002 already has an upgrade waiting for payment.",
      guidance: "Finish paying for that upgrade, or cancel it to choose another.",
    }),
    ticket("TKT-10000003", "double-fun", "2027-01-11", {
      eligible: false,
      code: "already_top_tier",
      message: "Ticket TKT-10000003 is already Double Fun, our top tier.",
      guidance: "There is nothing higher to upgrade to; enjoy your visit!",
    }),
    ticket(
      "TKT-10000009",
      "general",
      "2026-11-01",
      { eligible: false, code: "ticket_not_active", message: "Ticket TKT-10000009 has been used.", guidance: "Only active tickets can be upgraded." },
      "used",
    ),
  ];
}

/** An order in the shape of GET /api/upgrades/{id}; a pending quote held 15 minutes from now. */
export function anOrder(fields: Partial<Order> = {}): Order {
  const now = Date.now();
  return {
    id: "o-1",
    status: "pending",
    ticket: "TKT-10000001",
    ticket_id: "id-TKT-10000001",
    tier: "non-stop",
    date: "2026-12-09",
    price: "104.00",
    amount_due: "45.00",
    currency: "USD",
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + 15 * 60_000).toISOString(),
    confirmation_code: null,
    payment: null,
    email_status: null,
    attempts_left: 3,
    last_decline_code: null,
    previous_tier: "general",
    previous_date: "2026-12-06",
    ...fields,
  };
}
