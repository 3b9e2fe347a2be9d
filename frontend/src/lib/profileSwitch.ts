// Switching between practitioners' profiles on this computer. The top level
// (App.svelte) owns the switch, because it must unmount everything of the
// previous profile; screens deeper down (Settings → Profiles on this computer)
// ask for it through here.
import { clearSensitive } from './sensitive';
import { sync } from './sync.svelte';
import { rekey } from './rekey.svelte';

type Handler = (id: string) => Promise<void>;
let handler: Handler | null = null;

/** App.svelte registers how to switch; returns a function that unregisters it. */
export function onProfileSwitch(fn: Handler): () => void {
  handler = fn;
  return () => {
    if (handler === fn) handler = null;
  };
}

/** Asks the top level to switch to profile id (lock, close, open it). */
export function requestProfileSwitch(id: string): Promise<void> {
  return handler ? handler(id) : Promise.resolve();
}

/**
 * Drops what the UI holds of the profile being left: everything registered with
 * onLockClear (client data), and the module-level state that describes the profile
 * itself (its sync connection, a finished key rotation's outcome).
 */
export function forgetProfileState(): void {
  clearSensitive();
  sync.status = null;
  sync.progress = null;
  sync.error = '';
  sync.running = false;
  if (rekey.phase !== 'running') {
    rekey.phase = 'idle';
    rekey.error = '';
    rekey.done = 0;
    rekey.total = 0;
  }
}
