// Anything that holds client data in memory outside a mounted component registers a
// clear function here. On "vault:locked" the shell unmounts (dropping component
// state) and calls clearSensitive() so module-level stores are emptied too.

const clearers = new Set<() => void>();

/** Registers fn to run when the vault locks. Returns a function that unregisters it. */
export function onLockClear(fn: () => void): () => void {
  clearers.add(fn);
  return () => clearers.delete(fn);
}

export function clearSensitive(): void {
  for (const fn of clearers) {
    try {
      fn();
    } catch (e) {
      console.error('clear on lock failed', e);
    }
  }
}
