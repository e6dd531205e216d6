import { screen, within } from "@testing-library/react";
import { toIsoDate } from "../dates";
import { anOrder } from "../test/fixtures";
import { fakeApi, json } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const inTenDays = toIsoDate(new Date(Date.now() + 10 * 86_400_000));
const PENDING = anOrder({ id: "o-pending", ticket: "TKT-10000002", tier: "double-fun", created_at: "2026-11-28T05:00:00Z" });
const CONFIRMED = anOrder({
  id: "o-done",
  status: "confirmed",
  date: inTenDays,
  confirmation_code: "F4M2B335",
  email_status: "sent",
  created_at: "2026-11-27T05:00:00Z",
});
const OLD = anOrder({ id: "o-old", status: "expired", ticket: "TKT-10000003", created_at: "2026-11-20T05:00:00Z" });

const card = (name: RegExp) => screen.getByRole("listitem", { name });

describe("My upgrades (dashboard)", () => {
  it("lists the history newest first with statuses, codes and email status", async () => {
    const fake = fakeApi({ "GET /api/upgrades": json([OLD, CONFIRMED, PENDING]) });
    renderApp({ at: "/upgrades", api: fake, signedIn: true });
    const items = await screen.findAllByRole("listitem", { name: /for TKT-/ });
    expect(items.map((item) => item.querySelector("h2")?.textContent)).toEqual([
      "Double Fun for TKT-10000002",
      "Non-stop for TKT-10000001",
      "Non-stop for TKT-10000003",
    ]);
    expect(items[0]).toHaveTextContent("Waiting for payment");
    expect(items[1]).toHaveTextContent("Confirmed");
    expect(items[1]).toHaveTextContent("F4M2B335");
    expect(items[1]).toHaveTextContent("EmailSent");
    expect(items[2]).toHaveTextContent("Expired (not paid in time)");
    expect(within(items[2]!).queryByRole("button")).not.toBeInTheDocument();
  });

  it("cancels a pending quote and says so", async () => {
    const fake = fakeApi({
      "GET /api/upgrades": json([CONFIRMED, PENDING]),
      "POST /api/upgrades/:id/cancel": json({ ...PENDING, status: "cancelled" }),
    });
    const { user } = renderApp({ at: "/upgrades", api: fake, signedIn: true });
    const pending = await screen.findByRole("listitem", { name: "Double Fun for TKT-10000002" });
    expect(within(pending).getByRole("link", { name: "Pay for TKT-10000002" })).toHaveAttribute("href", "#/upgrades/o-pending/pay");
    await user.click(within(pending).getByRole("button", { name: "Cancel the quote for TKT-10000002" }));
    expect(await screen.findByRole("status")).toHaveTextContent(
      "The upgrade of TKT-10000002 to Double Fun was cancelled; the price is no longer held.",
    );
    expect(card(/Double Fun for TKT-10000002/)).toHaveTextContent("Cancelled");
    expect(within(card(/Double Fun/)).queryByRole("button", { name: /Cancel/ })).not.toBeInTheDocument();
    expect(fake.callsTo("POST /api/upgrades/:id/cancel").map((call) => call.path)).toEqual(["/api/upgrades/o-pending/cancel"]);
  });

  it("refunds a confirmed upgrade after the customer confirms", async () => {
    const fake = fakeApi({
      "GET /api/upgrades": json([CONFIRMED]),
      "POST /api/upgrades/:id/refund": json({ ...CONFIRMED, status: "refunded", email_status: "pending" }),
    });
    const { user } = renderApp({ at: "/upgrades", api: fake, signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Refund the upgrade for TKT-10000001" }));
    expect(screen.getByRole("group", { name: "Confirm the refund" })).toHaveTextContent(
      "Refund $45.00? Ticket TKT-10000001 goes back to General on Sunday, December 6, 2026.",
    );
    expect(fake.callsTo("POST /api/upgrades/:id/refund")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, refund" }));
    expect(await screen.findByRole("status")).toHaveTextContent("was refunded: $45.00 goes back to your card.");
    expect(card(/TKT-10000001/)).toHaveTextContent("Refunded");
    expect(screen.queryByRole("button", { name: /Refund/ })).not.toBeInTheDocument();
  });
});
