/**
 * An order's progress, live, over WS /api/upgrades/{id}/events?access_token=… on the site's own
 * origin (wss: on https). The first message is the order as it is now, so a reload resumes
 * where the order is; replays and duplicates are ignored (see ./progress.ts). The socket closes
 * on the final step (email sent, cancelled, expired, out of attempts) and on unmount; an
 * unexpected close reconnects with exponential backoff, a bounded number of times in a row. A
 * refusal (4401 no/bad token, 4403 no account, 4404 not this customer's order) is not retried.
 */
import { useEffect, useRef, useState } from "react";
import { advance, INITIAL, parseMessage, type ProgressState } from "./progress";

export type Connection =
  | "idle" // no order or no socket support
  | "connecting"
  | "open"
  | "reconnecting"
  | "closed" // the final step came, we closed it
  | "refused" // 4401/4403/4404 or no token: not retried
  | "lost"; // gave up after maxRetries reconnects in a row

export interface OrderProgress extends ProgressState {
  connection: Connection;
}

export interface ProgressOptions {
  /** The access token for each (re)connect; null means signed out, so no socket. */
  getToken: () => string | null;
  /** Reconnects in a row before giving up (the count resets once a message arrives). */
  maxRetries?: number;
  /** First reconnect delay; doubles each time, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export const REFUSED_CODES: ReadonlySet<number> = new Set([4401, 4403, 4404]);

export function eventsUrl(orderId: string, token: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/api/upgrades/${encodeURIComponent(orderId)}/events?access_token=${encodeURIComponent(token)}`;
}

/** Live progress of `orderId`; pass null to stay disconnected. */
export function useOrderProgress(orderId: string | null, options: ProgressOptions): OrderProgress {
  const { maxRetries = 5, baseDelayMs = 500, maxDelayMs = 8000 } = options;
  const getToken = useRef(options.getToken);
  getToken.current = options.getToken;
  const [progress, setProgress] = useState<OrderProgress>({ ...INITIAL, connection: "idle" });

  useEffect(() => {
    let state: ProgressState = INITIAL;
    let connection: Connection = "idle";
    const publish = () => setProgress({ ...state, connection });
    setProgress({ ...INITIAL, connection: "idle" });
    if (orderId === null || typeof WebSocket === "undefined") return;

    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let retries = 0;
    let stopped = false;

    const stop = (how: Connection) => {
      stopped = true;
      connection = how;
      if (timer !== null) clearTimeout(timer);
      const open = socket;
      socket = null;
      if (open && (open.readyState === WebSocket.CONNECTING || open.readyState === WebSocket.OPEN)) {
        try {
          open.close(1000, "done");
        } catch {
          // already closing
        }
      }
    };

    const connect = () => {
      timer = null;
      const token = getToken.current();
      if (token === null) {
        stop("refused");
        publish();
        return;
      }
      let ws: WebSocket;
      try {
        ws = new WebSocket(eventsUrl(orderId, token));
      } catch {
        retry();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        if (socket !== ws) return;
        connection = "open";
        publish();
      };
      ws.onmessage = (frame: MessageEvent) => {
        if (socket !== ws) return;
        const message = parseMessage(frame.data);
        if (!message || message.order.id !== orderId) return;
        retries = 0;
        connection = "open";
        const next = advance(state, message);
        if (next === state) return;
        state = next;
        if (state.final) stop("closed");
        publish();
      };
      ws.onclose = (event: CloseEvent) => {
        if (socket !== ws || stopped) return;
        socket = null;
        if (REFUSED_CODES.has(event.code)) {
          stop("refused");
          publish();
          return;
        }
        retry();
      };
    };

    const retry = () => {
      if (stopped) return;
      if (retries >= maxRetries) {
        stop("lost");
        publish();
        return;
      }
      const delay = Math.min(baseDelayMs * 2 ** retries, maxDelayMs);
      retries += 1;
      connection = "reconnecting";
      publish();
      timer = setTimeout(connect, delay);
    };

    connection = "connecting";
    publish();
    connect();
    return () => {
      stop("idle");
    };
  }, [orderId, maxRetries, baseDelayMs, maxDelayMs]);

  return progress;
}
