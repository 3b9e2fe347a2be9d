import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import Backups from '../src/screens/settings/Backups.svelte';
import Retention from '../src/screens/settings/Retention.svelte';
import BackupWarning from '../src/components/BackupWarning.svelte';
import { removedSummary, todayInIndia } from '../src/screens/settings/lifecycleText';

vi.mock('../src/api', () => import('./api-mock'));
vi.mock('../src/api/lifecycle', () => ({
  backupHealth: vi.fn(),
  backupSettingsGet: vi.fn(),
  backupSettingsSet: vi.fn(),
  backupPickFolder: vi.fn(),
  backupNow: vi.fn(),
  backupsList: vi.fn(),
  backupUploadNow: vi.fn(),
  backupVerify: vi.fn(),
  retentionPolicy: vi.fn(),
  retentionPlan: vi.fn(),
  retentionRunNow: vi.fn(),
  retentionRuns: vi.fn(),
  legalHolds: vi.fn(),
  legalHoldPlace: vi.fn(),
  legalHoldRelease: vi.fn(),
}));
import * as lc from '../src/api/lifecycle';
const m = vi.mocked(lc);

const settings = (over: Partial<lc.BackupSettings> = {}): lc.BackupSettings => ({
  folder: '', schedule: 'daily', keepDaily: 7, keepWeekly: 4, keepMonthly: 12, rev: 0, atTime: '', ...over,
});
const health = (over: Partial<lc.BackupHealth> = {}): lc.BackupHealth => ({
  lastBackupAt: '', lastVerifiedAt: '', stale: false, integrityState: 'ok', integrityMessage: '', integrityProblems: 0,
  copyEnabled: false, copyUploadedAt: '', copyBackupId: '', copyFailedAt: '', copyErrorCode: '', ...over,
});
const record = (over: Partial<lc.BackupRecord> = {}): lc.BackupRecord => ({
  id: 'b1', at: '2026-03-01T04:00:00Z', trigger: 'manual', result: 'ok', errorCode: '', path: '/backups/one.cbk',
  fileName: 'one.cbk', sizeBytes: 2_500_000, verifiedAt: '2026-03-01T04:00:05Z', verifyResult: 'ok', removedAt: '',
  present: true, damaged: false, ...over,
});

beforeEach(() => {
  vi.resetAllMocks();
  api.clientsList.mockResolvedValue({
    clients: [{ id: 'c1', rev: 1, name: 'Asha Rao' }, { id: 'c2', rev: 1, name: 'Kiran Das' }],
    unreadable: [],
  });
});

