import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import { strengthFixture } from './fixtures';
import ExportWizard from '../src/components/ExportWizard.svelte';
import ImportDialog from '../src/components/ImportDialog.svelte';
import Exports from '../src/screens/Exports.svelte';

vi.mock('../src/api', () => import('./api-mock'));

type Handler = (payload: unknown) => void;

let handlers: Record<string, Handler[]>;
const emit = (name: string, payload: unknown) => (handlers[name] ?? []).forEach((h) => h(payload));

beforeEach(() => {
  vi.resetAllMocks();
  handlers = {};
  api.onEvent.mockImplementation((name: string, h: Handler) => {
    (handlers[name] ??= []).push(h);
    return () => {
      handlers[name] = handlers[name].filter((x) => x !== h);
    };
  });
  api.clientsList.mockResolvedValue({ clients: [{ id: 'c1', rev: 1, name: 'Asha Rao' }], unreadable: [] });
  api.exportStart.mockResolvedValue(undefined);
  api.exportCancel.mockResolvedValue(undefined);
  api.exportsList.mockResolvedValue([]);
  api.checkPassphrase.mockResolvedValue(strengthFixture());
});

async function startRunning() {
  render(ExportWizard, { onclose: () => {} });
  await fireEvent.click(screen.getByLabelText('The whole practice'));
  const path = screen.getByTestId('export-path') as HTMLInputElement;
  await fireEvent.input(path, { target: { value: '/home/me/practice.zip' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
  await eventually(() => expect(api.exportStart).toHaveBeenCalledTimes(1));
  return (await screen.findByLabelText('Exporting records')) as HTMLProgressElement;
}

describe('Export wizard', () => {
  it('does not start without a scope or a destination', async () => {
    render(ExportWizard, { onclose: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    expect(await screen.findByText('Choose what to export.')).toBeTruthy();
    expect(api.exportStart).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByLabelText('One client'));
    expect(await screen.findByText('Choose a client.')).toBeTruthy();
    await eventually(() => expect(screen.getByRole('option', { name: 'Asha Rao' })).toBeTruthy());
    await fireEvent.change(screen.getByTestId('export-client'), { target: { value: 'c1' } });

    const path = screen.getByTestId('export-path') as HTMLInputElement;
    await fireEvent.input(path, { target: { value: '' } });
    expect(await screen.findByText('Give the file to save to.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start export' }).hasAttribute('disabled')).toBe(true);
    expect(api.exportStart).not.toHaveBeenCalled();

    await fireEvent.input(path, { target: { value: '/home/me/asha.zip' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    await eventually(() => expect(api.exportStart).toHaveBeenCalledTimes(1));
    expect(api.exportStart.mock.calls[0][0]).toMatchObject({
      clientId: 'c1', all: false, path: '/home/me/asha.zip', includePsychotherapy: false, encrypt: 'none',
    });
  });

  it('leaves psychotherapy notes unticked by default', async () => {
    render(ExportWizard, { onclose: () => {} });
    const box = screen.getByLabelText('Include psychotherapy notes') as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    expect(await screen.findByText('Psychotherapy notes will be in this export.')).toBeTruthy();
  });

  it('needs the passphrase twice', async () => {
    render(ExportWizard, { onclose: () => {} });
    await fireEvent.click(screen.getByLabelText('The whole practice'));
    await fireEvent.click(screen.getByLabelText('With a passphrase'));
    await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: 'lantern meadow quietly' } });
    await fireEvent.input(screen.getByLabelText('Passphrase again'), { target: { value: 'lantern meadow' } });
    await fireEvent.input(screen.getByTestId('export-path'), { target: { value: '/home/me/p.zip.age' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start export' }));
    expect(await screen.findByText('The two passphrases do not match.')).toBeTruthy();
    expect(api.exportStart).not.toHaveBeenCalled();
  });

  it('moves the progress bar with export:progress and shows the path when done', async () => {
    const bar = await startRunning();
    emit('export:progress', { done: 3, total: 12 });
    await eventually(() => expect(screen.getByText('3 of 12 (25%)')).toBeTruthy());
    expect(bar.value).toBe(3);
    expect(bar.max).toBe(12);
    emit('export:done', {
      error: '', path: '/home/me/practice.zip',
      withheld: [
        { kind: 'psychotherapy_note', id: 'n1', clientId: 'c1', date: '2026-03-05', reason: 'excluded_by_choice', reviewable: true },
        { kind: 'psychotherapy_note', id: 'n2', clientId: 'c1', date: '2026-04-02', reason: 'excluded_by_choice', reviewable: true },
        { kind: 'profile', id: '', clientId: '', date: '', reason: 'not_recorded', reviewable: false },
      ],
    });
    expect(await screen.findByText('/home/me/practice.zip')).toBeTruthy();
    const list = await screen.findByTestId('export-withheld');
    const groups = screen.getAllByTestId('withheld-group');
    expect(groups.map((g) => g.dataset.kind)).toEqual(['psychotherapy_note', 'profile']);
    expect(groups[0].textContent).toMatch(/Private process notes\s\(2\)/);
    expect(groups[0].textContent).toMatch(/Mental Health\s+Review Board/);
    expect(groups[1].textContent).not.toMatch(/Review Board/);
    // Names come from the client list the app already shows; the event carries ids only.
    await eventually(() => expect(screen.getAllByTestId('withheld-item')[0].textContent).toBe('Asha Rao · session of Thursday, 5 March 2026'));
    expect(list.textContent).toMatch(/Not recorded/);
  });

  it('says plainly when nothing was withheld', async () => {
    await startRunning();
    emit('export:done', { error: '', path: '/home/me/practice.zip', withheld: [] });
    expect(await screen.findByTestId('export-nothing-withheld')).toBeTruthy();
    expect(screen.queryByTestId('export-withheld')).toBeNull();
  });

  it('caps each group and says how many more', async () => {
    await startRunning();
    const withheld = Array.from({ length: 45 }, (_, i) => ({
      kind: 'note', id: `n${i}`, clientId: '', date: '', reason: 'integrity_failed', reviewable: false,
    }));
    emit('export:done', { error: '', path: '/home/me/practice.zip', withheld });
    await screen.findByTestId('export-withheld');
    expect(screen.getAllByTestId('withheld-item')).toHaveLength(20);
    expect(screen.getByText('…and 25 more of the same kind.')).toBeTruthy();
  });

  it('Choose file… fills the path from the save dialog; typing stays possible', async () => {
    api.exportChooseFile.mockResolvedValueOnce('/home/me/Documents/asha.zip.age').mockResolvedValueOnce('')
      .mockRejectedValueOnce('invalid: no file dialog here: type the full path');
    render(ExportWizard, { onclose: () => {} });
    await fireEvent.click(screen.getByLabelText('The whole practice'));
    await fireEvent.click(screen.getByLabelText('With a passphrase'));
    const path = screen.getByTestId('export-path') as HTMLInputElement;
    await eventually(() => expect(path.value).toMatch(/\.zip\.age$/));
    const suggested = path.value;
    await fireEvent.click(screen.getByRole('button', { name: 'Choose file…' }));
    await eventually(() => expect(path.value).toBe('/home/me/Documents/asha.zip.age'));
    expect(api.exportChooseFile).toHaveBeenCalledWith({ suggestedName: suggested, encrypted: true });
    // Cancelled: the path stays.
    await fireEvent.click(screen.getByRole('button', { name: 'Choose file…' }));
    await eventually(() => expect(api.exportChooseFile).toHaveBeenCalledTimes(2));
    expect(path.value).toBe('/home/me/Documents/asha.zip.age');
    // No dialog on this machine: said so, and the typed path still works.
    await fireEvent.click(screen.getByRole('button', { name: 'Choose file…' }));
    expect(await screen.findByText('No file dialog here: type the full path')).toBeTruthy();
    await fireEvent.input(path, { target: { value: '/tmp/typed.zip.age' } });
    expect(path.value).toBe('/tmp/typed.zip.age');
  });

  it('cancel calls ExportCancel and reports the cancellation', async () => {
    await startRunning();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.exportCancel).toHaveBeenCalledTimes(1);
    emit('export:done', { error: 'cancelled', path: '' });
    expect(await screen.findByText(/Export cancelled/)).toBeTruthy();
  });

  it('shows a failure without its code', async () => {
    await startRunning();
    emit('export:done', { error: 'invalid: the file already exists', path: '' });
    expect(await screen.findByText('The file already exists')).toBeTruthy();
  });
});

describe('Import', () => {
  it('previews what will be added and lists refusals with reasons', async () => {
    api.importPreview.mockResolvedValue({
      bundleId: 'b1', scope: 'practice', exportedAt: '2026-11-01T10:00:00Z', appVersion: '0.9.0', encrypted: false,
      clients: [
        { id: 'c1', name: 'Asha Rao', status: 'new', reason: '', notes: 4, addenda: 1 },
        { id: 'c2', name: 'Ravi K', status: 'under_18', reason: 'the client is under 18', notes: 2, addenda: 0 },
      ],
      notes: 6, addenda: 1, signed: 5,
      withheld: [{ what: 'psychotherapy notes', count: 2, reason: 'not included by the exporter', reviewable: true }],
      imported: false, notice: '',
    });
    api.importRun.mockResolvedValue({
      bundleId: 'b1', scope: 'practice', exportedAt: '', appVersion: '', encrypted: false,
      clients: [{ id: 'c1', name: 'Asha Rao', status: 'new', reason: '', notes: 4, addenda: 1 }],
      notes: 4, addenda: 1, signed: 4, withheld: [], imported: true, notice: '',
    });
    render(ImportDialog, { onclose: () => {} });
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/home/me/b.zip' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Check bundle' }));
    await eventually(() => expect(api.importPreview).toHaveBeenCalledWith({ path: '/home/me/b.zip', passphrase: '', identity: '' }));
    expect(await screen.findByText('Refused: under 18: the client is under 18')).toBeTruthy();
    expect(screen.getByText('Will be added')).toBeTruthy();
    expect(screen.getByText(/Mental Health Review Board/)).toBeTruthy();
    expect(api.importRun).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Import 1 client' }));
    await eventually(() => expect(api.importRun).toHaveBeenCalledTimes(1));
    expect(await screen.findByText(/Imported 1 client/)).toBeTruthy();
  });

  it('asks for the secret of an encrypted bundle and shows errors', async () => {
    api.importPreview.mockRejectedValue('integrity: the bundle does not match its manifest');
    render(ImportDialog, { onclose: () => {} });
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/home/me/b.zip.age' } });
    await fireEvent.input(await screen.findByTestId('import-secret'), { target: { value: 'AGE-SECRET-KEY-1ABC' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Check bundle' }));
    expect(await screen.findByText('The bundle does not match its manifest')).toBeTruthy();
    expect(screen.getByTestId('import-secret')).toBeTruthy();
    expect(api.importPreview).toHaveBeenCalledWith({ path: '/home/me/b.zip.age', passphrase: '', identity: 'AGE-SECRET-KEY-1ABC' });
  });
});

describe('Exports screen', () => {
  it('shows an honest empty state', async () => {
    render(Exports);
    expect(await screen.findByText('No exports or imports yet')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export records…' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Import…' })).toBeTruthy();
  });

  it('lists past exports with a short SHA-256', async () => {
    api.exportsList.mockResolvedValue([{
      id: 'e1', kind: 'export', at: '2026-11-20T09:30:00Z', scope: 'client', clientId: 'c1', encrypted: true,
      recipientKind: 'passphrase', includePsychotherapy: false, fileName: 'asha.zip.age',
      sha256: 'abcdef0123456789abcdef', size: 1000, clients: 1, notes: 4, addenda: 1, withheld: 2,
    }]);
    render(Exports);
    expect(await screen.findByText('abcdef012345')).toBeTruthy();
    expect(screen.getByText('Encrypted with a passphrase')).toBeTruthy();
    expect(screen.getByText('2 items withheld')).toBeTruthy();
  });
});

describe('Export wizard destination', () => {
  it('suggests a file name and keeps its extension in step with encryption', async () => {
    render(ExportWizard, { onclose: () => {} });
    await fireEvent.click(screen.getByLabelText('The whole practice'));
    const path = screen.getByTestId('export-path') as HTMLInputElement;
    await eventually(() => expect(path.value).toMatch(/^calmally-practice-export-.*\.zip$/));
    await fireEvent.click(screen.getByLabelText('With a passphrase'));
    await eventually(() => expect(path.value).toMatch(/\.zip\.age$/));
    await fireEvent.click(screen.getByLabelText('None (a plain zip file)'));
    await eventually(() => expect(path.value).toMatch(/\.zip$/));
  });
});

describe('Import: Choose file…', () => {
  it('fills the path from the open dialog, then the preview uses it', async () => {
    api.importChooseFile.mockResolvedValue('/home/me/Downloads/bundle.zip');
    api.importPreview.mockResolvedValue({
      bundleId: 'b1', scope: 'client', exportedAt: '', appVersion: '1', encrypted: false,
      clients: [{ id: 'c1', name: 'Asha Rao', status: 'exists', reason: '', notes: 1, addenda: 0 }],
      notes: 1, addenda: 0, signed: 1, withheld: [], imported: false, notice: '',
    });
    render(ImportDialog, { onclose: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose file…' }));
    const path = screen.getByTestId('import-path') as HTMLInputElement;
    await eventually(() => expect(path.value).toBe('/home/me/Downloads/bundle.zip'));
    await fireEvent.click(screen.getByRole('button', { name: 'Check bundle' }));
    expect(await screen.findByText('Already here: not added')).toBeTruthy();
    expect(api.importPreview).toHaveBeenCalledWith({ path: '/home/me/Downloads/bundle.zip', passphrase: '', identity: '' });
    expect(screen.getByRole('button', { name: 'Import 0 clients' }).hasAttribute('disabled')).toBe(true);
  });
});

describe('Import of an encrypted bundle not named .age', () => {
  it('asks for the secret after the Go side says it is encrypted', async () => {
    api.importPreview.mockRejectedValue('invalid: the bundle is encrypted: give its passphrase or identity');
    render(ImportDialog, { onclose: () => {} });
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/home/me/b.bin' } });
    expect(screen.queryByTestId('import-secret')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Check bundle' }));
    expect(await screen.findByTestId('import-secret')).toBeTruthy();
  });
});
