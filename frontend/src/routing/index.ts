export { currentHref, hrefFor, navigate, parseHref, useLocation, type Location } from "./router";
export { isPublic, matchRoute, paths, safeNext, type Route } from "./routes";
