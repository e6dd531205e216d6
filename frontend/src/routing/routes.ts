/** The site's routes: path builders and one matcher, so no page spells a URL by hand. */

export type Route =
  | { name: "signIn"; next: string | null; expired: boolean }
  | { name: "register"; next: string | null }
  | { name: "tickets" }
  | { name: "upgrade"; ticket: string }
  | { name: "pay"; orderId: string }
  | { name: "confirmation"; orderId: string }
  | { name: "dashboard" }
  | { name: "home" }
  | { name: "notFound" };

const enc = encodeURIComponent;

export const paths = {
  signIn: (next?: string | null, expired = false) => {
    const query = new URLSearchParams();
    if (next) query.set("next", next);
    if (expired) query.set("expired", "1");
    const search = query.toString();
    return `/sign-in${search ? `?${search}` : ""}`;
  },
  register: (next?: string | null) => `/register${next ? `?next=${enc(next)}` : ""}`,
  tickets: () => "/tickets",
  upgrade: (ticket: string) => `/tickets/${enc(ticket)}/upgrade`,
  pay: (orderId: string) => `/upgrades/${enc(orderId)}/pay`,
  confirmation: (orderId: string) => `/upgrades/${enc(orderId)}`,
  dashboard: () => "/upgrades",
};

/**
 * Only in-site paths may be a `next`: "/tickets" yes; "//evil.example", "/\\evil.example" (which
 * browsers read as "//evil.example") or "https://…" no.
 */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  if (next.startsWith("/sign-in") || next.startsWith("/register")) return null;
  return next;
}

export function isPublic(route: Route): boolean {
  return route.name === "signIn" || route.name === "register" || route.name === "notFound";
}

/** A path segment decoded, or null when it does not decode ("%zz", bytes that are not UTF-8). */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function matchRoute(path: string, query: URLSearchParams): Route {
  const decoded = path.split("/").filter(Boolean).map(decodeSegment);
  // A mistyped or tampered address is no page of ours, never a crash of the whole site.
  if (decoded.some((part) => part === null)) return { name: "notFound" };
  const parts = decoded as string[];
  const next = safeNext(query.get("next"));
  switch (parts.length) {
    case 0:
      return { name: "home" };
    case 1:
      if (parts[0] === "sign-in") return { name: "signIn", next, expired: query.get("expired") === "1" };
      if (parts[0] === "register") return { name: "register", next };
      if (parts[0] === "tickets") return { name: "tickets" };
      if (parts[0] === "upgrades") return { name: "dashboard" };
      break;
    case 2:
      if (parts[0] === "upgrades") return { name: "confirmation", orderId: parts[1]! };
      break;
    case 3:
      if (parts[0] === "tickets" && parts[2] === "upgrade") return { name: "upgrade", ticket: parts[1]! };
      if (parts[0] === "upgrades" && parts[2] === "pay") return { name: "pay", orderId: parts[1]! };
      break;
  }
  return { name: "notFound" };
}
