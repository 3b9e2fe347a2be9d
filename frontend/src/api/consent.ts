// Consent ledger, rights requests and erasure certificates: DTOs and typed wrappers
// over the bindings documented at the top of app/consent.go (shapes in
// app/dto_consent.go). Field names are the Go json tags.
//
// The rights-request bindings (RightsList … ErasureCertificate) are looked up at
// call time rather than imported: a build without them rejects with
// "unavailable: …" instead of failing to compile, and the Requests screen says so.

import * as App from '../../wailsjs/go/app/App';

export type ConsentPurpose =
  | 'health-data'
  | 'teleconsultation'
  | 'recording'
  | 'summary-sharing'
  | 'reminders'
  | 'cross-border'
  | 'representative-disclosure';

export type ConsentStatus = 'granted' | 'withdrawn' | 'expired' | 'never';
export type ConsentLanguage = 'en' | 'hi';
export type ConsentMethod = '' | 'checkbox' | 'signature' | 'platform';
export type ConsentChannel = '' | 'clinic' | 'platform' | 'phone' | 'email' | 'written';

export interface ConsentNotice {
  id: string;
  version: number;
  language: string;
  purpose: string;
  title: string;
  text: string;
  sha256: string;
}

export interface ConsentEvent {
  id: string;
  seq: number;
  clientId: string;
  purpose: string;
  kind: 'grant' | 'withdraw';
  method: ConsentMethod;
  channel: ConsentChannel;
  source: 'clinic' | 'platform';
  at: string;
  expiresAt: string;
  recordedAt: string;
  capturedBy: string;
  noticeId: string;
  noticeVersion: number;
  noticeLanguage: string;
  noticeSha256: string;
  categories: string[];
  signedBy: string;
  note: string;
}

export interface ConsentState {
  purpose: string;
  status: ConsentStatus;
  /** The deciding event, without evidence; null when never given. */
  event: ConsentEvent | null;
  /** Current notice in the language of the deciding event (or English). */
  notice: ConsentNotice;
  /** Current notice in every language. */
  notices: ConsentNotice[];
}

export interface ConsentGrant {
  clientId: string;
  purpose: string;
  method: 'checkbox' | 'signature';
  language: ConsentLanguage;
  /** "" or RFC 3339. */
  expiresAt: string;
  /** Required for a signature. */
  signedBy: string;
  note: string;
}

export interface ConsentWithdraw {
  clientId: string;
  purpose: string;
  channel: ConsentChannel;
  note: string;
}

export type ReceiptFormat = 'fhir' | 'kantara';

export interface ConsentReceipt {
  eventId: string;
  format: ReceiptFormat;
  contentType: string;
  fileName: string;
  /** The document, as JSON text. */
  json: string;
}

export type RightsKind = 'access' | 'correction' | 'erasure' | 'opt-out' | 'withdrawal';
export type RightsStatus = 'received' | 'verified' | 'in_progress' | 'fulfilled' | 'refused';

export interface RightsRequest {
  id: string;
  rev: number;
  clientId: string;
  kind: RightsKind;
  source: 'clinic' | 'platform';
  status: RightsStatus;
  purpose: string;
  platformRef: string;
  receivedAt: string;
  verificationMethod: string;
  verifiedBy: string;
  verifiedAt: string;
  /** "" until verified. */
  dueAt: string;
  closedAt: string;
  refusalReason: string;
  outcomeRef: string;
  createdAt: string;
  updatedAt: string;
  details: string;
}

export interface RightsFilter {
  clientId: string;
  status: '' | RightsStatus;
  kind: '' | RightsKind;
  openOnly: boolean;
}

export interface RightsCreate {
  clientId: string;
  kind: RightsKind;
  source: 'clinic' | 'platform';
  purpose: string;
  platformRef: string;
  details: string;
}

export interface RightsVerify {
  id: string;
  rev: number;
  method: string;
  note: string;
}

export interface RightsFulfil {
  id: string;
  rev: number;
  note: string;
}

export interface RightsRefuse {
  id: string;
  rev: number;
  reason: string;
  note: string;
}

/** What an erasure removed and what it keeps, and until when. Rendered field by field. */
export type ErasureCertificate = Record<string, unknown>;

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export function consentPurposes(): Promise<string[]> {
  return App.ConsentPurposes();
}

/** One per purpose, in display order. */
export function consentState(clientId: string): Promise<ConsentState[]> {
  return App.ConsentState(clientId) as Promise<ConsentState[]>;
}

/** The client's ledger, oldest first. */
export function consentHistory(clientId: string): Promise<ConsentEvent[]> {
  return App.ConsentHistory(clientId) as Promise<ConsentEvent[]>;
}

export function consentNotice(purpose: string, language: ConsentLanguage): Promise<ConsentNotice> {
  return App.ConsentNotice(purpose, language) as Promise<ConsentNotice>;
}

/** One purpose per call: there is no bundled grant. */
export function consentGrant(grant: ConsentGrant): Promise<ConsentEvent> {
  return App.ConsentGrant(grant as Arg<typeof App.ConsentGrant>) as Promise<ConsentEvent>;
}

/** Takes effect at once. */
export function consentWithdraw(w: ConsentWithdraw): Promise<ConsentEvent> {
  return App.ConsentWithdraw(w as Arg<typeof App.ConsentWithdraw>) as Promise<ConsentEvent>;
}

export function consentReceipt(eventId: string, format: ReceiptFormat): Promise<ConsentReceipt> {
  return App.ConsentReceipt(eventId, format) as Promise<ConsentReceipt>;
}

/** Events in a verified ledger; rejects if the chain is broken. */
export function consentVerify(): Promise<number> {
  return App.ConsentVerify();
}

// --- rights requests (bindings looked up at call time) ---

type Bound = (...args: unknown[]) => Promise<unknown>;

function bound(name: string): Bound | null {
  const app = (globalThis as { go?: { app?: { App?: Record<string, unknown> } } }).go?.app?.App;
  const fn = app?.[name];
  return typeof fn === 'function' ? (fn as Bound) : null;
}

/** Whether this build has the rights-request bindings. */
export function rightsAvailable(): boolean {
  return bound('RightsList') !== null;
}

function callRights<T>(name: string, ...args: unknown[]): Promise<T> {
  const fn = bound(name);
  if (!fn) return Promise.reject('unavailable: rights requests are not available in this build yet');
  return fn(...args) as Promise<T>;
}

/** Earliest due first. */
export function rightsList(filter: RightsFilter): Promise<RightsRequest[]> {
  return callRights<RightsRequest[]>('RightsList', filter);
}

export function rightsCreate(req: RightsCreate): Promise<RightsRequest> {
  return callRights<RightsRequest>('RightsCreate', req);
}

/** Starts the clock: the due date runs from verification. */
export function rightsVerify(v: RightsVerify): Promise<RightsRequest> {
  return callRights<RightsRequest>('RightsVerify', v);
}

export function rightsFulfil(f: RightsFulfil): Promise<RightsRequest> {
  return callRights<RightsRequest>('RightsFulfil', f);
}

export function rightsRefuse(r: RightsRefuse): Promise<RightsRequest> {
  return callRights<RightsRequest>('RightsRefuse', r);
}

export function erasureCertificate(id: string): Promise<ErasureCertificate> {
  return callRights<ErasureCertificate>('ErasureCertificate', id);
}
