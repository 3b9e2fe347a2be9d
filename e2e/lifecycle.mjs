// Records lifecycle in the real app: Settings → Backups writes an encrypted backup
// into a folder beside the test's data directory and shows it verified (the Go side
// agrees, and the file is there); Settings → Retention states the policy, shows the
// dry-run report for a date eight years on, and a legal hold placed and released
// changes it. Runs after the core specs in run.mjs, unlocked, with clients on record.
//
// Environment (scripts/e2e.sh): E2E_DATA_DIR, the profile's data directory.
import { readdir, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, assert, shot, shots, axe, goToScreen, timeout } from './lib.mjs';

const dataDir = process.env.E2E_DATA_DIR || '';
// Outside the profile's folder (the app refuses a folder inside it), inside the
// test's temporary directory (removed with it).
const backupDir = dataDir ? join(dirname(dataDir), 'backups') : '';

/** A screenshot of one section, for a human to look at. */
async function shotOf(locator, name) {
  await locator.screenshot({ path: join(shots, `${name}.png`) });
}

test('Settings → Backups: a folder and a time, back up now, verified; verify again', async (page) => {
  assert(backupDir, 'E2E_DATA_DIR is not set (run through scripts/e2e.sh)');
  await mkdir(backupDir, { recursive: true });
  await goToScreen(page, 7);
  const section = page.getByTestId('backups');
  await section.waitFor({ timeout });
  await section.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.go.app.App.BackupHealth());
  assert(before.lastBackupAt === '', `a backup exists before the test: ${JSON.stringify(before)}`);
  await axe(page, 'settings → backups (no backup yet)');
  await shotOf(section, 'L01-backups-empty');

  await section.getByLabel('Backup folder').fill(backupDir);
  await section.getByLabel('Time of day').fill('13:15');
  await section.getByLabel('Weekly backups').fill('5');
  await section.getByRole('button', { name: 'Save backup settings' }).click();
  await section.getByText('Backup settings saved.').waitFor({ timeout });
  const saved = await page.evaluate(() => window.go.app.App.BackupSettingsGet());
  assert(saved.folder === backupDir && saved.atTime === '13:15' && saved.keepWeekly === 5, `saved: ${JSON.stringify(saved)}`);
  assert(/at 1:15\s?pm \(India time\)/i.test(await section.getByTestId('backup-schedule-text').textContent()), 'schedule text');

  await section.getByRole('button', { name: 'Back up now' }).click();
  // A small practice backs up in well under a second; the bar shows while it runs.
  await section.getByTestId('backup-done').waitFor({ timeout: 60_000 });
  const done = (await section.getByTestId('backup-done').textContent()).trim();
  assert(done.startsWith('Backup written and verified: ') && done.includes(backupDir), `done says: ${done}`);
  await section.getByTestId('backup-verified').waitFor({ timeout });
  const files = (await readdir(backupDir)).filter((f) => f.endsWith('.cbk'));
  assert(files.length === 1, `backup folder holds ${files.join(', ') || 'nothing'}`);
  const health = await page.evaluate(() => window.go.app.App.BackupHealth());
  assert(health.lastVerifiedAt !== '' && !health.stale, `health after the backup: ${JSON.stringify(health)}`);
  assert((await page.getByTestId('backup-warning').count()) === 0, 'the 7-day warning shows after a verified backup');

  const row = section.getByTestId('backup-row').first();
  assert((await row.getAttribute('data-verify')) === 'ok', 'the listed backup is not marked verified');
  await row.getByRole('button', { name: /^Verify the backup of/ }).click();
  await section.getByTestId('verify-message').waitFor({ timeout: 60_000 });
  const verified = (await section.getByTestId('verify-message').textContent()).trim();
  assert(/readable and intact/.test(verified) && /\d+ encrypted fields opened/.test(verified), `verify says: ${verified}`);
  console.log(`      ${verified}`);
  await axe(page, 'settings → backups (after a backup)');
  await shotOf(section, 'L02-backups-done');
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await axe(page, 'settings → backups (dark)');
    await shotOf(section, 'L03-backups-dark');
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
});

test('Settings → Retention: the policy, the dry-run report for a date, a legal hold placed and released', async (page) => {
  const section = page.getByTestId('retention');
  await section.scrollIntoViewIfNeeded();
  const policy = (await section.getByTestId('retention-policy').textContent()).replace(/\s+/g, ' ');
  assert(/deleted 7 years after the client's last interaction/.test(policy) && /30 days after a client is discharged/.test(policy),
    `policy reads: ${policy}`);

  // Eight years on, every client on record is past the 7-year clock.
  const future = new Date(Date.now() + 8 * 365.25 * 86_400_000).toISOString().slice(0, 10);
  await section.getByLabel('On this date').fill(future);
  await section.getByRole('button', { name: 'Show report' }).click();
  await section.getByTestId('retention-report').waitFor({ timeout });
  const due = section.locator('[data-testid="retention-item"][data-category="health"][data-outcome="would_delete"]');
  await due.first().waitFor({ timeout });
  const dueCount = await due.count();
  assert(dueCount >= 1, 'nothing due in eight years');
  const now = await page.evaluate(() => window.go.app.App.RetentionPlan(''));
  assert(now.items.every((i) => i.outcome !== 'would_delete'), `something is due today: ${JSON.stringify(now.items)}`);
  await axe(page, 'settings → retention (report)');
  await shotOf(section, 'L10-retention-report');

  // A legal hold on one client: the report then holds it, and names the hold.
  const client = section.getByLabel('Client', { exact: true });
  await client.selectOption({ index: 1 });
  const held = (await client.locator('option:checked').textContent()).trim();
  await section.getByLabel('Reason', { exact: true }).selectOption('dispute');
  await section.getByRole('button', { name: 'Place legal hold' }).click();
  await section.getByTestId('legal-hold').filter({ hasText: held }).waitFor({ timeout });
  await section.getByRole('button', { name: 'Show report' }).click();
  await section.locator('[data-testid="retention-item"][data-outcome="held"]').filter({ hasText: held }).waitFor({ timeout });
  assert((await due.count()) === dueCount - 1, 'the held client is still listed as would-delete');
  await axe(page, 'settings → retention (a hold in place)');
  await shotOf(section, 'L11-retention-hold');

  await section.getByRole('button', { name: `Release the hold on ${held}` }).click();
  await section.getByLabel('Why release it?').selectOption('resolved');
  await section.getByRole('button', { name: 'Release hold' }).click();
  await section.getByTestId('legal-holds-none').waitFor({ timeout });
  // The report shown follows: the client would be deleted again.
  await page.waitForFunction((n) => document.querySelectorAll(
    '[data-testid="retention-item"][data-category="health"][data-outcome="would_delete"]').length === n, dueCount, { timeout });
  const holds = await page.evaluate(() => window.go.app.App.LegalHolds());
  assert(holds.length === 1 && holds[0].releaseReason === 'resolved', `holds: ${JSON.stringify(holds)}`);
  const trail = await page.evaluate(() => window.go.app.App.AuditVerify());
  assert(trail.ok === true, `audit trail: ${JSON.stringify(trail)}`);
  await axe(page, 'settings → retention (released)');
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await axe(page, 'settings → retention (dark)');
    await shotOf(section, 'L12-retention-dark');
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await shot(page, 'L13-settings-full');
});
