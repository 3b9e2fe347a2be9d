import { vi } from 'vitest';

/** vi.waitFor with room for a loaded 2-core machine (the default gives up after 1 s). */
export function eventually<T>(fn: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(fn, { timeout: 5_000, interval: 20 });
}
