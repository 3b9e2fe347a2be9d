// Consent ledger, rights requests and erasure certificates: DTOs and typed wrappers
// over the bindings documented at the top of app/consent.go (shapes in
// app/dto_consent.go). Field names are the Go json tags.
// Rights requests and erasure certificates: app/rights.go.

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
  /** 0, or the material notice version that replaced the one this consent was given under. */
  renewalVersion: number;
}

/** A privacy-policy or consent-notice version the platform published (arrived by sync). */
export interface NoticeVersion {
  id: string;
  kind: 'privacy-policy' | 'consent-notice';
  purpose: string;
  version: number;
  language: string;
  summary: string;
  text: string;
  material: boolean;
  publishedAt: string;
  acknowledgedAt: string;
}

/** A consent in force that a material notice change flagged: ask the client again. */
export interface ConsentRenewal {
  clientId: string;
  clientName: string;
  purpose: string;
  givenVersion: number;
  currentVersion: number;
  givenAt: string;
}

export interface NoticeUpdates {
  /** Material privacy-policy changes not yet read. */
  policy: NoticeVersion[];
  renewals: ConsentRenewal[];
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
  clientId: string;
  kind: RightsKind;
  source: 'clinic' | 'platform';
  status: RightsStatus;
  /** withdrawal / opt-out: the consent purpose. */
  purpose: string;
  platformRef: string;
  receivedAt: string;
  verificationMethod: string;
  verifiedBy: string;
  verifiedAt: string;
  /** "" until verified. */
  dueAt: string;
  /** As of the call. */
  overdue: boolean;
  dueThisWeek: boolean;
  closedAt: string;
  refusalReason: string;
  outcomeRef: string;
  /** Erasure: the certificate, once fulfilled. */
  certificateId: string;
  details: string;
}

export interface RightsFilter {
  clientId: string;
  status: '' | RightsStatus;
  kind: '' | RightsKind;
  openOnly: boolean;
  view: '' | 'overdue' | 'due_this_week';
}

/** A request entered at the clinic. */
export interface RightsCreate {
  clientId: string;
  kind: RightsKind;
  /** withdrawal: required; opt-out: "" means reminders. */
  purpose: string;
  details: string;
}

export interface RightsVerify {
  id: string;
  method: string;
}

export interface RightsFulfil {
  id: string;
  /** Required for a correction: the whole corrected profile, as for clientUpdate. */
  correction: import('./clinical').ClientUpdate | null;
}

export interface RightsRefuse {
  id: string;
  reason: string;
}

export interface ErasureCertificate {
  id: string;
  kind: 'erasure' | 'minor_purge';
  clientId: string;
  requestId: string;
  erasedAt: string;
  holdUntil: string;
  sha256: string;
  /** The certificate document. */
  json: string;
  /** For printing. */
  text: string;
}

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

// --- rights requests (app/rights.go) ---

/** Earliest due first. */
export function rightsList(filter: RightsFilter): Promise<RightsRequest[]> {
  return App.RightsList(filter as Arg<typeof App.RightsList>) as Promise<RightsRequest[]>;
}

export function rightsCreate(req: RightsCreate): Promise<RightsRequest> {
  return App.RightsCreate(req as Arg<typeof App.RightsCreate>) as Promise<RightsRequest>;
}

/** Starts the clock: the due date runs from verification. */
export function rightsVerify(v: RightsVerify): Promise<RightsRequest> {
  return App.RightsVerify(v as Arg<typeof App.RightsVerify>) as Promise<RightsRequest>;
}

/** Before verification rejects with "conflict: verify the requester's identity first". */
export function rightsFulfil(f: RightsFulfil): Promise<RightsRequest> {
  return App.RightsFulfil(f as Arg<typeof App.RightsFulfil>) as Promise<RightsRequest>;
}

export function rightsRefuse(r: RightsRefuse): Promise<RightsRequest> {
  return App.RightsRefuse(r as Arg<typeof App.RightsRefuse>) as Promise<RightsRequest>;
}

/** By certificate id (RightsRequest.certificateId). */
export function erasureCertificate(id: string): Promise<ErasureCertificate> {
  return App.ErasureCertificate(id) as Promise<ErasureCertificate>;
}

/** Unread material privacy-policy changes and consents flagged for renewal. */
export function noticeUpdates(): Promise<NoticeUpdates> {
  return App.NoticeUpdates() as Promise<NoticeUpdates>;
}

/** Records that the practitioner read a policy change. */
export function noticeAcknowledge(id: string): Promise<void> {
  return App.NoticeAcknowledge(id);
}
