/**
 * Time left on a quote, counting down each second to its ISO `expires_at`. Sighted customers see
 * mm:ss; screen readers get the same time in words but are only told (politely) when one minute
 * is left and when it has expired, not every second.
 */
import { useEffect, useRef, useState } from "react";

export interface CountdownProps {
  expiresAt: string;
  /** Called once when the time runs out. */
  onExpire?: () => void;
  /** Injected clock for tests; defaults to Date.now. */
  now?: () => number;
  label?: string;
}

function secondsLeft(expiresAt: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

function inWords(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts: string[] = [];
  if (minutes) parts.push(`${minutes} ${minutes === 1 ? "minute" : "minutes"}`);
  if (rest || !minutes) parts.push(`${rest} ${rest === 1 ? "second" : "seconds"}`);
  return parts.join(" ");
}

export function Countdown({ expiresAt, onExpire, now = Date.now, label = "Price held for" }: CountdownProps) {
  const [left, setLeft] = useState(() => secondsLeft(expiresAt, now()));
  const expiredFired = useRef(false);
  const onExpireRef = useRef(onExpire);
  onExpireRef.current = onExpire;

  useEffect(() => {
    expiredFired.current = false;
    const tick = () => setLeft(secondsLeft(expiresAt, now()));
    tick();
    // Recomputed from the clock every tick, so a throttled background tab catches up at once.
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, [expiresAt, now]);

  useEffect(() => {
    if (left === 0 && !expiredFired.current) {
      expiredFired.current = true;
      onExpireRef.current?.();
    }
  }, [left]);

  const mm = String(Math.floor(left / 60)).padStart(2, "0");
  const ss = String(left % 60).padStart(2, "0");
  const announcement = left === 0 ? "This quote has expired." : left <= 60 ? "Less than one minute left to pay." : "";

  return (
    <div className="countdown">
      {left === 0 ? (
        <p className="countdown-expired">
          <strong>Expired.</strong> This quote has expired; ask for a new one to see today's price.
        </p>
      ) : (
        <p role="timer" aria-atomic="true">
          {label}{" "}
          <time dateTime={`PT${left}S`} aria-hidden="true" className="countdown-clock">
            {mm}:{ss}
          </time>
          <span className="visually-hidden">{inWords(left)}</span>
        </p>
      )}
      <p className="visually-hidden" aria-live="polite" data-testid="countdown-announcement">
        {announcement}
      </p>
    </div>
  );
}
