// DTOs of the clinical record (clients, notes, summaries, sessions, search), as
// documented at the top of app/clients.go, app/notes.go, app/sessions.go and
// app/search.go. Field names are the Go json tags. The summary and sessions wrappers
// live here too.

import * as App from '../../wailsjs/go/app/App';
import type { Booking } from './scheduling';

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export type ClientStatus = 'active' | 'discharged';

export interface ClientFilter {
  status: '' | ClientStatus;
  query: string;
}

export interface ClientSummary {
  id: string;
  rev: number;
  name: string;
  preferredName: string;
  dateOfBirth: string;
  status: ClientStatus;
  updatedAt: string;
  lastInteractionAt: string;
}

export interface ClientList {
  clients: ClientSummary[];
  unreadable: string[];
}

export interface EmergencyContact {
  name: string;
  relationship: string;
  phone: string;
}

export interface ClientInput {
  name: string;
  preferredName: string;
  dateOfBirth: string;
  gender: string;
  phone: string;
  email: string;
  emergencyContact: EmergencyContact;
  presentingConcerns: string;
  treatmentPreferences: string;
  language: string;
}

export interface Client extends ClientInput {
  id: string;
  rev: number;
  status: ClientStatus;
  source: 'clinic' | 'platform' | 'import';
  createdAt: string;
  updatedAt: string;
  lastInteractionAt: string;
}

export interface ClientUpdate {
  id: string;
  rev: number;
  reason: string;
  client: ClientInput;
}

export interface ClientHistoryEntry {
  rev: number;
  at: string;
  actor: string;
  action: 'correction' | 'discharge' | 'reopen';
  reason: string;
  fields: string[];
  previous: Record<string, string>;
  previousStatus: string;
}

export type NoteKind = 'progress' | 'psychotherapy';
export type NoteStatus = 'draft' | 'signed';

export interface NoteListItem {
  id: string;
  clientId: string;
  kind: NoteKind;
  templateId: string;
  title: string;
  sessionDate: string;
  status: NoteStatus;
  updatedAt: string;
  /** The booking this note records; "" when not linked. */
  bookingId: string;
  damaged: boolean;
}

export interface NoteSection {
  key: string;
  label: string;
  prompt: string;
  text: string;
}

export interface Addendum {
  id: string;
  noteId: string;
  body: string;
  createdAt: string;
  signedAt: string;
  signedBy: string;
  signedHash: string;
}

export interface Note {
  id: string;
  rev: number;
  clientId: string;
  kind: NoteKind;
  templateId: string;
  templateVersion: number;
  templateName: string;
  title: string;
  sections: NoteSection[];
  sessionDate: string;
  bookingId: string;
  status: NoteStatus;
  createdAt: string;
  updatedAt: string;
  signedAt: string;
  signedBy: string;
  signedHash: string;
  signatureValid: boolean;
  addenda: Addendum[];
}

export interface NoteCreate {
  clientId: string;
  kind: '' | NoteKind;
  templateId: string;
  templateVersion: number;
  title: string;
  sections: Record<string, string>;
  sessionDate: string;
  bookingId: string;
}

export interface NoteSaveDraft {
  id: string;
  rev: number;
  title: string;
  sections: Record<string, string>;
  sessionDate: string;
  bookingId: string;
}

export interface NoteSaved {
  rev: number;
  savedAt: string;
}

export interface NoteSign {
  id: string;
  rev: number;
}

export interface NoteAddendum {
  noteId: string;
  body: string;
}

export interface TemplateSection {
  key: string;
  label: string;
  prompt: string;
  summary: '' | 'plan' | 'homework';
}

export interface Template {
  id: string;
  version: number;
  name: string;
  builtin: boolean;
  sections: TemplateSection[];
  createdAt: string;
}

export interface SearchHit {
  id: string;
  kind: 'client' | 'note';
  clientId: string;
  title: string;
  at: string;
  snippet: string;
  /** [start, end) UTF-8 byte ranges in snippet. */
  highlights: [number, number][];
  titleHighlights: [number, number][];
}

export type SummaryStatus = 'draft' | 'ready' | 'shared';

/** The client-facing summary of a session note. */
export interface Summary {
  id: string;
  noteId: string;
  clientId: string;
  rev: number;
  plan: string;
  homework: string;
  nextSession: string;
  status: SummaryStatus;
  updatedAt: string;
}

export interface SummarySave {
  noteId: string;
  rev: number;
  plan: string;
  homework: string;
  nextSession: string;
}

export interface SummaryStep {
  noteId: string;
  rev: number;
}

/** Creates the note's summary pre-filled from its plan, or returns the one that exists. */
export function summaryDerive(noteId: string): Promise<Summary> {
  return App.SummaryDerive(noteId) as Promise<Summary>;
}

/** Rejects with "not_found: …" while the note has no summary. */
export function summaryGet(noteId: string): Promise<Summary> {
  return App.SummaryGet(noteId) as Promise<Summary>;
}

/** Replaces the content; a ready summary goes back to draft. */
export function summarySave(s: SummarySave): Promise<Summary> {
  return App.SummarySave(s as Arg<typeof App.SummarySave>) as Promise<Summary>;
}

export function summaryMarkReady(s: SummaryStep): Promise<Summary> {
  return App.SummaryMarkReady(s as Arg<typeof App.SummaryMarkReady>) as Promise<Summary>;
}

/** Rejects with "consent_required: consent required: summary-sharing" without the client's consent. */
export function summaryShare(s: SummaryStep): Promise<Summary> {
  return App.SummaryShare(s as Arg<typeof App.SummaryShare>) as Promise<Summary>;
}

/** One client's bookings, latest first; times are shown in zone. */
export interface ClientSessions {
  zone: string;
  bookings: Booking[];
  unreadable: string[];
}

export function sessionsForClient(clientId: string): Promise<ClientSessions> {
  return App.SessionsForClient(clientId) as Promise<ClientSessions>;
}
