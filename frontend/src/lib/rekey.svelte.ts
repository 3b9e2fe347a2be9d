// State of a data-key rotation. Kept outside the Settings screen so progress survives
// navigating away and back while the job runs.
import {
  EventRekeyDone,
  EventRekeyProgress,
  errorMessage,
  onEvent,
  rotateDataKey,
  type RekeyDone,
  type RekeyProgress,
} from '../api';

export type RekeyPhase = 'idle' | 'running' | 'done' | 'failed';

export const rekey = $state({ phase: 'idle' as RekeyPhase, done: 0, total: 0, error: '' });

let unsubscribe: (() => void)[] = [];

function stopListening() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
}

function finish(error: string) {
  stopListening();
  rekey.phase = error ? 'failed' : 'done';
  rekey.error = error;
}

/** Starts a rotation unless one is running. Progress arrives as rekey:* events. */
export async function startRekey(): Promise<void> {
  if (rekey.phase === 'running') return;
  rekey.phase = 'running';
  rekey.done = 0;
  rekey.total = 0;
  rekey.error = '';
  stopListening();
  unsubscribe = [
    onEvent<RekeyProgress>(EventRekeyProgress, (p) => {
      rekey.done = p.done;
      rekey.total = p.total;
    }),
    onEvent<RekeyDone>(EventRekeyDone, (d) => finish(d?.error ? errorMessage(d.error) : '')),
  ];
  try {
    await rotateDataKey();
  } catch (e) {
    if (rekey.phase === 'running') finish(errorMessage(e));
  }
}
