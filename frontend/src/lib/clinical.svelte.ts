// Where the Clients area is: the list, one client, or one note. Shared so the search
// palette (in the shell) can open a client or note. Cleared when the vault locks.
import { onLockClear } from './sensitive';

export type ClinicalView =
  | { kind: 'list' }
  /** consent: a purpose to open the Consents section at (a refusal sent the user there). */
  | { kind: 'client'; clientId: string; consent?: string }
  | { kind: 'note'; clientId: string; noteId: string };

export const clinical = $state<{ view: ClinicalView }>({ view: { kind: 'list' } });

export function openClinical(view: ClinicalView): void {
  clinical.view = view;
}

onLockClear(() => {
  clinical.view = { kind: 'list' };
});
