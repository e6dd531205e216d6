import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../App";
import type { ChatReply } from "../api/types";
import { fakeApi, json, problem, type FakeApi, type Handler } from "../test/fakeApi";
import { renderApp, route } from "../test/renderApp";
import { CHAT_SESSION_KEY } from "./chatStorage";
import { hideCardNumbers } from "./redact";

const SESSION = `sess-${"a".repeat(32)}`;
const OTHER = `sess-${"b".repeat(32)}`;

function reply(fields: Partial<ChatReply> = {}): ChatReply {
  return {
    session_id: SESSION,
    response_text: "The cheapest day for Non-stop is Wednesday, December 9, 2026, at $42.50.",
    actions: [],
    next_steps: [],
    confidence_score: 0.8,
    escalated: false,
    ...fields,
  };
}

function api(routes: Record<string, Handler | Handler[]>): FakeApi {
  return fakeApi({ "GET /api/tickets": json([]), ...routes });
}

/** Renders the App signed in, keeping what sessionStorage already holds (as after a reload). */
function renderKeepingStorage(fake: FakeApi, at = "/tickets") {
  window.history.replaceState(null, "", `/#${at}`);
  sessionStorage.setItem(
    "tap.session",
    JSON.stringify({ accessToken: "tok", expiresAt: Date.now() + 3600_000, email: "alice@example.com" }),
  );
  vi.stubGlobal("fetch", fake.fetch);
  const user = userEvent.setup();
  return { user, ...render(<App />) };
}

async function openPanel(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: "Ask our assistant" }));
}

const conversation = () => screen.getByRole("list", { name: "Conversation" });

