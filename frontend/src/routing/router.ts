/**
 * A tiny hash router: the route lives after "#" ("#/tickets/TKT-10000001/upgrade"), so the built
 * site works from any static server with no fallback rule, and a reload keeps the page.
 * `navigate` notifies subscribers itself, because `history.replaceState` fires no hashchange.
 */
import { useSyncExternalStore } from "react";

export interface Location {
  /** "/tickets", always starting with "/". */
  path: string;
  query: URLSearchParams;
  /** path + "?query", what `navigate` takes and what a `next` parameter keeps. */
  href: string;
}

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("hashchange", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("hashchange", listener);
  };
}

/** The current route as written in the URL ("/tickets?x=1"); "/" when there is no hash. */
export function currentHref(): string {
  const raw = window.location.hash.replace(/^#/, "");
  return raw.startsWith("/") ? raw : "/";
}

export function parseHref(href: string): Location {
  const [path = "/", search = ""] = href.split("?", 2);
  return { path: path || "/", query: new URLSearchParams(search), href };
}

/** Goes to `href` ("/tickets"); `replace` leaves no history entry (redirects). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === currentHref()) return;
  if (options.replace) {
    window.history.replaceState(window.history.state, "", `#${href}`);
  } else {
    window.location.hash = href;
  }
  notify();
}

/** The href for an anchor: plain links work with no click handler. */
export function hrefFor(path: string): string {
  return `#${path}`;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, currentHref, () => "/");
  return parseHref(href);
}
