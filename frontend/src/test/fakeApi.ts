/**
 * A small fake of the HTTP API for page tests: routes such as "POST /api/upgrades/:id/payment"
 * answer with JSON or problem JSON, every request is recorded (headers and parsed body), and a
 * route given a list answers with each item in turn, repeating the last one.
 */

export interface Call {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer = Response | { status?: number; body?: unknown; headers?: Record<string, string> };
export type Handler = Answer | ((call: Call) => Answer | Promise<Answer>);

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** A problem answer as the local build sends it (type, title, status, detail, code, guidance, …). */
export function problem(status: number, fields: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  const body = { type: `/problems/${String(fields.code ?? "error")}`, title: `HTTP ${status}`, status, ...fields };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

function toResponse(answer: Answer): Response {
  // A body can be read once: a Response answering more than one call is cloned each time.
  if (answer instanceof Response) return answer.clone();
  const status = answer.status ?? 200;
  return status >= 400
    ? problem(status, (answer.body ?? {}) as Record<string, unknown>, answer.headers)
    : json(answer.body ?? null, status, answer.headers);
}

function matcher(pattern: string): (method: string, path: string) => Record<string, string> | null {
  const [wantMethod, wantPath = ""] = pattern.split(" ", 2);
  const names: string[] = [];
  const regex = new RegExp(
    `^${wantPath.replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
      names.push(name);
      return "([^/]+)";
    })}$`,
  );
  return (method, path) => {
    if (method !== wantMethod) return null;
    const match = regex.exec(path);
    if (!match) return null;
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
  };
}

export function fakeApi(routes: Record<string, Handler | Handler[]>) {
  const calls: Array<Call & { route: string }> = [];
  const table = Object.entries(routes).map(([route, handler]) => ({
    route,
    match: matcher(route),
    answers: Array.isArray(handler) ? handler : [handler],
    used: 0,
  }));

  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://site.test");
    const method = (init.method ?? "GET").toUpperCase();
    const headers = { ...(init.headers as Record<string, string> | undefined) };
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    for (const entry of table) {
      const params = entry.match(method, url.pathname);
      if (!params) continue;
      const call = { route: entry.route, method, path: url.pathname, params, query: url.searchParams, headers, body };
      calls.push(call);
      const handler = entry.answers[Math.min(entry.used++, entry.answers.length - 1)]!;
      return toResponse(typeof handler === "function" ? await handler(call) : handler);
    }
    calls.push({ route: "(unmatched)", method, path: url.pathname, params: {}, query: url.searchParams, headers, body });
    return problem(404, { code: "not_found", detail: `The fake API has no route for ${method} ${url.pathname}.` });
  };

  return {
    fetch,
    calls,
    /** The calls that reached one route, e.g. callsTo("POST /api/upgrades"). */
    callsTo: (route: string) => calls.filter((call) => call.route === route),
  };
}

export type FakeApi = ReturnType<typeof fakeApi>;
