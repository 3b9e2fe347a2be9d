// Settings → Profile and Settings → Privacy both write the practitioner profile
// (Privacy its preferences). Each tells the other when it saved, so neither keeps a
// stale copy (and its revision) on screen.
import type { PractitionerProfile } from '../api/profile';

type Listener = (p: PractitionerProfile, from: string) => void;
const listeners = new Set<Listener>();

/** Calls fn after every save of the profile; returns a function that stops it. */
export function onProfileSaved(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Tells the others that `from` saved p. */
export function profileSaved(p: PractitionerProfile, from: string): void {
  for (const fn of listeners) fn(p, from);
}
