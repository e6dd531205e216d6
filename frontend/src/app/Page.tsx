/**
 * One page: its <h1>, the document title, and focus moved to the heading when the customer
 * navigates here (not on the first load), so screen readers start reading the new page.
 */
import { createContext, useContext, useEffect, useRef, type ReactNode } from "react";

/** True once the customer has navigated at least once inside the site. */
export const FocusOnMountContext = createContext<{ current: boolean }>({ current: false });

export interface PageProps {
  title: string;
  children: ReactNode;
  className?: string;
  /** Focus the heading even on the first load: the page replaced another one unasked. */
  focusHeading?: boolean;
}

export function Page({ title, children, className, focusHeading = false }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const navigated = useContext(FocusOnMountContext);

  useEffect(() => {
    document.title = `${title} · Ticket upgrades`;
  }, [title]);

  useEffect(() => {
    if (focusHeading || navigated.current) heading.current?.focus();
  }, [navigated, focusHeading]);

  return (
    <div className={["page", className].filter(Boolean).join(" ")}>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="loading">
      Loading {what}…
    </p>
  );
}
