import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import ClientPage from '../src/screens/ClientPage.svelte';
import NoteEditor from '../src/screens/NoteEditor.svelte';
import SummaryPanel from '../src/components/SummaryPanel.svelte';
import { clinical, openClinical } from '../src/lib/clinical.svelte';
import type { Booking, Note, NoteListItem, Summary } from '../src/api';

vi.mock('../src/api', () => import('./api-mock'));

// --- fixtures ----------------------------------------------------------------------

function listItem(i: number, over: Partial<NoteListItem> = {}): NoteListItem {
  const d = new Date(Date.UTC(2026, 0, 1) - i * 86_400_000).toISOString().slice(0, 10);
  return {
    id: `n${i}`, clientId: 'c1', kind: 'progress', templateId: 'soap', title: `Session ${i}`, sessionDate: d,
    status: 'signed', updatedAt: '', bookingId: '', damaged: false, ...over,
  };
}

function booking(i: number, over: Partial<Booking> = {}): Booking {
  const start = new Date(Date.UTC(2026, 0, 1, 5, 30) - i * 86_400_000);
  return {
    id: `b${i}`, rev: 1, source: 'clinic', status: 'completed', clientId: 'c1', clientLabel: '', start: start.toISOString(),
    end: new Date(start.getTime() + 50 * 60_000).toISOString(), modality: 'in_person', location: '', joinLink: '',
    feePaise: 150000, currency: 'INR', paymentStatus: 'paid', notes: '', message: '', rescheduledFrom: '',
    rescheduledTo: '', createdAt: '', updatedAt: '', actions: [], ...over,
  };
}

function summary(over: Partial<Summary> = {}): Summary {
  return {
    id: 's1', noteId: 'n1', clientId: 'c1', rev: 1, plan: 'Continue CBT', homework: 'Sleep diary', nextSession: '',
    status: 'draft', updatedAt: '2026-03-01T11:00:00Z', ...over,
  };
}

function clientPageMocks(notes: NoteListItem[], bookings: Booking[]) {
  api.clientGet.mockResolvedValue({ id: 'c1', rev: 1, name: 'Asha Verma', status: 'active', emergencyContact: {} });
  api.notesForClient.mockResolvedValue(notes);
  api.sessionsForClient.mockResolvedValue({ zone: 'Asia/Kolkata', bookings, unreadable: [] });
  api.clientHistory.mockResolvedValue([]);
  api.clientReasons.mockResolvedValue([]);
  api.templates.mockResolvedValue([{ id: 'soap', name: 'SOAP' }]);
  api.consentState.mockResolvedValue([{ purpose: 'summary-sharing', status: 'never', event: null }]);
  api.consentHistory.mockResolvedValue([]);
}

beforeEach(() => {
  vi.resetAllMocks();
  openClinical({ kind: 'client', clientId: 'c1' });
});

// --- ten years of notes ------------------------------------------------------------

