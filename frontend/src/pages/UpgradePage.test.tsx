import { screen } from "@testing-library/react";
import { anOrder, decemberOptions } from "../test/fixtures";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderApp, route } from "../test/renderApp";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function api(holdAnswers: Parameters<typeof fakeApi>[0][string]) {
  return fakeApi({
    "GET /api/tickets/:ref/upgrade-options": json(decemberOptions()),
    "POST /api/upgrades": holdAnswers,
    "GET /api/upgrades/:id": json(anOrder({ id: "o-42" })),
  });
}

describe("Upgrade page", () => {
  it("shows the three tiers side by side with their features from the API", async () => {
    const fake = api([]);
    renderApp({ at: "/tickets/TKT-10000001/upgrade", api: fake, signedIn: true });
    const group = await screen.findByRole("group", { name: "Upgrade tier" });
    expect(group).toBeInTheDocument();
    expect(screen.getAllByRole("radio")).toHaveLength(3);
    expect(screen.getByRole("radio", { name: "Standard" })).toBeChecked();
    expect(screen.getByRole("radio", { name: "Non-stop" })).toHaveAccessibleDescription("From $45.00 to pay.");
    expect(screen.getByRole("list", { name: "Non-stop includes" })).toHaveTextContent("Unlimited express lanes");
    expect(screen.getByRole("button", { name: "Hold this upgrade" })).toBeDisabled();
    const asked = fake.callsTo("GET /api/tickets/:ref/upgrade-options")[0]!;
    expect(asked.path).toBe("/api/tickets/TKT-10000001/upgrade-options");
    // The whole booking window, not the API's default 30 days.
    expect(asked.query.get("days")).toBe("180");
  });

  it("holds the chosen tier and date with an Idempotency-Key and opens the quote", async () => {
    const fake = api([json(anOrder({ id: "o-42" }), 201)]);
    const { user } = renderApp({ at: "/tickets/TKT-10000001/upgrade", api: fake, signedIn: true });
    await user.click(await screen.findByRole("radio", { name: "Non-stop" }));
    await user.click(screen.getByRole("button", { name: /^Wednesday, December 9, \$45\.00/ }));
    expect(screen.getByText(/Non-stop on Wednesday, December 9: \$45\.00 to pay/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Hold this upgrade" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Quote and payment" })).toHaveFocus();
    expect(route()).toBe("/upgrades/o-42/pay");
    const [hold] = fake.callsTo("POST /api/upgrades");
    expect(hold!.body).toEqual({ ticket: "TKT-10000001", tier: "non-stop", date: "2026-12-09" });
    expect(hold!.headers["Idempotency-Key"]).toMatch(UUID);
    expect(hold!.headers.Authorization).toBe("Bearer tok");
  });

  it("retries a hold the server could not answer with the same Idempotency-Key", async () => {
    const fake = api([
      problem(503, { code: "unavailable", detail: "The service is busy right now.", guidance: "Nothing was changed." }),
      json(anOrder({ id: "o-42" }), 201),
    ]);
    const { user } = renderApp({ at: "/tickets/TKT-10000001/upgrade", api: fake, signedIn: true });
    await user.click(await screen.findByRole("button", { name: /^Thursday, December 3, \$20\.00/ }));
    await user.click(screen.getByRole("button", { name: "Hold this upgrade" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Nothing was changed.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByRole("heading", { level: 1, name: "Quote and payment" });
    const keys = fake.callsTo("POST /api/upgrades").map((call) => call.headers["Idempotency-Key"]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("explains a refused hold and points to the waiting upgrade", async () => {
    const fake = api([
      problem(422, {
        code: "upgrade_in_progress",
        detail: "Ticket TKT-10000001 already has an upgrade waiting for payment.",
        guidance: "Finish paying for that upgrade, or cancel it to choose another.",
      }),
    ]);
    const { user } = renderApp({ at: "/tickets/TKT-10000001/upgrade", api: fake, signedIn: true });
    await user.click(await screen.findByRole("button", { name: /^Thursday, December 3, \$20\.00/ }));
    await user.click(screen.getByRole("button", { name: "Hold this upgrade" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("already has an upgrade waiting for payment");
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to my upgrades" })).toHaveAttribute("href", "#/upgrades");
    expect(route()).toBe("/tickets/TKT-10000001/upgrade");
  });
});
