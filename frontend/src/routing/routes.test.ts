import { matchRoute, safeNext } from "./routes";

const route = (href: string) => {
  const [path = "/", search = ""] = href.split("?", 2);
  return matchRoute(path, new URLSearchParams(search));
};

describe("matchRoute", () => {
  it("decodes the parameters the site encoded", () => {
    expect(route("/tickets/x%2Fy/upgrade")).toEqual({ name: "upgrade", ticket: "x/y" });
  });

  it("answers an address that does not decode with 'not found' instead of crashing", () => {
    expect(route("/tickets/%zz/upgrade")).toEqual({ name: "notFound" });
    expect(route("/upgrades/%E0%A4%A/pay")).toEqual({ name: "notFound" });
    expect(route("/upgrades/%FF")).toEqual({ name: "notFound" });
  });
});

describe("safeNext", () => {
  it("keeps paths of this site", () => {
    expect(safeNext("/tickets/TKT-10000001/upgrade")).toBe("/tickets/TKT-10000001/upgrade");
  });

  it.each(["//evil.example", "/\\evil.example", "https://evil.example/", "tickets", "/sign-in?next=/x", "/register", ""])(
    "drops %j",
    (next) => {
      expect(safeNext(next)).toBeNull();
    },
  );
});
