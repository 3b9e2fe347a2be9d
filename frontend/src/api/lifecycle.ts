// Records lifecycle: backups (app/backup.go) and retention (app/retention.go). DTOs
// and typed wrappers; field names are the Go json tags. Instants are RFC 3339 UTC,
// "" when unset. Errors reject with "code: message" (see errors.ts).

import * as App from '../../wailsjs/go/app/App';

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

// --- backups ---------------------------------------------------------------------

export type BackupSchedule = 'off' | 'daily' | 'weekly';

export interface BackupSettings {
  /** Absolute path; "" until chosen. */
  folder: string;
  schedule: BackupSchedule;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  /** Send back as read; 0 before the first save. */
  rev: number;
  /** "HH:MM" in India time; "" = the first time the app is open and unlocked on a due day. */
  atTime: string;
}

export interface BackupHealth {
  lastBackupAt: string;
  lastVerifiedAt: string;
  /** No verified backup for 7 days: warn. */
  stale: boolean;
  integrityState: 'running' | 'ok' | 'problems' | 'failed' | '';
  integrityMessage: string;
  integrityProblems: number;
  /** Connected to a backend: every backup is also uploaded to India. */
  copyEnabled: boolean;
  /** The newest copy the backend stored ("" = none) and its backup. */
  copyUploadedAt: string;
  copyBackupId: string;
  /** A later upload that failed ("" = none), and its machine code. */
  copyFailedAt: string;
  copyErrorCode: string;
}

/** One upload of a backup to the backend in India. */
export interface BackupCopy {
  state: 'uploaded' | 'failed' | 'not_enrolled';
  backupId: string;
  uploadedAt: string;
  attempts: number;
  errorCode: string;
  /** When failed: what to do (no client data). */
  message: string;
}

export interface BackupResult {
  id: string;
  path: string;
  at: string;
  sizeBytes: number;
  sha256: string;
  verified: boolean;
  /** File names rotation deleted. */
  removed: string[];
  /** How the copy in India went; its failure never fails the backup. */
  copy: BackupCopy;
}

export interface BackupRecord {
  id: string;
  at: string;
  trigger: 'manual' | 'schedule';
  result: 'ok' | 'failed';
  errorCode: string;
  path: string;
  fileName: string;
  sizeBytes: number;
  verifiedAt: string;
  verifyResult: '' | 'ok' | 'failed';
  removedAt: string;
  present: boolean;
  damaged: boolean;
}

export interface BackupVerify {
  id: string;
  createdAt: string;
  schemaVersion: number;
  sizeBytes: number;
  sealedFieldsOpened: number;
}

/** Works while locked. */
export function backupHealth(): Promise<BackupHealth> {
  return App.BackupHealth() as Promise<BackupHealth>;
}

export function backupSettingsGet(): Promise<BackupSettings> {
  return App.BackupSettingsGet() as Promise<BackupSettings>;
}

export function backupSettingsSet(s: BackupSettings): Promise<BackupSettings> {
  return App.BackupSettingsSet(s as Arg<typeof App.BackupSettingsSet>) as Promise<BackupSettings>;
}

/** The native folder dialog; "" if cancelled or unavailable. */
export function backupPickFolder(): Promise<string> {
  return App.BackupPickFolder();
}

/** Writes a backup into the chosen folder, verifies it and rotates the folder. */
export function backupNow(): Promise<BackupResult> {
  return App.BackupNow() as Promise<BackupResult>;
}

/** Uploads the newest backup to the backend in India now. */
export function backupUploadNow(): Promise<BackupCopy> {
  return App.BackupUploadNow() as Promise<BackupCopy>;
}

/** The backups log, newest first. */
export function backupsList(): Promise<BackupRecord[]> {
  return App.BackupsList() as Promise<BackupRecord[]>;
}

export function backupVerify(path: string): Promise<BackupVerify> {
  return App.BackupVerify(path) as Promise<BackupVerify>;
}

// --- retention -------------------------------------------------------------------

export interface RetentionPolicy {
  healthYears: number;
  contactDays: number;
  usageYears: number;
  holdReasons: string[];
  releaseReasons: string[];
}

export type RetentionOutcome = 'would_delete' | 'deleted' | 'held' | 'kept' | 'skipped' | 'failed';

export interface RetentionRemoved {
  table: string;
  ids: string[];
  columns: string[];
}

export interface RetentionItem {
  category: 'health' | 'contact' | 'usage';
  clientId: string;
  /** A log file, a run id, or the audit row count. */
  ref: string;
  rule: string;
  due: string;
  basis: string;
  outcome: RetentionOutcome;
  /** legal_hold | open_rights_request | erasure_hold | chain_integrity | "" */
  hold: string;
  error: string;
  removed: RetentionRemoved[];
}

export interface LegalHold {
  id: string;
  clientId: string;
  reason: string;
  placedAt: string;
  placedBy: string;
  /** "" while in place. */
  releasedAt: string;
  releasedBy: string;
  releaseReason: string;
}

export interface RetentionReport {
  /** "" for a dry run. */
  id: string;
  asOf: string;
  ranAt: string;
  dryRun: boolean;
  trigger: '' | 'manual' | 'schedule';
  deleted: number;
  held: number;
  failed: number;
  vacuumed: boolean;
  items: RetentionItem[];
  /** Legal holds in place. */
  holds: LegalHold[];
}

export interface RetentionRun {
  id: string;
  at: string;
  asOf: string;
  trigger: 'manual' | 'schedule';
  result: 'ok' | 'failed';
  deleted: number;
  held: number;
  failed: number;
  vacuumed: boolean;
  report: RetentionReport;
}

export function retentionPolicy(): Promise<RetentionPolicy> {
  return App.RetentionPolicy() as Promise<RetentionPolicy>;
}

/** The dry run for the end of a day ("YYYY-MM-DD", India time; "" for now). Deletes nothing. */
export function retentionPlan(asOf: string): Promise<RetentionReport> {
  return App.RetentionPlan(asOf) as Promise<RetentionReport>;
}

/** A real run as of now: what the daily run does. */
export function retentionRunNow(): Promise<RetentionReport> {
  return App.RetentionRunNow() as Promise<RetentionReport>;
}

/** The latest real runs, newest first. */
export function retentionRuns(): Promise<RetentionRun[]> {
  return App.RetentionRuns() as Promise<RetentionRun[]>;
}

/** Every legal hold: in place first, then released ones (history). */
export function legalHolds(): Promise<LegalHold[]> {
  return App.LegalHolds() as Promise<LegalHold[]>;
}

export function legalHoldPlace(clientId: string, reason: string): Promise<LegalHold> {
  return App.LegalHoldPlace({ clientId, reason } as Arg<typeof App.LegalHoldPlace>) as Promise<LegalHold>;
}

export function legalHoldRelease(id: string, reason: string): Promise<LegalHold> {
  return App.LegalHoldRelease({ id, reason } as Arg<typeof App.LegalHoldRelease>) as Promise<LegalHold>;
}
