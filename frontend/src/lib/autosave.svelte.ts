// Autosave for a note draft: debounced while typing, immediate on blur (flush).
// Every save sends the rev from the last ack; a "conflict" stops autosaving for good
// (another window saved first) so nothing is ever overwritten.
import { errorCode, errorMessage, type NoteSaved } from '../api';

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'conflict' | 'error';

export class Autosave {
  state = $state<SaveState>('idle');
  /** RFC 3339 instant of the last successful save, from the Go side. */
  savedAt = $state('');
  error = $state('');
  rev: number;

  #save: (rev: number) => Promise<NoteSaved>;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #dirty = false;
  #inflight: Promise<void> | null = null;

  constructor(rev: number, save: (rev: number) => Promise<NoteSaved>, delay = 1000) {
    this.rev = rev;
    this.#save = save;
    this.#delay = delay;
  }

  get stopped(): boolean {
    return this.state === 'conflict';
  }

  /** Call on every edit: saves once typing pauses for the delay. */
  changed(): void {
    if (this.stopped) return;
    this.#dirty = true;
    if (this.state !== 'saving') this.state = 'pending';
    this.#clear();
    this.#timer = setTimeout(() => void this.flush(), this.#delay);
  }

  /** Saves now if anything changed (on blur, before signing, when leaving). */
  flush(): Promise<void> {
    this.#clear();
    if (this.#inflight) return this.#inflight.then(() => this.flush());
    if (this.stopped || !this.#dirty) return Promise.resolve();
    this.#dirty = false;
    this.state = 'saving';
    this.error = '';
    this.#inflight = this.#save(this.rev)
      .then(
        (ack) => {
          this.rev = ack.rev;
          this.savedAt = ack.savedAt;
          this.state = this.#dirty ? 'pending' : 'saved';
        },
        (e) => {
          if (errorCode(e) === 'conflict') {
            this.state = 'conflict';
            this.#clear();
          } else {
            this.#dirty = true;
            this.state = 'error';
          }
          this.error = errorMessage(e);
        },
      )
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  /** Stops the timer without saving (component teardown after a final flush). */
  dispose(): void {
    this.#clear();
  }

  #clear() {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** "just now", "1 min ago", "2 min ago", "3 h ago", or a date. */
export function ago(rfc3339: string, now: number = Date.now()): string {
  const t = new Date(rfc3339).getTime();
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(t).toLocaleDateString('en-IN', { dateStyle: 'medium' });
}