describe('Settings → Backups', () => {
  beforeEach(() => {
    m.backupSettingsGet.mockResolvedValue(settings());
    m.backupHealth.mockResolvedValue(health({ stale: true }));
    m.backupsList.mockResolvedValue([]);
  });

  it('asks for a folder first, then saves the schedule, time and keep policy', async () => {
    render(Backups);
    const now = await screen.findByRole('button', { name: 'Back up now' });
    expect(now.hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Choose and save a backup folder first.')).toBeTruthy();
    expect(screen.getByTestId('backup-stale')).toBeTruthy();

    m.backupSettingsSet.mockImplementation(async (s) => ({ ...s, rev: 1 }));
    await fireEvent.input(screen.getByLabelText('Backup folder'), { target: { value: '  /media/usb/backups ' } });
    await fireEvent.input(screen.getByLabelText('Time of day'), { target: { value: '13:15' } });
    await fireEvent.input(screen.getByLabelText('Weekly backups'), { target: { value: '8' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save backup settings' }));
    await eventually(() => expect(m.backupSettingsSet).toHaveBeenCalledTimes(1));
    expect(m.backupSettingsSet.mock.calls[0][0]).toMatchObject({ folder: '/media/usb/backups', atTime: '13:15', keepWeekly: 8, schedule: 'daily' });
    expect(await screen.findByText('Backup settings saved.')).toBeTruthy();
    expect(screen.getByTestId('backup-schedule-text').textContent).toContain('at 1:15 pm (India time)');
    expect(screen.getByRole('button', { name: 'Back up now' }).hasAttribute('disabled')).toBe(false);
  });

  it('refuses a keep policy out of range without calling Go', async () => {
    m.backupSettingsGet.mockResolvedValue(settings({ folder: '/b', rev: 2 }));
    render(Backups);
    await fireEvent.input(await screen.findByLabelText('Daily backups'), { target: { value: '0' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save backup settings' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Keep 1–366 daily');
    expect(m.backupSettingsSet).not.toHaveBeenCalled();
  });

  it('shows progress while backing up, then the verified result and the refreshed log', async () => {
    m.backupSettingsGet.mockResolvedValue(settings({ folder: '/b', rev: 2 }));
    let finish!: (r: lc.BackupResult) => void;
    m.backupNow.mockReturnValue(new Promise((res) => (finish = res)));
    render(Backups);
    await fireEvent.click(await screen.findByRole('button', { name: 'Back up now' }));
    expect(await screen.findByTestId('backup-progress')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Back up now' })).toBeNull();

    m.backupsList.mockResolvedValue([record()]);
    m.backupHealth.mockResolvedValue(health({ lastBackupAt: '2026-03-01T04:00:00Z', lastVerifiedAt: '2026-03-01T04:00:05Z' }));
    finish({ id: 'b1', path: '/b/one.cbk', at: '2026-03-01T04:00:00Z', sizeBytes: 2_500_000, sha256: 'x', verified: true, removed: ['old.cbk'],
      copy: { state: 'not_enrolled', backupId: 'b1', uploadedAt: '', attempts: 0, errorCode: '', message: '' } });
    const done = await screen.findByTestId('backup-done');
    expect(done.textContent).toContain('Backup written and verified: /b/one.cbk (2.4 MB)');
    expect(done.textContent).toContain('old.cbk');
    await eventually(() => expect(screen.getByTestId('backup-verified')).toBeTruthy());
    expect(screen.queryByTestId('backup-stale')).toBeNull();
    expect(screen.queryByTestId('backup-progress')).toBeNull();
  });

  it('reports a failed backup with its message, without the code', async () => {
    m.backupSettingsGet.mockResolvedValue(settings({ folder: '/b', rev: 2 }));
    m.backupNow.mockRejectedValue('invalid: the backup could not be written to the chosen place (is the disk full, missing or read-only?)');
    render(Backups);
    await fireEvent.click(await screen.findByRole('button', { name: 'Back up now' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The backup did not finish. The backup could not be written to the chosen place (is the disk full, missing or read-only?)',
    );
  });

  it('verifies a listed backup and says what it found', async () => {
    m.backupSettingsGet.mockResolvedValue(settings({ folder: '/b', rev: 2 }));
    m.backupsList.mockResolvedValue([record(), record({ id: 'b0', fileName: 'gone.cbk', present: false, removedAt: '2026-03-02T00:00:00Z' })]);
    m.backupVerify.mockResolvedValue({ id: 'b1', createdAt: '', schemaVersion: 14, sizeBytes: 1, sealedFieldsOpened: 42 });
    render(Backups);
    const rows = await screen.findAllByTestId('backup-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[1]).queryByRole('button')).toBeNull(); // removed by rotation: nothing to verify
    await fireEvent.click(within(rows[0]).getByRole('button', { name: /^Verify the backup of/ }));
    expect(m.backupVerify).toHaveBeenCalledWith('/backups/one.cbk');
    expect((await screen.findByTestId('verify-message')).textContent).toContain('42 encrypted fields opened');

    m.backupVerify.mockRejectedValue('integrity: the backup file was changed or damaged, or belongs to another vault; it was not used');
    await fireEvent.click(within(screen.getAllByTestId('backup-row')[0]).getByRole('button', { name: /^Verify/ }));
    await eventually(() => expect(screen.getByTestId('verify-message').textContent).toContain('one.cbk failed verification. The backup file was changed'));
  });

  it('shows the copy in India, uploads the newest backup on request, and a failed upload without failing the backup', async () => {
    m.backupSettingsGet.mockResolvedValue(settings({ folder: '/b', rev: 2 }));
    m.backupsList.mockResolvedValue([record()]);
    m.backupHealth.mockResolvedValue(health({ copyEnabled: true, copyUploadedAt: '2026-03-01T04:00:09Z', copyBackupId: 'b0',
      copyFailedAt: '2026-03-02T04:00:09Z', copyErrorCode: 'unavailable' }));
    render(Backups);
    const line = await screen.findByTestId('backup-copy');
    expect(line.textContent).toContain('Copy in India: uploaded');
    expect(screen.getByTestId('backup-copy-failed').textContent).toContain('failed (unavailable)');

    m.backupUploadNow.mockResolvedValue({ state: 'uploaded', backupId: 'b1', uploadedAt: '2026-03-02T05:00:00Z', attempts: 1, errorCode: '', message: '' });
    m.backupHealth.mockResolvedValue(health({ copyEnabled: true, copyUploadedAt: '2026-03-02T05:00:00Z', copyBackupId: 'b1' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Upload now' }));
    expect((await screen.findByTestId('upload-message')).textContent).toContain('Copy in India: uploaded');
    await eventually(() => expect(screen.queryByTestId('backup-copy-failed')).toBeNull());

    m.backupNow.mockResolvedValue({ id: 'b2', path: '/b/two.cbk', at: '2026-03-03T04:00:00Z', sizeBytes: 10, sha256: 'y', verified: true,
      removed: [], copy: { state: 'failed', backupId: 'b2', uploadedAt: '', attempts: 5, errorCode: 'unavailable',
        message: 'the backend could not be reached' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Back up now' }));
    expect((await screen.findByTestId('backup-done')).textContent).toContain('Backup written and verified');
    expect(screen.getByTestId('backup-copy-result').textContent).toContain('not uploaded: the backend could not be reached');
  });

  it('has no copy line when the profile is not connected', async () => {
    m.backupSettingsGet.mockResolvedValue(settings({ folder: '/b', rev: 2 }));
    m.backupHealth.mockResolvedValue(health());
    m.backupsList.mockResolvedValue([record()]);
    render(Backups);
    await screen.findByTestId('backup-status');
    expect(screen.queryByTestId('backup-copy')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Upload now' })).toBeNull();
  });

  it('explains how to restore on a fresh data folder', async () => {
    render(Backups);
    expect(await screen.findByText(/never writes over a profile that is in use/)).toBeTruthy();
    expect(screen.getByText(/calmally --data-dir NEW-FOLDER restore --from BACKUP.cbk/)).toBeTruthy();
  });
});

describe('Backup warning', () => {
  it('shows only when no verified backup exists for 7 days, and opens Backups', async () => {
    m.backupHealth.mockResolvedValue(health({ stale: true, lastVerifiedAt: '2026-02-01T00:00:00Z' }));
    const onopen = vi.fn();
    render(BackupWarning, { onopen });
    const w = await screen.findByTestId('backup-warning');
    expect(w.textContent).toContain('No verified backup in the last 7 days.');
    await fireEvent.click(within(w).getByRole('button', { name: 'Go to Backups' }));
    expect(onopen).toHaveBeenCalledTimes(1);
  });

  it('says "yet" when there never was one, and stays hidden when fresh', async () => {
    m.backupHealth.mockResolvedValue(health({ stale: true }));
    const first = render(BackupWarning, { onopen: () => {} });
    expect((await screen.findByTestId('backup-warning')).textContent).toContain('No verified backup yet.');
    first.unmount();
    m.backupHealth.mockResolvedValue(health({ stale: false, lastVerifiedAt: '2026-03-01T00:00:00Z' }));
    render(BackupWarning, { onopen: () => {} });
    await eventually(() => expect(m.backupHealth).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId('backup-warning')).toBeNull();
  });

  it('looks again and clears once a backup is verified', async () => {
    m.backupHealth.mockResolvedValue(health({ stale: true }));
    render(BackupWarning, { onopen: () => {}, every: 30 });
    await screen.findByTestId('backup-warning');
    m.backupHealth.mockResolvedValue(health({ stale: false, lastVerifiedAt: '2026-03-01T00:00:00Z' }));
    await eventually(() => expect(screen.queryByTestId('backup-warning')).toBeNull());
  });
});

const policy: lc.RetentionPolicy = {
  healthYears: 7, contactDays: 30, usageYears: 2,
  holdReasons: ['litigation', 'dispute'], releaseReasons: ['resolved', 'placed_in_error'],
};
const item = (over: Partial<lc.RetentionItem>): lc.RetentionItem => ({
  category: 'health', clientId: '', ref: '', rule: 'health_7y_after_last_interaction', due: '2033-03-01T00:00:00Z',
  basis: '2026-03-01T00:00:00Z', outcome: 'would_delete', hold: '', error: '', removed: [], ...over,
});
const report = (over: Partial<lc.RetentionReport> = {}): lc.RetentionReport => ({
  id: '', asOf: '2033-03-02T18:29:59Z', ranAt: '2026-03-01T00:00:00Z', dryRun: true, trigger: '', deleted: 0, held: 0,
  failed: 0, vacuumed: false, items: [], holds: [], ...over,
});

describe('Settings → Retention', () => {
  beforeEach(() => {
    m.retentionPolicy.mockResolvedValue(policy);
    m.legalHolds.mockResolvedValue([]);
    m.retentionRuns.mockResolvedValue([]);
  });

  it('states the policy in plain words', async () => {
    render(Retention);
    const text = (await screen.findByTestId('retention-policy')).textContent?.replace(/\s+/g, ' ');
    expect(text).toContain("deleted 7 years after the client's last interaction");
    expect(text).toContain('deleted 30 days after a client is discharged');
    expect(text).toContain('deleted after 2 years');
    expect(screen.getByTestId('retention-last-run').textContent).toContain('No run yet.');
  });

  it('shows the dry-run report for a chosen date: what, why, holds', async () => {
    m.retentionPlan.mockResolvedValue(report({
      held: 1,
      items: [
        item({ clientId: 'c1' }),
        item({ clientId: 'c2', outcome: 'held', hold: 'legal_hold' }),
        item({ category: 'contact', clientId: 'gone', rule: 'contact_30d_after_discharge' }),
        item({ category: 'usage', ref: 'calmally.log.2', rule: 'usage_log_2y', basis: '' }),
        item({ category: 'usage', ref: '120', rule: 'usage_audit_kept', outcome: 'kept', hold: 'chain_integrity', basis: '' }),
      ],
      holds: [{ id: 'h1', clientId: 'c2', reason: 'litigation', placedAt: '2026-03-01T00:00:00Z', placedBy: 'p', releasedAt: '', releasedBy: '', releaseReason: '' }],
    }));
    render(Retention);
    const date = (await screen.findByLabelText('On this date')) as HTMLInputElement;
    expect(date.value).toBe(todayInIndia());
    await fireEvent.input(date, { target: { value: '2033-03-02' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Show report' }));
    expect(m.retentionPlan).toHaveBeenCalledWith('2033-03-02');
    const rep = await screen.findByTestId('retention-report');
    expect(rep.textContent).toContain('3 would be deleted, 1 held.');
    const rows = within(rep).getAllByTestId('retention-item');
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^Whole record of Asha Rao7 years after the last interaction \(from .*2026\).*Would be deleted$/),
      expect.stringMatching(/^Whole record of Kiran Das.*Held: Legal hold$/),
      expect.stringMatching(/^Contact details of Client gone… \(no longer on record\)30 days after discharge/),
      expect.stringMatching(/^Log file calmally.log.2Log file older than 2 years.*Would be deleted$/),
    ]);
    expect(rep.textContent).toContain('Audit trail (120 entries, ids only): kept for its tamper-evident chain.');
    expect(rep.textContent).toContain('Legal holds in place: Kiran Das (Litigation (a court case)).');
  });

  it('places a legal hold with a reason, and releases it with another', async () => {
    render(Retention);
    await screen.findByTestId('legal-holds-none');
    await fireEvent.click(screen.getByRole('button', { name: 'Place legal hold' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Choose a client and a reason.');
    expect(m.legalHoldPlace).not.toHaveBeenCalled();

    const held: lc.LegalHold = { id: 'h1', clientId: 'c1', reason: 'dispute', placedAt: '2026-03-01T00:00:00Z', placedBy: 'p',
      releasedAt: '', releasedBy: '', releaseReason: '' };
    m.legalHoldPlace.mockResolvedValue(held);
    m.legalHolds.mockResolvedValue([held]);
    await eventually(() => expect(screen.getByRole('option', { name: 'Asha Rao' })).toBeTruthy());
    await fireEvent.change(screen.getByLabelText('Client'), { target: { value: 'c1' } });
    await fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'dispute' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Place legal hold' }));
    expect(m.legalHoldPlace).toHaveBeenCalledWith('c1', 'dispute');
    expect((await screen.findByTestId('legal-hold')).textContent).toContain('Asha Rao — A dispute with the client');

    await fireEvent.click(screen.getByRole('button', { name: 'Release the hold on Asha Rao' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Release hold' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Choose why the hold is released.');
    m.legalHoldRelease.mockResolvedValue({ ...held, releasedAt: '2026-03-02T00:00:00Z', releaseReason: 'resolved' });
    m.legalHolds.mockResolvedValue([{ ...held, releasedAt: '2026-03-02T00:00:00Z', releaseReason: 'resolved' }]);
    await fireEvent.change(screen.getByLabelText('Why release it?'), { target: { value: 'resolved' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Release hold' }));
    expect(m.legalHoldRelease).toHaveBeenCalledWith('h1', 'resolved');
    expect(await screen.findByTestId('legal-holds-none')).toBeTruthy();
    expect(screen.getByText(/Released holds \(1\)/)).toBeTruthy();
  });

  it('shows a refused hold with the rule, without the code', async () => {
    m.legalHoldPlace.mockRejectedValue('conflict: this client already has a legal hold in place for that reason');
    render(Retention);
    await eventually(() => expect(screen.getByRole('option', { name: 'Asha Rao' })).toBeTruthy());
    await fireEvent.change(screen.getByLabelText('Client'), { target: { value: 'c1' } });
    await fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'litigation' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Place legal hold' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This client already has a legal hold in place for that reason');
  });

  it('shows the last run and what it removed, by id', async () => {
    m.retentionRuns.mockResolvedValue([{
      id: 'r1', at: '2033-03-02T01:00:00Z', asOf: '2033-03-02T01:00:00Z', trigger: 'schedule', result: 'ok', deleted: 2, held: 1,
      failed: 0, vacuumed: true,
      report: report({ dryRun: false, id: 'r1', items: [
        item({ clientId: 'c9', outcome: 'deleted', removed: [{ table: 'notes', ids: ['n1', 'n2'], columns: [] }, { table: 'note_addenda', ids: ['a1'], columns: [] }] }),
        item({ category: 'contact', clientId: 'c2', outcome: 'deleted', rule: 'contact_30d_after_discharge',
          removed: [{ table: 'clients', ids: ['c2'], columns: ['phone', 'email', 'emergency_contact'] }] }),
      ] }),
    }]);
    m.retentionRunNow.mockResolvedValue(report({ dryRun: false }));
    render(Retention);
    await eventually(() =>
      expect(screen.getByTestId('retention-last-run').textContent?.replace(/\s+/g, ' ')).toContain(
        '(daily run): 2 deleted, 1 held; database file compacted.',
      ),
    );
    const removed = screen.getByTestId('retention-last-removed');
    expect(removed.textContent).toContain('Whole record of client c9: 2 notes, 1 addendum');
    expect(removed.textContent).toContain('Contact details of client c2: 1 client record');
    await fireEvent.click(screen.getByRole('button', { name: 'Run now' }));
    await eventually(() => expect(m.retentionRunNow).toHaveBeenCalledTimes(1));
    await eventually(() => expect(m.retentionRuns).toHaveBeenCalledTimes(2));
  });
});

describe('lifecycle text', () => {
  it('counts removals with proper plurals', () => {
    expect(removedSummary([{ table: 'note_addenda', ids: ['a', 'b'] }, { table: 'client_history', ids: ['h'] }, { table: 'matches', ids: ['m', 'n'] }]))
      .toBe('2 addenda, 1 history entry, 2 matches');
  });
  it("gives today's date in India", () => {
    expect(todayInIndia(new Date('2026-03-01T19:00:00Z'))).toBe('2026-03-02');
  });
});
