import { screen, within } from "@testing-library/react";
import { aliceTickets } from "../test/fixtures";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const card = (number: string) => screen.getByRole("listitem", { name: number });

describe("My tickets", () => {
  it("shows each ticket with whether and why it can be upgraded, and Upgrade only where it can", async () => {
    const api = fakeApi({ "GET /api/tickets": json(aliceTickets()) });
    renderApp({ at: "/tickets", api, signedIn: true });
    await screen.findByRole("heading", { level: 2, name: "TKT-10000001" });
    expect(screen.getAllByRole("listitem", { name: /^TKT-/ })).toHaveLength(4);

    const first = card("TKT-10000001");
    expect(first).toHaveTextContent("General");
    expect(first).toHaveTextContent("Sunday, December 6, 2026");
    expect(first).toHaveTextContent("Active");
    expect(first).toHaveTextContent("Can be upgraded.");
    expect(within(first).getByRole("link", { name: "Upgrade ticket TKT-10000001" })).toHaveAttribute(
      "href",
      "#/tickets/TKT-10000001/upgrade",
    );

    const waiting = card("TKT-10000002");
    expect(waiting).toHaveTextContent("Cannot be upgraded. Ticket TKT-10000002 already has an upgrade waiting for payment.");
    expect(waiting).toHaveTextContent("Finish paying for that upgrade, or cancel it to choose another.");
    expect(within(waiting).queryByRole("link", { name: /^Upgrade/ })).not.toBeInTheDocument();
    expect(within(waiting).getByRole("link", { name: /See the upgrade waiting for payment/ })).toHaveAttribute("href", "#/upgrades");

    expect(card("TKT-10000003")).toHaveTextContent("is already Double Fun, our top tier.");
    expect(card("TKT-10000009")).toHaveTextContent("Used");
    expect(card("TKT-10000009")).toHaveTextContent("Only active tickets can be upgraded.");
    expect(screen.getAllByRole("link", { name: /^Upgrade ticket/ })).toHaveLength(1);
    expect(api.callsTo("GET /api/tickets")[0]!.headers.Authorization).toBe("Bearer tok");
  });

  it("offers a retry when the list could not be loaded", async () => {
    const api = fakeApi({
      "GET /api/tickets": [problem(503, { code: "unavailable", detail: "The service is busy right now." }), json(aliceTickets())],
    });
    const { user } = renderApp({ at: "/tickets", api, signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { level: 2, name: "TKT-10000001" })).toBeInTheDocument();
  });
});
