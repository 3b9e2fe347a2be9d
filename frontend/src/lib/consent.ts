// Labels and small helpers for the consent and rights screens.
import type { ConsentReceipt, ConsentStatus, RightsKind, RightsRequest } from '../api';

export const purposeLabels: Record<string, string> = {
  'health-data': 'Health information',
  teleconsultation: 'Online sessions',
  recording: 'Session recording',
  'summary-sharing': 'Sharing session summaries',
  reminders: 'Appointment reminders',
  'cross-border': 'Processing outside India',
  'representative-disclosure': 'Disclosure to a nominated representative',
};

export function purposeLabel(p: string): string {
  return purposeLabels[p] ?? p;
}

export const statusLabels: Record<ConsentStatus, string> = {
  granted: 'Granted',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  never: 'Never given',
};

export const methodLabels: Record<string, string> = {
  checkbox: 'ticked “I agree” at the clinic',
  signature: 'signed at the clinic',
  platform: 'given on the CalmAlly platform',
};

export const channelLabels: Record<string, string> = {
  clinic: 'At the clinic',
  platform: 'On the platform',
  phone: 'By phone',
  email: 'By email',
  written: 'In writing',
};

export const languageLabels: Record<string, string> = { en: 'English', hi: 'हिन्दी' };

export const kindLabels: Record<RightsKind, string> = {
  access: 'Access to records',
  correction: 'Correction',
  erasure: 'Erasure',
  'opt-out': 'Opt-out',
  withdrawal: 'Withdrawal of consent',
};

export const rightsStatusLabels: Record<string, string> = {
  received: 'Received — verify identity',
  verified: 'Identity verified',
  in_progress: 'In progress',
  fulfilled: 'Fulfilled',
  refused: 'Refused',
};

export const verificationMethods: { value: string; label: string }[] = [
  { value: 'in_person_id', label: 'Government photo ID seen at the clinic' },
  { value: 'platform_account', label: 'Made from the client’s platform account' },
  { value: 'video_call', label: 'Recognised on a video call' },
  { value: 'phone_callback', label: 'Called back on the number on record' },
  { value: 'email_link', label: 'Confirmed a link sent to the address on record' },
];

export const refusalReasons: { value: string; label: string }[] = [
  { value: 'identity_not_verified', label: 'Identity could not be verified' },
  { value: 'duplicate', label: 'The same request is already open' },
  { value: 'withdrawn_by_client', label: 'The client no longer wants it' },
  { value: 'legal_obligation', label: 'A law requires keeping or withholding the data' },
  { value: 'not_applicable', label: 'The data asked about is not held here' },
];

const DAY = 24 * 60 * 60 * 1000;

export function isOpen(r: RightsRequest): boolean {
  return r.status === 'received' || r.status === 'verified' || r.status === 'in_progress';
}

export function isOverdue(r: RightsRequest, now: number): boolean {
  if (!isOpen(r) || !r.dueAt) return false;
  const due = Date.parse(r.dueAt);
  return !Number.isNaN(due) && now > due;
}

/** The end of the week: the Monday 00:00 in India (UTC+05:30) that follows now. */
export function weekEnd(now: number): number {
  const ist = 5.5 * 60 * 60 * 1000;
  const local = new Date(now + ist);
  const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  let days = (8 - local.getUTCDay()) % 7;
  if (days === 0) days = 7;
  return dayStart + days * DAY - ist;
}

export function isDueThisWeek(r: RightsRequest, now: number): boolean {
  if (!isOpen(r) || !r.dueAt) return false;
  const due = Date.parse(r.dueAt);
  return !Number.isNaN(due) && now <= due && due < weekEnd(now);
}

/** "due in 29 days", "due in 5 hours", "overdue by 2 days". */
export function countdown(dueAt: string, now: number): string {
  const due = Date.parse(dueAt);
  if (!dueAt || Number.isNaN(due)) return '';
  const diff = due - now;
  const abs = Math.abs(diff);
  let amount: string;
  if (abs >= 1.5 * DAY) amount = `${Math.max(2, Math.round(abs / DAY))} days`;
  else if (abs >= DAY) amount = '1 day';
  else {
    const h = Math.max(1, Math.floor(abs / (60 * 60 * 1000)));
    amount = h === 1 ? '1 hour' : `${h} hours`;
  }
  return diff >= 0 ? `due in ${amount}` : `overdue by ${amount}`;
}

const dateOnly = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium' });

export function formatDate(rfc3339: string): string {
  const d = new Date(rfc3339);
  return !rfc3339 || Number.isNaN(d.getTime()) ? '' : dateOnly.format(d);
}

/** Saves a receipt through a Blob download (the webview's save dialog). */
export function downloadReceipt(r: ConsentReceipt): void {
  const url = URL.createObjectURL(new Blob([r.json], { type: r.contentType || 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = r.fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
