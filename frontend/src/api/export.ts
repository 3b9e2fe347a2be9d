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

/** Payload of "export:done": error is "" on success, "cancelled" after ExportCancel. */
export interface ExportDone {
  error: string;
  path: string;
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
