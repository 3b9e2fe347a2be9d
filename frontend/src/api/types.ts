// DTOs returned by the Go side (app/ package). Field names are the Go json tags.
// These are plain interfaces rather than the generated classes so that
// components and tests can build them as object literals.

export interface Version {
  version: string;
  commit: string;
  dataDir: string;
}

export interface Status {
  initialized: boolean;
  locked: boolean;
  keychainAvailable: boolean;
  keychainProblem: string;
  passphraseOnly: boolean;
  autoLockMinutes: number;
  unlockDelaySeconds: number;
}

export interface Strength {
  /** 0 (guessable in seconds) .. 4 (very strong), zxcvbn scale. */
  score: number;
  /** Whether the Go side will accept this passphrase for a vault. */
  acceptable: boolean;
  warning: string;
  suggestions: string[];
  crackTime: string;
}

export interface CreateVaultRequest {
  passphrase: string;
  passphraseOnly: boolean;
}

/** A freshly issued recovery kit: the code is shown once, never stored by the UI. */
export interface RecoveryKit {
  recoveryCode: string;
  /** The printable kit as base64-encoded PDF bytes. */
  recoveryKitPDF: string;
}

export interface RecoverRequest {
  recoveryCode: string;
  newPassphrase: string;
  /** True when no keychain is available and the user accepted passphrase-only. */
  passphraseOnly: boolean;
}

export interface ChangePassphraseRequest {
  current: string;
  next: string;
}

export interface AuditFilter {
  action: string;
  recordId: string;
  /** YYYY-MM-DD or "" for open-ended. */
  from: string;
  to: string;
  offset: number;
  limit: number;
}

export interface AuditEntry {
  seq: number;
  /** RFC 3339 instant. */
  at: string;
  actor: string;
  action: string;
  recordType: string;
  recordId: string;
  detail: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  problem: string;
}

export interface RekeyProgress {
  done: number;
  total: number;
}

export interface RekeyDone {
  error: string;
}

/** Why the vault locked: after inactivity, on the user's request, or because the app is closing. */
export type LockReason = 'idle' | 'user' | 'exit';

export interface LockedEvent {
  reason: LockReason;
}

export interface IntegrityErrorEvent {
  message: string;
}
