// Record export and import: DTOs and typed wrappers over the bindings documented at
// the top of app/export.go. Field names are the Go json tags.

import * as App from '../../wailsjs/go/app/App';

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export type ExportEncrypt = 'none' | 'passphrase' | 'recipient';

export interface ExportStart {
  clientId: string;
  all: boolean;
  path: string;
  includePsychotherapy: boolean;
  encrypt: ExportEncrypt;
  passphrase: string;
  /** An age public key, age1… */
  recipient: string;
}

export interface ExportRecord {
  id: string;
  kind: 'export' | 'import';
  at: string;
  scope: 'client' | 'practice';
  clientId: string;
  encrypted: boolean;
  recipientKind: 'none' | 'passphrase' | 'age-recipient';
  includePsychotherapy: boolean;
  fileName: string;
  sha256: string;
  size: number;
  clients: number;
  notes: number;
  addenda: number;
  withheld: number;
}

export interface ImportRequest {
  path: string;
  passphrase: string;
  /** An age identity, AGE-SECRET-KEY-1… */
  identity: string;
}

export interface ImportClient {
  id: string;
  name: string;
  status: 'new' | 'exists' | 'under_18' | 'invalid';
  reason: string;
  notes: number;
  addenda: number;
}

export interface Withheld {
  what: string;
  count: number;
  reason: string;
  /** True when the law gives the right to apply to the Mental Health Review Board. */
  reviewable: boolean;
}

export interface ImportReport {
  bundleId: string;
  scope: string;
  exportedAt: string;
  appVersion: string;
  encrypted: boolean;
  clients: ImportClient[];
  notes: number;
  addenda: number;
  signed: number;
  withheld: Withheld[];
  imported: boolean;
  notice: string;
}

/** Payload of "export:progress". */
export interface ExportProgress {
  done: number;
  total: number;
}

export type WithheldKind = 'psychotherapy_note' | 'note' | 'client' | 'consent_history' | 'booking' | 'profile';
export type WithheldReason = 'excluded_by_choice' | 'integrity_failed' | 'client_unreadable' | 'not_recorded';

/** One item a finished export left out: ids, a date and codes only. */
export interface WithheldItem {
  kind: WithheldKind;
  /** "" for the profile. */
  id: string;
  /** "" when unknown. */
  clientId: string;
  /** A note's session date (YYYY-MM-DD); "" otherwise. */
  date: string;
  reason: WithheldReason;
  /** True when the law gives the right to apply to the Mental Health Review Board. */
  reviewable: boolean;
}

/** Payload of "export:done": error is "" on success, "cancelled" after ExportCancel. */
export interface ExportDone {
  error: string;
  path: string;
  /** What a finished export left out, item by item; empty otherwise. */
  withheld: WithheldItem[];
}

export interface ExportChoose {
  suggestedName: string;
  /** Filter the dialog to *.age rather than *.zip. */
  encrypted: boolean;
}

/** Starts the export in the background; progress arrives as export:* events. */
export function exportStart(req: ExportStart): Promise<void> {
  return App.ExportStart(req as Arg<typeof App.ExportStart>);
}

export function exportCancel(): Promise<void> {
  return App.ExportCancel();
}

/** Past exports and imports, newest first. */
export function exportsList(): Promise<ExportRecord[]> {
  return App.ExportsList() as Promise<ExportRecord[]>;
}

/** Checks a bundle and reports what would be added; changes nothing. */
export function importPreview(req: ImportRequest): Promise<ImportReport> {
  return App.ImportPreview(req as Arg<typeof App.ImportPreview>) as Promise<ImportReport>;
}

export function importRun(req: ImportRequest): Promise<ImportReport> {
  return App.ImportRun(req as Arg<typeof App.ImportRun>) as Promise<ImportReport>;
}

/** The native save dialog for the export's destination; "" when the user cancels. */
export function exportChooseFile(req: ExportChoose): Promise<string> {
  return App.ExportChooseFile(req as Arg<typeof App.ExportChooseFile>);
}

/** The native open dialog for a bundle; "" when the user cancels. */
export function importChooseFile(): Promise<string> {
  return App.ImportChooseFile();
}
