// Scheduling: availability, time off, bookings, today's agenda (app/scheduling.go).
// Dates are "YYYY-MM-DD" read in the rules' zone (default Asia/Kolkata), wall-clock
// times "HH:MM", instants RFC 3339 UTC. Field names are the Go json tags.

import * as App from '../../wailsjs/go/app/App';

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export type Modality = 'online' | 'in_person';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface WeeklyWindow {
  day: Weekday;
  start: string;
  end: string;
  modality?: '' | Modality;
}

export interface AvailabilityException {
  kind: 'extra' | 'time_off' | 'holiday';
  from: string;
  to?: string;
  start?: string;
  end?: string;
  modality?: '' | Modality;
}

export interface RuleSet {
  id?: string;
  rev?: number;
  zone: string;
  effectiveFrom?: string;
  effectiveUntil?: string;
  sessionMinutes: number;
  bufferMinutes: number;
  minimumNoticeHours: number;
  horizonDays: number;
  modality: Modality;
  location?: string;
  weekly: WeeklyWindow[];
  exceptions?: AvailabilityException[];
}

export interface Availability {
  version: number;
  ruleSets: RuleSet[];
}

export interface Slot {
  start: string;
  end: string;
  zone: string;
  modality: Modality;
  location?: string;
}

export interface Opening {
  start: string;
  end: string;
  zone: string;
  modality: Modality;
}

export interface TimeOff {
  kind: 'time_off' | 'holiday';
  from: string;
  to?: string;
  /** Both "" = whole days. */
  start?: string;
  end?: string;
}

export interface TimeOffDecision {
  bookingId: string;
  action: 'keep' | 'cancel';
  message: string;
}

export interface TimeOffSave {
  timeOff: TimeOff;
  decisions: TimeOffDecision[];
}

export type BookingStatus =
  | 'requested'
  | 'confirmed'
  | 'completed'
  | 'no_show'
  | 'cancelled_by_client'
  | 'cancelled_by_practitioner'
  | 'declined'
  | 'rescheduled';

export type BookingAction = 'confirm' | 'decline' | 'cancel' | 'complete' | 'no_show';
export type PaymentStatus = 'pending' | 'paid' | 'refund_pending' | 'refunded';

export interface Booking {
  id: string;
  rev: number;
  source: 'platform' | 'clinic';
  status: BookingStatus;
  clientId: string;
  clientLabel: string;
  start: string;
  end: string;
  modality: Modality;
  location: string;
  joinLink: string;
  feePaise: number;
  currency: 'INR';
  paymentStatus: PaymentStatus;
  notes: string;
  message: string;
  rescheduledFrom: string;
  rescheduledTo: string;
  createdAt: string;
  updatedAt: string;
  actions: BookingAction[];
}

export interface BookingsList {
  bookings: Booking[];
  unreadable: string[];
}

export interface BookingMessage {
  id: string;
  message: string;
}

export interface WalkIn {
  clientId: string;
  clientLabel: string;
  /** RFC 3339, or "YYYY-MM-DDTHH:MM" in the rules' zone. */
  start: string;
  minutes: number;
  modality: '' | Modality;
  location: string;
  joinLink: string;
  feePaise: number;
  paid: boolean;
  notes: string;
}

export interface Agenda {
  date: string;
  zone: string;
  bookings: Booking[];
  next: Booking | null;
  draftsAwaitingSignature: number;
  unreadable: string[];
}

export function availabilityGet(): Promise<Availability> {
  return App.AvailabilityGet() as Promise<Availability>;
}

/** Replaces the schedule; send back the ids/revs from availabilityGet. */
export function availabilitySet(a: Availability): Promise<Availability> {
  return App.AvailabilitySet(a as Arg<typeof App.AvailabilitySet>) as Promise<Availability>;
}

/** Bookable slots of the SAVED schedule (notice, horizon, bookings applied). */
export function availabilityPreview(from: string, to: string): Promise<Slot[]> {
  return App.AvailabilityPreview(from, to) as Promise<Slot[]>;
}

export function availabilityOpenings(from: string, to: string): Promise<Opening[]> {
  return App.AvailabilityOpenings(from, to) as Promise<Opening[]>;
}

export function timeOffCollisions(t: TimeOff): Promise<Booking[]> {
  return App.TimeOffCollisions(t as Arg<typeof App.TimeOffCollisions>) as Promise<Booking[]>;
}

/** Needs a decision for each collision, else rejects with "conflict: …". */
export function timeOffSave(s: TimeOffSave): Promise<Availability> {
  return App.TimeOffSave(s as Arg<typeof App.TimeOffSave>) as Promise<Availability>;
}

export function bookingsList(from: string, to: string): Promise<BookingsList> {
  return App.BookingsList(from, to) as Promise<BookingsList>;
}

export function bookingGet(id: string): Promise<Booking> {
  return App.BookingGet(id) as Promise<Booking>;
}

export function bookingConfirm(id: string): Promise<Booking> {
  return App.BookingConfirm(id) as Promise<Booking>;
}

export function bookingDecline(m: BookingMessage): Promise<Booking> {
  return App.BookingDecline(m as Arg<typeof App.BookingDecline>) as Promise<Booking>;
}

/** The message is required. */
export function bookingCancel(m: BookingMessage): Promise<Booking> {
  return App.BookingCancel(m as Arg<typeof App.BookingCancel>) as Promise<Booking>;
}

export function bookingComplete(id: string): Promise<Booking> {
  return App.BookingComplete(id) as Promise<Booking>;
}

export function bookingNoShow(id: string): Promise<Booking> {
  return App.BookingNoShow(id) as Promise<Booking>;
}

export function walkInCreate(w: WalkIn): Promise<Booking> {
  return App.WalkInCreate(w as Arg<typeof App.WalkInCreate>) as Promise<Booking>;
}

export function todayAgenda(): Promise<Agenda> {
  return App.TodayAgenda() as Promise<Agenda>;
}

/** A session's recording and reminders, each gated by the client's consent. */
export interface SessionState {
  /** The client asked on CalmAlly for the session to be recorded. */
  recordingRequested: boolean;
  /** The practitioner turned recording on. */
  recordingOn: boolean;
  /** On AND the client's recording consent is in force now (a withdrawal stops it at once). */
  recorded: boolean;
  recordingAt: string;
  recordingConsent: boolean;
  remindersConsent: boolean;
  reminders: { at: string; trigger: 'manual' | 'auto' }[];
}

export function bookingSession(id: string): Promise<SessionState> {
  return App.BookingSession(id) as Promise<SessionState>;
}

/** Turns recording on (needs recording consent) or off. */
export function bookingSetRecording(id: string, on: boolean): Promise<SessionState> {
  return App.BookingSetRecording(id, on) as Promise<SessionState>;
}

/** Asks CalmAlly to remind the client now (needs reminders consent). */
export function bookingRemind(id: string): Promise<SessionState> {
  return App.BookingRemind(id) as Promise<SessionState>;
}
