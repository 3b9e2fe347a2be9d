/**
 * Returns a function that calls fn at most once per intervalMs (leading edge).
 * Calls inside the interval are dropped, not deferred: for activity pings only the
 * fact that the user was present matters.
 */
export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): () => void {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    fn();
  };
}
