// Display names for bookings: a booking carries a client id (or, for a platform
// client not yet matched, a label); names come from the client list.
import { clientsList, type Booking } from '../api';

export async function loadClientNames(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    const list = await clientsList({ status: '', query: '' });
    for (const c of list?.clients ?? []) names.set(c.id, c.name);
  } catch {
    // Names are a nicety here; the calendar still works with labels.
  }
  return names;
}

export function bookingName(b: Booking, names: Map<string, string>): string {
  return (b.clientId && names.get(b.clientId)) || b.clientLabel || 'Client';
}
