import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import Clients from '../src/screens/Clients.svelte';
import NoteEditor from '../src/screens/NoteEditor.svelte';
import { openClinical } from '../src/lib/clinical.svelte';
import { sync } from '../src/lib/sync.svelte';
import type { Note } from '../src/api/clinical';

vi.mock('../src/api', () => import('./api-mock'));

function draftNote(over: Partial<Note> = {}): Note {
  return {
    id: 'n1', rev: 2, clientId: 'c1', kind: 'progress', templateId: 'soap', templateVersion: 1, templateName: 'SOAP',
    title: 'Session 3', sessionDate: '2026-03-01', bookingId: '', status: 'draft', createdAt: '', updatedAt: '',
    signedAt: '', signedBy: '', signedHash: '', signatureValid: false, addenda: [],
    sections: [
      { key: 'subjective', label: 'Subjective', prompt: 'What the client reports', text: 'Sleeping better' },
      { key: 'objective', label: 'Objective', prompt: '', text: '' },
      { key: 'assessment', label: 'Assessment', prompt: '', text: 'Mood improving' },
      { key: 'plan', label: 'Plan', prompt: '', text: 'Continue CBT' },
    ],
    ...over,
  };
}

describe('Clients: add client', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    openClinical({ kind: 'list' });
    api.clientsList.mockResolvedValue({ clients: [], unreadable: [] });
  });

  it('shows an honest empty state', async () => {
    render(Clients);
    expect(await screen.findByText('No clients yet — add one')).toBeTruthy();
  });

  it('reloads the list when a sync round lands (an accepted match brings a client)', async () => {
    render(Clients);
    await screen.findByText('No clients yet — add one');
    const calls = api.clientsList.mock.calls.length;
    api.clientsList.mockResolvedValue({
      clients: [{ id: 'c9', rev: 1, name: 'Ananya Rao', preferredName: 'Anu', dateOfBirth: '1997-07-18', status: 'active',
        updatedAt: '', lastInteractionAt: '' }],
      unreadable: [],
    });
    sync.rounds++;
    expect(await screen.findByText('Ananya Rao')).toBeTruthy();
    expect(api.clientsList.mock.calls.length).toBe(calls + 1);
  });

  it('shows the Go side’s under-18 refusal inline under the date of birth, without the code', async () => {
    api.clientCreate.mockRejectedValue('invalid: under 18: CalmAlly serves adults only');
    render(Clients);
    await fireEvent.click((await screen.findAllByRole('button', { name: 'Add client' }))[0]);
    await fireEvent.input(screen.getByLabelText(/Full name/), { target: { value: 'Asha Rao' } });
    await fireEvent.input(screen.getByLabelText(/Date of birth/), { target: { value: '2015-04-02' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save client' }));
    const err = await screen.findByTestId('client-field-error');
    expect(err.textContent).toBe('Under 18: CalmAlly serves adults only');
    const dob = screen.getByLabelText(/Date of birth/);
    expect(dob.getAttribute('aria-invalid')).toBe('true');
    expect(dob.getAttribute('aria-describedby')).toContain(err.id);
    expect(api.clientCreate).toHaveBeenCalledWith(expect.objectContaining({ name: 'Asha Rao', dateOfBirth: '2015-04-02' }));
  });
});

describe('NoteEditor', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.summaryGet.mockRejectedValue('not_found: summary not found');
  });

  it('autosave indicator goes Saving… → Saved; a conflict tells the user to reload', async () => {
    api.noteGet.mockResolvedValue(draftNote());
    api.noteSaveDraft.mockResolvedValueOnce({ rev: 3, savedAt: new Date().toISOString() });
    render(NoteEditor, { noteId: 'n1', clientId: 'c1', delay: 50 });
    const plan = (await screen.findByLabelText('Plan')) as HTMLTextAreaElement;
    await fireEvent.input(plan, { target: { value: 'Continue CBT; sleep diary' } });
    await eventually(() => expect(screen.getByTestId('autosave-state').textContent).toBe('Saved just now'));
    expect(api.noteSaveDraft).toHaveBeenCalledWith(expect.objectContaining({ id: 'n1', rev: 2, sections: expect.objectContaining({ plan: 'Continue CBT; sleep diary' }) }));

    api.noteSaveDraft.mockRejectedValue('conflict: the note was changed elsewhere: reload it and try again');
    await fireEvent.input(plan, { target: { value: 'more' } });
    await fireEvent.blur(plan);
    expect(await screen.findByTestId('autosave-conflict')).toBeTruthy();
    expect(api.noteSaveDraft).toHaveBeenLastCalledWith(expect.objectContaining({ rev: 3 }));
    expect(screen.getByRole('button', { name: 'Reload note' })).toBeTruthy();
    const calls = api.noteSaveDraft.mock.calls.length;
    await fireEvent.input(plan, { target: { value: 'even more' } });
    await new Promise((r) => setTimeout(r, 150));
    expect(api.noteSaveDraft.mock.calls.length).toBe(calls);
  });

  it('the sign dialog lists exactly what will be locked, then the note is read-only', async () => {
    api.noteGet.mockResolvedValue(draftNote());
    api.noteSign.mockResolvedValue(draftNote({
      status: 'signed', rev: 3, signedBy: 'Dr Mehta', signedAt: '2026-03-01T11:00:00Z',
      signedHash: 'abcdef0123456789abcdef', signatureValid: true,
    }));
    render(NoteEditor, { noteId: 'n1', clientId: 'c1', delay: 50 });
    await fireEvent.click(await screen.findByRole('button', { name: 'Sign note…' }));
    const dialog = await screen.findByRole('dialog');
    expect(screen.getByTestId('sign-title-value').textContent).toBe('Session 3');
    expect(screen.getByTestId('sign-date-value').textContent).toBe('2026-03-01');
    const text = dialog.textContent ?? '';
    for (const s of ['Subjective', 'Sleeping better', 'Objective', '(empty)', 'Assessment', 'Mood improving', 'Plan', 'Continue CBT']) {
      expect(text).toContain(s);
    }
    expect(text).toContain('Signed notes cannot change');
    expect(text).toContain('addendum');
    await fireEvent.click(screen.getByRole('button', { name: 'Sign and lock' }));
    expect(await screen.findByTestId('signature-valid')).toBeTruthy();
    expect(api.noteSign).toHaveBeenCalledWith({ id: 'n1', rev: 2 });
    expect(screen.queryByRole('textbox', { name: 'Plan' })).toBeNull();
    expect(screen.getByTestId('signature').textContent).toContain('Dr Mehta');
    expect(screen.getByTestId('signature').textContent).toContain('abcdef012345…');
  });
});