describe("Ask our assistant", () => {
  it("is collapsed at first and only for signed-in customers", async () => {
    const fake = api({});
    renderApp({ at: "/sign-in", api: fake });
    expect(screen.queryByRole("button", { name: "Ask our assistant" })).not.toBeInTheDocument();
  });

  it("sends a question and shows the answer, role-labelled, with next steps", async () => {
    const fake = api({
      "POST /api/chat": json(reply({ next_steps: ["Pick a date", "Hold the upgrade"] })),
    });
    const { user } = renderApp({ at: "/tickets", api: fake, signedIn: true });
    const toggle = screen.getByRole("button", { name: "Ask our assistant" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");

    await user.type(screen.getByLabelText("Your question"), "Cheapest day for TKT-10000001?{Enter}");
    expect(await within(conversation()).findByText(/The cheapest day for Non-stop/)).toBeInTheDocument();

    const items = within(conversation()).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("You: Cheapest day for TKT-10000001?");
    expect(items[1]).toHaveTextContent("Assistant: The cheapest day for Non-stop");
    expect(screen.getByText("Pick a date")).toBeInTheDocument();
    expect(screen.getByText("Hold the upgrade")).toBeInTheDocument();
    expect(document.querySelector("[aria-live='polite']")).toHaveTextContent("Assistant: The cheapest day");
    expect(screen.getByLabelText("Your question")).toHaveValue("");

    const [call] = fake.callsTo("POST /api/chat");
    expect(call!.body).toEqual({ message: "Cheapest day for TKT-10000001?" });
    expect(call!.headers.Authorization).toBe("Bearer tok");
    expect(sessionStorage.getItem(CHAT_SESSION_KEY)).toBe(SESSION);
  });

  it("continues the same conversation on the next question", async () => {
    const fake = api({ "POST /api/chat": json(reply()) });
    const { user } = renderApp({ at: "/tickets", api: fake, signedIn: true });
    await openPanel(user);
    await user.type(screen.getByLabelText("Your question"), "hello{Enter}");
    await within(conversation()).findByText(/cheapest day/);
    await user.type(screen.getByLabelText("Your question"), "ok, book it");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await vi.waitFor(() => expect(fake.callsTo("POST /api/chat")).toHaveLength(2));
    expect(fake.callsTo("POST /api/chat")[1]!.body).toEqual({ message: "ok, book it", session_id: SESSION });
  });

  it("turns a payment action into a button that opens the payment page, and notes an escalation", async () => {
    const fake = api({
      "POST /api/chat": json(
        reply({
          response_text: "I held Non-stop for December 9.",
          actions: [
            {
              type: "show_payment_form",
              data: {
                order_id: "ord-123",
                amount_due: "42.50",
                currency: "USD",
                tier: "non-stop",
                date: "2026-12-09",
                expires_at: "2026-11-01T10:15:00Z",
              },
            },
            { type: "escalate", data: { reason: "complaint" } },
          ],
          escalated: true,
        }),
      ),
    });
    const { user } = renderApp({ at: "/tickets", api: fake, signedIn: true });
    await openPanel(user);
    await user.type(screen.getByLabelText("Your question"), "book it{Enter}");
    const pay = await screen.findByRole("button", { name: "Pay $42.50 for Non-stop on Wednesday, December 9, 2026" });
    expect(screen.getByText("A person from our team will follow up with you about this.")).toBeInTheDocument();
    await user.click(pay);
    expect(route()).toBe("/upgrades/ord-123/pay");
  });

  it("puts the payment button back on its turn after a reload, and only for that conversation", async () => {
    const held = reply({
      response_text: "I held Non-stop for December 9.",
      actions: [
        {
          type: "show_payment_form",
          data: { order_id: "ord-123", amount_due: "42.50", currency: "USD", tier: "non-stop", date: "2026-12-09" },
        },
      ],
    });
    const history = {
      session_id: SESSION,
      events: [
        {
          id: "e1",
          at: "2026-11-01T10:00:00Z",
          messages: [
            { role: "user", text: "Hold it" },
            { role: "assistant", text: "I held Non-stop for December 9." },
            { role: "user", text: "Thanks" },
            { role: "assistant", text: "You're welcome." },
          ],
        },
      ],
    };
    const fake = api({
      "POST /api/chat": [json(held), json(reply({ response_text: "You're welcome." }))],
      "GET /api/chat/:id": json(history),
    });
    const first = renderKeepingStorage(fake);
    await openPanel(first.user);
    await first.user.type(screen.getByLabelText("Your question"), "Hold it{Enter}");
    await screen.findByRole("button", { name: /^Pay \$42\.50 for Non-stop/ });
    await first.user.type(screen.getByLabelText("Your question"), "Thanks{Enter}");
    await within(conversation()).findByText("You're welcome.");
    first.unmount();

    const second = renderKeepingStorage(fake);
    await openPanel(second.user);
    const items = await within(await screen.findByRole("list", { name: "Conversation" })).findAllByRole("listitem");
    expect(within(items[1]!).getByRole("button", { name: /^Pay \$42\.50 for Non-stop/ })).toBeInTheDocument();
    expect(within(items[3]!).queryByRole("button")).not.toBeInTheDocument();
    second.unmount();

    // Another conversation in this tab does not inherit the button.
    sessionStorage.setItem(CHAT_SESSION_KEY, OTHER);
    const third = renderKeepingStorage(api({ "GET /api/chat/:id": json({ ...history, session_id: OTHER }) }));
    await openPanel(third.user);
    await within(await screen.findByRole("list", { name: "Conversation" })).findAllByRole("listitem");
    expect(screen.queryByRole("button", { name: /^Pay/ })).not.toBeInTheDocument();
  });

  it("restores the conversation after a reload from the stored id and the server's history", async () => {
    const fake = api({
      "POST /api/chat": json(reply({ response_text: "Non-stop starts at $42.50." })),
      "GET /api/chat/:id": json({
        session_id: SESSION,
        events: [
          {
            id: "e1",
            at: "2026-11-01T10:00:00Z",
            messages: [
              { role: "user", text: "My card is [card number removed], price?" },
              { role: "assistant", text: "Non-stop starts at $42.50." },
            ],
          },
        ],
      }),
    });
    const first = renderKeepingStorage(fake);
    await openPanel(first.user);
    await first.user.type(screen.getByLabelText("Your question"), "My card is 4242 4242 4242 4242, price?{Enter}");
    await within(conversation()).findByText("Non-stop starts at $42.50.");
    // On screen the typed card number is hidden; in storage there is only the conversation id.
    expect(conversation()).not.toHaveTextContent("4242 4242");
    expect(Object.keys(sessionStorage).sort()).toEqual([CHAT_SESSION_KEY, "tap.session"]);
    expect(sessionStorage.getItem(CHAT_SESSION_KEY)).toBe(SESSION);
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("4242");
    // Nor is it sent: the server only ever sees the hidden form.
    expect(JSON.stringify(fake.callsTo("POST /api/chat").map((call) => call.body))).not.toContain("4242");
    expect(JSON.stringify(fake.callsTo("POST /api/chat").at(-1)!.body)).toContain("[card number removed]");
    first.unmount();

    const second = renderKeepingStorage(fake);
    await openPanel(second.user);
    const items = await within(await screen.findByRole("list", { name: "Conversation" })).findAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "You: My card is [card number removed], price?",
      "Assistant: Non-stop starts at $42.50.",
    ]);
    expect(fake.callsTo("GET /api/chat/:id").at(-1)!.params.id).toBe(SESSION);
  });

  it("starts afresh when the stored conversation is not found (404)", async () => {
    sessionStorage.setItem(CHAT_SESSION_KEY, OTHER);
    const fake = api({
      "GET /api/chat/:id": problem(404, { code: "not_found", detail: "No such conversation." }),
      "POST /api/chat": json(reply()),
    });
    const { user } = renderKeepingStorage(fake);
    await openPanel(user);
    await vi.waitFor(() => expect(sessionStorage.getItem(CHAT_SESSION_KEY)).toBeNull());
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Conversation" })).not.toBeInTheDocument();

    await user.type(screen.getByLabelText("Your question"), "hi{Enter}");
    await within(conversation()).findByText(/cheapest day/);
    expect(fake.callsTo("POST /api/chat")[0]!.body).toEqual({ message: "hi" });
    expect(sessionStorage.getItem(CHAT_SESSION_KEY)).toBe(SESSION);
  });

  it("shows a 503 plainly and Try again resends the same question", async () => {
    const fake = api({
      "POST /api/chat": [
        problem(503, { code: "unavailable", detail: "The assistant is busy right now.", guidance: "Try again shortly." }),
        json(reply({ response_text: "Here you go." })),
      ],
    });
    const { user } = renderApp({ at: "/tickets", api: fake, signedIn: true });
    await openPanel(user);
    await user.type(screen.getByLabelText("Your question"), "price for Dec 9?{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The assistant is busy right now.");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await within(conversation()).findByText("Here you go.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    const calls = fake.callsTo("POST /api/chat");
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toEqual(calls[0]!.body);
    // The question is on screen once, not once per attempt.
    expect(within(conversation()).getAllByText("price for Dec 9?")).toHaveLength(1);
  });

  it("shows a network failure with a retry", async () => {
    let attempts = 0;
    const fake = api({ "POST /api/chat": json(reply({ response_text: "Back online." })) });
    const failing = async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith("/api/chat") && attempts++ === 0) throw new TypeError("Failed to fetch");
      return fake.fetch(input, init);
    };
    const { user } = renderApp({ at: "/tickets", api: fake, signedIn: true });
    vi.stubGlobal("fetch", failing);
    await openPanel(user);
    await user.type(screen.getByLabelText("Your question"), "hello{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("We could not reach the server.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await within(conversation()).findByText("Back online.")).toBeInTheDocument();
  });

  it("disables Send while a question is being answered", async () => {
    let answer!: (value: Response) => void;
    const fake = api({ "POST /api/chat": () => new Promise<Response>((resolve) => (answer = resolve)) });
    const { user } = renderApp({ at: "/tickets", api: fake, signedIn: true });
    await openPanel(user);
    await user.type(screen.getByLabelText("Your question"), "hello");
    await user.click(screen.getByRole("button", { name: "Send" }));
    const busy = await screen.findByRole("button", { name: "Sending…" });
    expect(busy).toBeDisabled();
    await user.type(screen.getByLabelText("Your question"), "again{Enter}");
    expect(fake.callsTo("POST /api/chat")).toHaveLength(1);

    answer(json(reply({ response_text: "Hi there." })));
    expect(await within(conversation()).findByText("Hi there.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send" })).toBeEnabled();
  });
});

describe("hideCardNumbers", () => {
  it("hides long digit runs with spaces or dashes and keeps short numbers", () => {
    expect(hideCardNumbers("card 4242-4242-4242-4242 exp 12/30 cvc 123")).toBe(
      "card [card number removed] exp 12/30 cvc 123",
    );
    expect(hideCardNumbers("ticket TKT-10000001 for 2 people")).toBe("ticket TKT-10000001 for 2 people");
  });
});
