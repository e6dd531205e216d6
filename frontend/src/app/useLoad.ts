/**
 * Loads one thing from the API for a page: loading, then the data or an ApiError, with a reload
 * for the Retry button and a setter for when an action (cancel, refund) returns a fresh copy.
 */
import { useCallback, useEffect, useState } from "react";
import { ApiError, networkError } from "../api/errors";

export type Load<T> =
  | { state: "loading"; data: null; error: null }
  | { state: "ready"; data: T; error: null }
  | { state: "error"; data: null; error: ApiError };

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [result, setResult] = useState<Load<T>>({ state: "loading", data: null, error: null });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setResult((prev) => (prev.state === "loading" ? prev : { state: "loading", data: null, error: null }));
    load().then(
      (data) => live && setResult({ state: "ready", data, error: null }),
      (caught: unknown) =>
        live && setResult({ state: "error", data: null, error: caught instanceof ApiError ? caught : networkError() }),
    );
    return () => {
      live = false;
    };
    // The caller lists in `deps` what `load` reads.
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const setData = useCallback((data: T) => setResult({ state: "ready", data, error: null }), []);
  return { ...result, reload, setData };
}
