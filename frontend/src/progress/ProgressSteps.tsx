/**
 * The order's steps as an ordered list: done steps ticked, the current one marked with
 * aria-current="step", and a polite live region announcing each new step as it arrives (not the
 * state the page opened in).
 */
import { useEffect, useRef, useState } from "react";
import { describe, STEPS, type ProgressState, type StepKey } from "./progress";
import "./progress.css";

const LABELS: Record<StepKey, string> = {
  quoted: "Quote held",
  paying: "Payment",
  confirmed: "Upgrade confirmed",
  email_sent: "Confirmation email sent",
};

export type StepsProgress = Pick<ProgressState, "step" | "declined" | "outcome" | "lastEvent" | "final">;

export function ProgressSteps({ progress, label = "Upgrade progress" }: { progress: StepsProgress; label?: string }) {
  const text = describe(progress);
  const previous = useRef<string | null>(null);
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => {
    if (!text) return;
    if (previous.current !== null && previous.current !== text) setAnnouncement(text);
    previous.current = text;
  }, [text]);

  const current = progress.step === null ? -1 : STEPS.indexOf(progress.step);
  const ended = progress.outcome !== null;
  return (
    <section className="progress-steps" aria-label={label}>
      <ol>
        {STEPS.map((key, index) => {
          const done = index < current || (index === current && progress.final && !ended);
          const isCurrent = index === current && !done;
          const note = isCurrent && (progress.declined || ended) ? text : null;
          return (
            <li
              key={key}
              className={done ? "done" : isCurrent ? "current" : "todo"}
              aria-current={isCurrent ? "step" : undefined}
            >
              {LABELS[key]}
              {done && <span className="visually-hidden"> (done)</span>}
              {note && <span className="step-note"> — {note}</span>}
            </li>
          );
        })}
      </ol>
      {ended && current < 0 && <p className="step-note">{text}</p>}
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
    </section>
  );
}
