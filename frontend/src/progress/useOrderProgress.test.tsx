import { act, renderHook } from "@testing-library/react";
import type { Order } from "../api/types";
import { anOrder } from "../test/fixtures";
import { FakeWebSocket, installFakeWebSocket, latest } from "./fakeWebSocket";
import { eventsUrl, useOrderProgress } from "./useOrderProgress";

const T = (n: number) => `2026-12-01T10:00:0${n}Z`;
const snapshot = (order: Order, at = T(0)) => ({ type: "snapshot", event: null, at, order });
const event = (name: string, order: Order, at: string) => ({ type: "event", event: name, at, order });

const PENDING = anOrder();
const PROCESSING = anOrder({ status: "processing" });
const DECLINED = anOrder({ last_decline_code: "insufficient_funds", attempts_left: 2 });
const CONFIRMED = anOrder({ status: "confirmed", confirmation_code: "F4M2B335", email_status: "pending" });
const EMAILED = { ...CONFIRMED, email_status: "sent" };

function follow(orderId: string | null = "o-1", token: string | null = "tok") {
  return renderHook(({ id }) => useOrderProgress(id, { getToken: () => token }), { initialProps: { id: orderId } });
}

function emit(socket: FakeWebSocket, message: unknown) {
  act(() => socket.emit(message));
}

beforeEach(installFakeWebSocket);
afterEach(() => {
  vi.useRealTimers();
});