describe('Client page with years of notes and sessions', () => {
  it('renders 5,000 notes and 5,000 sessions a page at a time; Show more reveals the next page and moves focus to it', async () => {
    const notes = Array.from({ length: 5000 }, (_, i) => listItem(i));
    const bookings = Array.from({ length: 5000 }, (_, i) => booking(i));
    clientPageMocks(notes, bookings);
    render(ClientPage, { clientId: 'c1' });
    await screen.findAllByTestId('note-row');
    await screen.findAllByTestId('session-row');

    // Structural bound: whatever the record's length, the DOM holds one page of each list.
    expect(screen.getAllByTestId('note-row')).toHaveLength(50);
    expect(screen.getAllByTestId('session-row')).toHaveLength(50);
    expect(document.querySelectorAll('li, tr').length).toBeLessThan(150);
    expect(screen.getAllByTestId('note-row')[0].textContent).toContain('Session 0');
    expect(screen.getByText('4,950 older not shown yet', { selector: 'section[aria-labelledby="notes-heading"] *' })).toBeTruthy();

    const more = screen.getByTestId('notes-more');
    expect(more.tagName).toBe('BUTTON'); // reachable with Tab, pressed with Enter or Space
    expect(more.textContent?.trim()).toBe('Show 50 more notes');
    await fireEvent.click(more);
    await eventually(() => expect(screen.getAllByTestId('note-row')).toHaveLength(100));
    const rows = screen.getAllByTestId('note-row');
    await eventually(() => expect(document.activeElement).toBe(rows[50]));
    expect(rows[50].textContent).toContain('Session 50');

    await fireEvent.click(screen.getByTestId('sessions-more'));
    await eventually(() => expect(screen.getAllByTestId('session-row')).toHaveLength(100));
    await eventually(() => expect(document.activeElement).toBe(screen.getAllByTestId('session-row')[50]));
  });

  it('sessions list: newest first as given, date, time, modality, status, fee and the linked note, which opens', async () => {
    const bookings = [
      booking(0, { id: 'b-new', status: 'confirmed', modality: 'online', feePaise: 200000, paymentStatus: 'pending' }),
      booking(30, { id: 'b-old' }),
    ];
    const notes = [listItem(30, { id: 'n-old', title: 'Intake', bookingId: 'b-old' })];
    clientPageMocks(notes, bookings);
    render(ClientPage, { clientId: 'c1' });
    const rows = await screen.findAllByTestId('session-row');
    expect(rows).toHaveLength(2);
    const cells = (r: HTMLElement) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim());
    expect(cells(rows[0])).toEqual(['Thu, 1 Jan, 2026 11:00–11:50', 'Online Confirmed', '₹2,000 Payment pending', 'No note']);
    expect(cells(rows[1])).toEqual(['Tue, 2 Dec, 2025 11:00–11:50', 'In person Completed', '₹1,500 Paid', 'Intake (signed)']);
    expect(screen.getByText('Latest first. Times in Asia/Kolkata.')).toBeTruthy();
    await fireEvent.click(within(rows[1]).getByRole('button', { name: 'Intake (signed)' }));
    expect(clinical.view).toEqual({ kind: 'note', clientId: 'c1', noteId: 'n-old' });
  });

  it('says honestly when there are no sessions', async () => {
    clientPageMocks([], []);
    render(ClientPage, { clientId: 'c1' });
    expect((await screen.findByTestId('sessions-empty')).textContent).toMatch(/No sessions booked with this client yet/);
    expect(screen.queryByTestId('sessions-more')).toBeNull();
  });

  it('opens at the Consents section when sent there to record a consent', async () => {
    clientPageMocks([], []);
    openClinical({ kind: 'client', clientId: 'c1', consent: 'summary-sharing' });
    render(ClientPage, { clientId: 'c1' });
    await eventually(() => expect(document.activeElement?.id).toBe('consents-heading'));
  });
});

// --- session summaries -------------------------------------------------------------

