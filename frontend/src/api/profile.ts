// The practitioner profile, practice settings, usage-data choices and the
// practitioners' profiles on this computer: typed wrappers over the bindings
// listed at the top of app/profile.go and app/profiles.go (shapes in
// app/dto_profile.go, app/dto_profiles.go). Field names are the Go json tags;
// money is in paise; dates are YYYY-MM-DD.

import * as App from '../../wailsjs/go/app/App';
import type { Status } from './types';

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export type Council = 'rci' | 'nmc' | 'mmc' | 'state_medical' | 'other' | 'none';
export type ReviewState = 'draft' | 'submitted' | 'approved' | 'changes_requested';
export type Modality = 'online' | 'in_person' | 'either';

export interface Credential {
  qualification: string;
  council: Council;
  councilName?: string;
  registrationNumber?: string;
  validFrom?: string;
  validUntil?: string;
}

export interface SessionType {
  name: string;
  minutes: number;
  feePaise: number;
  modality: Modality;
}

export interface Contact {
  email?: string;
  phone?: string;
}

export interface Demographics {
  gender?: string;
  pronouns?: string;
  yearOfBirth?: number;
  other?: string;
}

export interface Preferences {
  pauseNewMatches: boolean;
  marketingEmails: boolean;
}

export interface PractitionerProfile {
  rev: number;
  reviewState: ReviewState;
  name: string;
  contact: Contact;
  credentials: Credential[];
  specialisations: string[];
  approaches: string[];
  languages: string[];
  sessionTypes: SessionType[];
  bio: string;
  demographics: Demographics;
  preferences: Preferences;
  /** The platform's comment while it asks for changes (read-only). */
  reviewComment?: string;
}

export type WarningCode =
  | 'registration_expired'
  | 'registration_expiring'
  | 'registration_not_yet_valid'
  | 'registration_no_expiry';

export interface RegistrationWarning {
  code: WarningCode;
  /** 1-based position of the credential. */
  credential: number;
  days: number;
  message: string;
}

export interface ProfileResult {
  profile: PractitionerProfile;
  warnings: RegistrationWarning[];
}

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  pin?: string;
  country?: string;
}

export interface Grievance {
  name?: string;
  email?: string;
  phone?: string;
}

export interface PracticeSettings {
  rev: number;
  name: string;
  address: Address;
  contact: Contact;
  grievance: Grievance;
  defaultSessionMinutes: number;
  defaultFeePaise: number;
  timeZone: string;
  noteTemplate: 'soap' | 'dap' | 'birp' | 'free';
  dateFormat: 'DD/MM/YYYY' | 'YYYY-MM-DD' | 'DD-MM-YYYY';
  numberFormat: 'en-IN' | 'en';
  currency: 'INR';
}

export interface ProfileEntry {
  /** The folder's id; "_main" for the data folder itself. */
  id: string;
  /** Shown before anyone unlocks: stored in the clear. */
  label: string;
  legacy: boolean;
  current: boolean;
}

export interface RetainedCopy {
  kind: 'export' | 'backup';
  id: string;
  at: string;
  name: string;
  sha256: string;
  /** -1 for a backup (it holds the whole database). */
  clients: number;
  withheld: number;
}

export interface Removal {
  label: string;
  initialized: boolean;
  clients: number;
  /** YYYY-MM-DD; "" without client records. */
  keepUntil: string;
  copy: RetainedCopy | null;
  copyCurrent: boolean;
  allowed: boolean;
  refusal: '' | 'needs_encrypted_copy' | 'copy_out_of_date';
  message: string;
}

export interface Removed {
  removal: Removal;
  profiles: ProfileEntry[];
  status: Status;
}

export interface Privacy {
  diagnostics: 'standard' | 'minimal';
}

// --- practitioner profile and practice settings ---

export function profileGet(): Promise<ProfileResult> {
  return App.ProfileGet() as unknown as Promise<ProfileResult>;
}

export function profileSave(p: PractitionerProfile): Promise<ProfileResult> {
  return App.ProfileSave(p as unknown as Arg<typeof App.ProfileSave>) as unknown as Promise<ProfileResult>;
}

export function profileSubmit(): Promise<PractitionerProfile> {
  return App.ProfileSubmit() as unknown as Promise<PractitionerProfile>;
}

export function practiceGet(): Promise<PracticeSettings> {
  return App.PracticeGet() as unknown as Promise<PracticeSettings>;
}

export function practiceSave(p: PracticeSettings): Promise<PracticeSettings> {
  return App.PracticeSave(p as unknown as Arg<typeof App.PracticeSave>) as unknown as Promise<PracticeSettings>;
}

// --- profiles on this computer ---

export function profilesList(): Promise<ProfileEntry[]> {
  return App.ProfilesList() as Promise<ProfileEntry[]>;
}

export function profileAdd(label: string): Promise<ProfileEntry> {
  return App.ProfileAdd({ label } as Arg<typeof App.ProfileAdd>) as Promise<ProfileEntry>;
}

/** Locks and closes the open profile and opens id (locked, or onboarding for a new one). */
export function profileSwitch(id: string): Promise<Status> {
  return App.ProfileSwitch(id);
}

export function profileRename(label: string): Promise<ProfileEntry> {
  return App.ProfileRename({ label } as Arg<typeof App.ProfileRename>) as Promise<ProfileEntry>;
}

export function profileRemovalCheck(): Promise<Removal> {
  return App.ProfileRemovalCheck() as unknown as Promise<Removal>;
}

export function profileRemove(confirmLabel: string): Promise<Removed> {
  return App.ProfileRemove({ confirmLabel } as Arg<typeof App.ProfileRemove>) as unknown as Promise<Removed>;
}

// --- usage-data choices kept on this computer ---

export function privacyGet(): Promise<Privacy> {
  return App.PrivacyGet() as Promise<Privacy>;
}

export function privacySave(p: Privacy): Promise<Privacy> {
  return App.PrivacySave(p as Arg<typeof App.PrivacySave>) as Promise<Privacy>;
}