describe("useOrderProgress", () => {
  it("opens the order's feed on the site's origin with the token, wss: on https", () => {
    follow();
    expect(latest().url).toBe(`ws://${window.location.host}/api/upgrades/o-1/events?access_token=tok`);
    expect(eventsUrl("o 1", "a&b", { protocol: "https:", host: "tap.example" })).toBe(
      "wss://tap.example/api/upgrades/o%201/events?access_token=a%26b",
    );
  });

  it("starts from the snapshot, then follows each step in order to the email", () => {
    const { result } = follow();
    const ws = latest();
    act(() => ws.accept());
    expect(result.current.connection).toBe("open");
    expect(result.current.step).toBeNull();

    emit(ws, snapshot(PENDING));
    expect(result.current).toMatchObject({ step: "quoted", final: false, order: PENDING });

    const seen: Array<string | null> = [];
    for (const [name, order, at] of [
      ["payment_processing", PROCESSING, T(1)],
      ["payment_succeeded", PROCESSING, T(2)],
      ["confirmed", CONFIRMED, T(3)],
      ["email_sent", EMAILED, T(4)],
    ] as const) {
      emit(ws, event(name, order, at));
      seen.push(result.current.step);
    }
    expect(seen).toEqual(["paying", "paying", "confirmed", "email_sent"]);
    expect(result.current.order).toEqual(EMAILED);
  });

  it("shows a decline on the payment step until the next attempt", () => {
    const { result } = follow();
    const ws = latest();
    emit(ws, snapshot(PENDING));
    emit(ws, event("payment_processing", PROCESSING, T(1)));
    emit(ws, event("payment_declined", DECLINED, T(2)));
    expect(result.current).toMatchObject({ step: "paying", declined: { code: "insufficient_funds", attemptsLeft: 2 } });
    emit(ws, event("payment_processing", PROCESSING, T(3)));
    expect(result.current).toMatchObject({ step: "paying", declined: null });
  });

  it("ignores duplicates and replays of earlier steps", () => {
    const { result } = follow();
    const ws = latest();
    emit(ws, snapshot(PENDING));
    emit(ws, event("payment_processing", PROCESSING, T(1)));
    emit(ws, event("payment_declined", DECLINED, T(2)));
    emit(ws, event("payment_processing", PROCESSING, T(3)));
    const before = result.current;
    emit(ws, event("payment_declined", DECLINED, T(2))); // the same decline again
    emit(ws, event("payment_processing", PROCESSING, T(3)));
    expect(result.current).toBe(before);
    expect(result.current.declined).toBeNull();

    emit(ws, event("confirmed", CONFIRMED, T(4)));
    emit(ws, event("payment_processing", PROCESSING, T(1))); // replayed from before
    emit(ws, event("quoted", PENDING, T(0)));
    expect(result.current).toMatchObject({ step: "confirmed", order: CONFIRMED, lastEvent: "confirmed" });
  });

  it("resumes after a reload from the order's current state", () => {
    const first = follow();
    emit(latest(), snapshot(PENDING));
    emit(latest(), event("payment_processing", PROCESSING, T(1)));
    emit(latest(), event("confirmed", CONFIRMED, T(2)));
    const before = latest();
    first.unmount(); // the reload
    expect(before.closedByClient).toBe(true);

    const second = follow();
    const ws = latest();
    expect(ws).not.toBe(before);
    expect(second.result.current.step).toBeNull();
    emit(ws, snapshot(CONFIRMED, T(5)));
    expect(second.result.current).toMatchObject({ step: "confirmed", order: CONFIRMED, final: false });
    emit(ws, event("email_sent", EMAILED, T(6)));
    expect(second.result.current).toMatchObject({ step: "email_sent", final: true });
  });

  it("closes the socket on the final step and does not reopen it", () => {
    vi.useFakeTimers();
    const { result } = follow();
    const ws = latest();
    emit(ws, snapshot(CONFIRMED));
    emit(ws, event("email_sent", EMAILED, T(1)));
    expect(ws.closedWith).toEqual({ code: 1000, reason: "done" });
    expect(result.current.connection).toBe("closed");
    act(() => vi.advanceTimersByTime(60_000));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("treats cancelled, expired and an already-final snapshot as the end", () => {
    for (const [message, outcome] of [
      [event("cancelled", anOrder({ status: "cancelled" }), T(1)), "cancelled"],
      [event("expired", anOrder({ status: "expired" }), T(1)), "expired"],
      [snapshot(anOrder({ status: "failed", last_decline_code: "card_declined", attempts_left: 0 })), "failed"],
    ] as const) {
      const { result, unmount } = follow();
      const ws = latest();
      if (message.type === "event") emit(ws, snapshot(PENDING));
      emit(ws, message);
      expect(result.current).toMatchObject({ outcome, final: true, connection: "closed" });
      expect(ws.closedByClient).toBe(true);
      unmount();
    }
  });

  it("closes the socket on unmount", () => {
    const { unmount } = follow();
    const ws = latest();
    emit(ws, snapshot(PENDING));
    unmount();
    expect(ws.closedWith?.code).toBe(1000);
  });

  it("reconnects with backoff after an unexpected close, and resumes from the new snapshot", () => {
    vi.useFakeTimers();
    const { result } = follow();
    const first = latest();
    emit(first, snapshot(PENDING));
    emit(first, event("payment_processing", PROCESSING, T(1)));
    act(() => first.drop(1006));
    expect(result.current.connection).toBe("reconnecting");
    expect(result.current.step).toBe("paying"); // what we knew stays shown

    act(() => vi.advanceTimersByTime(499));
    expect(FakeWebSocket.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1));
    const second = latest();
    expect(second).not.toBe(first);
    expect(second.url).toBe(first.url);
    act(() => second.accept());
    emit(second, snapshot(CONFIRMED, T(3)));
    expect(result.current).toMatchObject({ step: "confirmed", connection: "open" });
  });

  it("gives up after a bounded number of reconnects, the delay doubling each time", () => {
    vi.useFakeTimers();
    const { result } = follow();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const count = FakeWebSocket.instances.length;
      act(() => latest().drop(1011));
      let waited = 0;
      while (FakeWebSocket.instances.length === count) {
        act(() => vi.advanceTimersByTime(100));
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    act(() => latest().drop(1011));
    expect(result.current.connection).toBe("lost");
    act(() => vi.advanceTimersByTime(60_000));
    expect(FakeWebSocket.instances).toHaveLength(6);
  });

  it("does not retry when the server refuses (4404), nor connect without a token", () => {
    vi.useFakeTimers();
    const { result } = follow();
    act(() => latest().drop(4404));
    act(() => vi.advanceTimersByTime(60_000));
    expect(result.current.connection).toBe("refused");
    expect(FakeWebSocket.instances).toHaveLength(1);

    const signedOut = follow("o-1", null);
    expect(signedOut.result.current.connection).toBe("refused");
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("ignores bad messages without throwing", () => {
    const { result } = follow();
    const ws = latest();
    emit(ws, snapshot(PENDING));
    const before = result.current;
    for (const bad of [
      "not json",
      "{",
      "null",
      "[]",
      "42",
      {},
      { type: "snapshot" },
      { type: "event", at: T(1), order: PROCESSING }, // no event name
      { type: "gossip", event: "confirmed", at: T(1), order: CONFIRMED },
      { type: "event", event: "confirmed", at: T(1), order: { id: "o-1" } }, // no status
      event("confirmed", anOrder({ id: "someone-else", status: "confirmed" }), T(1)),
    ]) {
      expect(() => emit(ws, bad)).not.toThrow();
    }
    act(() => ws.onmessage?.({ data: new ArrayBuffer(4) } as MessageEvent));
    expect(result.current).toBe(before);

    emit(ws, event("payment_processing", PROCESSING, T(2)));
    expect(result.current.step).toBe("paying");
  });

  it("stays disconnected without an order, and switches when the order changes", () => {
    const { result, rerender } = follow(null);
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(result.current.connection).toBe("idle");
    rerender({ id: "o-1" });
    const first = latest();
    rerender({ id: "o-2" });
    expect(first.closedByClient).toBe(true);
    expect(latest().url).toContain("/api/upgrades/o-2/events");
  });
});