describe('Session summary', () => {
  it('derives from the note, edits, marks ready (saving first), and shares', async () => {
    api.summaryGet.mockRejectedValue('not_found: summary not found');
    api.summaryDerive.mockResolvedValue(summary());
    api.summarySave.mockImplementation(async (s) => summary({ ...s, rev: s.rev + 1, status: 'draft' }));
    api.summaryMarkReady.mockImplementation(async (s) => summary({ plan: 'Continue CBT weekly', rev: s.rev + 1, status: 'ready' }));
    api.summaryShare.mockImplementation(async (s) => summary({ plan: 'Continue CBT weekly', rev: s.rev + 1, status: 'shared' }));
    const onconsents = vi.fn();
    render(SummaryPanel, { noteId: 'n1', onconsents });

    await fireEvent.click(await screen.findByRole('button', { name: 'Prepare client summary' }));
    expect(api.summaryDerive).toHaveBeenCalledWith('n1');
    const plan = (await screen.findByLabelText('Plan')) as HTMLTextAreaElement;
    expect(plan.value).toBe('Continue CBT');
    expect((screen.getByLabelText('Homework') as HTMLTextAreaElement).value).toBe('Sleep diary');
    expect(screen.getByTestId('summary-status').textContent).toBe('Draft');
    expect(screen.queryByRole('button', { name: 'Share with client' })).toBeNull();

    await fireEvent.input(plan, { target: { value: 'Continue CBT weekly' } });
    await fireEvent.input(screen.getByLabelText('Next session'), { target: { value: 'Tuesday 11:00' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Mark ready' }));
    await eventually(() => expect(screen.getByTestId('summary-status').textContent).toBe('Ready to share'));
    expect(api.summarySave).toHaveBeenCalledWith({ noteId: 'n1', rev: 1, plan: 'Continue CBT weekly', homework: 'Sleep diary', nextSession: 'Tuesday 11:00' });
    expect(api.summaryMarkReady).toHaveBeenCalledWith({ noteId: 'n1', rev: 2 });

    await fireEvent.click(screen.getByRole('button', { name: 'Share with client' }));
    await eventually(() => expect(screen.getByTestId('summary-status').textContent).toBe('Shared'));
    expect(api.summaryShare).toHaveBeenCalledWith({ noteId: 'n1', rev: 3 });
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.getByText(/A shared summary cannot change/)).toBeTruthy();
  });

  it('a share refused for want of consent is explained calmly, with the way to the consents', async () => {
    api.summaryGet.mockResolvedValue(summary({ status: 'ready', rev: 4 }));
    api.summaryShare.mockRejectedValue('consent_required: consent required: summary-sharing');
    const onconsents = vi.fn();
    render(SummaryPanel, { noteId: 'n1', onconsents });
    await fireEvent.click(await screen.findByRole('button', { name: 'Share with client' }));
    const box = await screen.findByTestId('summary-consent-needed');
    expect(box.getAttribute('role')).toBe('status'); // not an alarm: nothing went wrong
    expect(box.classList.contains('error')).toBe(false);
    expect(box.textContent).toMatch(/not consented to receiving session summaries/);
    expect(box.textContent).not.toMatch(/consent_required/);
    expect(screen.getByTestId('summary-status').textContent).toBe('Ready to share');
    await fireEvent.click(within(box).getByRole('button', { name: 'Open the client’s consents' }));
    expect(onconsents).toHaveBeenCalledTimes(1);
  });

  it('other refusals are shown as errors without their code', async () => {
    api.summaryGet.mockResolvedValue(summary({ plan: '', homework: '' }));
    render(SummaryPanel, { noteId: 'n1', onconsents: () => {} });
    const ready = await screen.findByRole('button', { name: 'Mark ready' });
    expect(ready.hasAttribute('disabled')).toBe(true); // an empty summary cannot be marked ready
    api.summarySave.mockRejectedValue('conflict: the summary was changed elsewhere: reload it');
    await fireEvent.input(screen.getByLabelText('Plan'), { target: { value: 'x' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save summary' }));
    expect(await screen.findByText('The summary was changed elsewhere: reload it')).toBeTruthy();
  });
});

describe('NoteEditor and summaries', () => {
  function note(over: Partial<Note> = {}): Note {
    return {
      id: 'n1', rev: 3, clientId: 'c1', kind: 'progress', templateId: 'soap', templateVersion: 1, templateName: 'SOAP',
      title: 'Session 3', sessionDate: '2026-03-01', bookingId: '', status: 'signed', createdAt: '', updatedAt: '',
      signedAt: '2026-03-01T11:00:00Z', signedBy: 'Dr Mehta', signedHash: 'ab', signatureValid: true, addenda: [],
      sections: [{ key: 'plan', label: 'Plan', prompt: '', text: 'Continue CBT' }], ...over,
    };
  }

  it('a progress note offers the summary; the consent link opens the client at Consents', async () => {
    api.noteGet.mockResolvedValue(note());
    api.summaryGet.mockResolvedValue(summary({ status: 'ready' }));
    api.summaryShare.mockRejectedValue('consent_required: consent required: summary-sharing');
    render(NoteEditor, { noteId: 'n1', clientId: 'c1' });
    await fireEvent.click(await screen.findByRole('button', { name: 'Share with client' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Open the client’s consents' }));
    expect(clinical.view).toEqual({ kind: 'client', clientId: 'c1', consent: 'summary-sharing' });
  });

  it('a private process note has no client summary', async () => {
    api.noteGet.mockResolvedValue(note({ kind: 'psychotherapy' }));
    render(NoteEditor, { noteId: 'n1', clientId: 'c1' });
    await screen.findByTestId('note-editor');
    expect(screen.queryByTestId('summary-panel')).toBeNull();
    expect(api.summaryGet).not.toHaveBeenCalled();
  });
});
