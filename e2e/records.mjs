// Records on request (issue 8) and the client page's summaries and sessions
// (issue 4), against the real bindings. Continues from the core specs in run.mjs:
// "Asha Verma" exists with health-data consent, one signed SOAP note ("First
// session") and a confirmed in-person walk-in at 11:00 with a ₹1,500 fee.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, assert, shot, axe, goToScreen, openClient, timeout } from './lib.mjs';

const client = 'Asha Verma';
const archivePassphrase = 'quiet river copper lantern 42';
let outDir = '';
let bundle = '';

test('Sessions: the client page lists the walk-in with its time, modality, status and fee', async (page) => {
  await openClient(page, client);
  const sessions = page.getByTestId('sessions');
  await sessions.getByTestId('session-row').first().waitFor({ timeout });
  const rows = await sessions.getByTestId('session-row').allTextContents();
  const walkIn = rows.find((r) => r.includes('11:00–11:50'));
  assert(walkIn, `no 11:00 session among ${rows.length} rows: ${rows.join(' | ')}`);
  for (const want of ['In person', 'Confirmed', '₹1,500', 'No note']) {
    assert(walkIn.includes(want), `walk-in row lacks "${want}": ${walkIn}`);
  }
  assert((await page.getByTestId('sessions-more').count()) === 0, 'Show more offered for a short list');
  await sessions.scrollIntoViewIfNeeded();
  await axe(page, 'client page with sessions');
  await shot(page, '100-client-sessions');
});

test('Summary: derived from the signed note, edited, marked ready; sharing waits for consent, then is shared', async (page) => {
  await page.getByTestId('note-row').filter({ hasText: 'First session' }).first().click();
  await page.waitForSelector('[data-testid="note-editor"][data-status="signed"]', { timeout });
  const panel = page.getByTestId('summary-panel');
  await panel.getByRole('button', { name: 'Prepare client summary' }).click();
  const plan = panel.getByLabel('Plan', { exact: true });
  await plan.waitFor({ timeout });
  const prefilled = await plan.inputValue();
  assert(/Sleep diary/.test(prefilled), `plan not taken from the note: "${prefilled}"`);
  await panel.getByLabel('Homework', { exact: true }).fill('Keep the sleep diary every night.');
  await panel.getByLabel('Next session', { exact: true }).fill('Next week, same time, at the clinic');
  await axe(page, 'summary (draft)');
  await shot(page, '101-summary-draft');
  await panel.getByRole('button', { name: 'Mark ready' }).click();
  await page.waitForSelector('[data-testid="summary-panel"][data-status="ready"]', { timeout });

  await panel.getByRole('button', { name: 'Share with client' }).click();
  const refusal = page.getByTestId('summary-consent-needed');
  await refusal.waitFor({ timeout });
  const text = (await refusal.textContent()).trim();
  assert(/not consented to receiving session summaries/.test(text) && !/consent_required/.test(text), `refusal reads "${text}"`);
  assert((await page.locator('[data-testid="summary-panel"]').getAttribute('data-status')) === 'ready', 'refused share changed the status');
  await refusal.scrollIntoViewIfNeeded();
  await axe(page, 'summary share refused for want of consent');
  await shot(page, '102-summary-consent-needed');

  // The link opens the client's Consents section; record summary-sharing there.
  await refusal.getByRole('button', { name: 'Open the client’s consents' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'consents-heading', undefined, { timeout });
  await page.getByRole('button', { name: 'Grant: Sharing session summaries' }).click();
  const capture = page.getByTestId('consent-capture');
  await capture.waitFor({ timeout });
  await capture.getByLabel(/I agree/).check();
  await capture.getByRole('button', { name: 'Grant consent' }).click();
  await capture.waitFor({ state: 'detached', timeout });
  await page.waitForSelector('[data-testid="consent-row"][data-purpose="summary-sharing"][data-status="granted"]', { timeout });

  await page.getByTestId('note-row').filter({ hasText: 'First session' }).first().click();
  await page.waitForSelector('[data-testid="summary-panel"][data-status="ready"]', { timeout });
  await page.getByTestId('summary-panel').getByRole('button', { name: 'Share with client' }).click();
  await page.waitForSelector('[data-testid="summary-panel"][data-status="shared"]', { timeout });
  const shared = await page.getByTestId('summary-panel').textContent();
  assert(shared.includes('Keep the sleep diary every night.') && /cannot change/.test(shared), 'shared summary not shown read-only');
  await page.getByTestId('summary-panel').scrollIntoViewIfNeeded();
  await axe(page, 'summary shared');
  await shot(page, '103-summary-shared');
});

test('A private process note, so the export has something to withhold', async (page) => {
  await openClient(page, client);
  await page.getByRole('button', { name: 'New note' }).click();
  await page.getByLabel('Free text', { exact: true }).check();
  await page.getByLabel('Private process note').check();
  await page.getByRole('button', { name: 'Create note' }).click();
  await page.waitForSelector('[data-testid="note-editor"][data-status="draft"]', { timeout });
  await page.getByTestId('private-note').waitFor({ timeout });
  await page.locator('[data-testid="note-editor"] textarea').first().fill('My own reflections on the transference.');
  await page.locator('[data-testid="note-editor"] textarea').first().blur();
  await page.waitForFunction(() => /^Saved/.test(document.querySelector('[data-testid="autosave-state"]')?.textContent?.trim() ?? ''), undefined, { timeout });
  assert((await page.getByTestId('summary-panel').count()) === 0, 'a process note offers a client summary');
});

test('Export: one client, encrypted with a passphrase, typed path; progress, done with the withheld list, listed on Exports', async (page) => {
  outDir = await mkdtemp(join(tmpdir(), 'calmally-e2e-export-'));
  bundle = join(outDir, 'asha-verma.zip.age');
  await goToScreen(page, 5);
  await page.getByRole('button', { name: 'Export records…' }).click();
  const wizard = page.getByTestId('export-wizard');
  await wizard.waitFor({ timeout });
  await wizard.getByLabel('One client').check();
  await wizard.getByTestId('export-client').selectOption({ label: client });
  assert(!(await wizard.getByLabel('Include psychotherapy notes').isChecked()), 'psychotherapy notes ticked by default');
  await wizard.getByLabel('With a passphrase').check();
  await wizard.getByLabel('Passphrase', { exact: true }).fill(archivePassphrase);
  await wizard.getByLabel('Passphrase again').fill(archivePassphrase);
  assert(await wizard.getByRole('button', { name: 'Choose file…' }).isVisible(), 'no Choose file… button');
  await wizard.getByTestId('export-path').fill(bundle);
  await axe(page, 'export wizard (filled)');
  await shot(page, '104-export-wizard');

  // The running step can be short: watch for it from inside the page.
  await page.evaluate(() => {
    window.__progress = [];
    const seen = () => {
      const p = document.querySelector('#export-progress');
      if (p) window.__progress.push(p.parentElement?.textContent?.replace(/\s+/g, ' ').trim() ?? '');
    };
    window.__progressObserver = new MutationObserver(seen);
    window.__progressObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await wizard.getByRole('button', { name: 'Start export' }).click();
  try {
    await page.waitForSelector('#export-progress', { timeout: 5_000 });
    await shot(page, '105-export-progress');
  } catch {
    // Finished before a screenshot could be taken; the observer still saw it.
  }
  await wizard.getByText('Export finished.').waitFor({ timeout: 60_000 });
  const progress = await page.evaluate(() => { window.__progressObserver.disconnect(); return window.__progress; });
  assert(progress.length > 0, 'the progress step never appeared');
  console.log(`      progress seen: ${[...new Set(progress)].slice(-3).join(' → ')}`);

  const withheld = wizard.getByTestId('export-withheld');
  await withheld.waitFor({ timeout });
  const group = withheld.locator('[data-testid="withheld-group"][data-kind="psychotherapy_note"]');
  await group.waitFor({ timeout });
  const groupText = (await group.textContent()).replace(/\s+/g, ' ');
  assert(/Private process notes \(1\)/.test(groupText) && /Mental Health Review Board/.test(groupText), `withheld group: ${groupText}`);
  await group.getByTestId('withheld-item').filter({ hasText: client }).waitFor({ timeout });
  assert(!(await withheld.textContent()).includes('transference'), 'the withheld list shows note text');
  await axe(page, 'export done');
  await shot(page, '106-export-done');
  await wizard.getByRole('button', { name: 'Close' }).click();
  await wizard.waitFor({ state: 'detached', timeout });

  const files = await readdir(outDir);
  assert(files.length === 1 && files[0] === 'asha-verma.zip.age', `export folder holds ${files.join(', ')}`);
  assert((await stat(bundle)).size > 1000, 'the bundle is suspiciously small');

  const row = page.getByTestId('exports-table').locator('tbody tr').filter({ hasText: 'asha-verma.zip.age' });
  await row.waitFor({ timeout });
  const rowText = (await row.textContent()).replace(/\s+/g, ' ');
  for (const want of ['Export', `One client: ${client}`, 'Encrypted with a passphrase', 'withheld']) {
    assert(rowText.includes(want), `Exports row lacks "${want}": ${rowText}`);
  }
  await axe(page, 'exports list');
  await shot(page, '107-exports-list');
});

test('Import: the bundle through the dialog; the preview says the client is already here', async (page) => {
  assert(bundle, 'no bundle from the export test');
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByTestId('import-dialog');
  await dialog.waitFor({ timeout });
  assert(await dialog.getByRole('button', { name: 'Choose file…' }).isVisible(), 'no Choose file… button');
  await dialog.getByTestId('import-path').fill(bundle);
  await dialog.getByTestId('import-secret').fill(archivePassphrase);
  await dialog.getByRole('button', { name: 'Check bundle' }).click();
  const preview = dialog.getByTestId('import-preview');
  await preview.waitFor({ timeout: 60_000 });
  const text = (await preview.textContent()).replace(/\s+/g, ' ');
  assert(text.includes(client) && text.includes('Already here: not added'), `preview: ${text}`);
  assert(await dialog.getByRole('button', { name: 'Import 0 clients' }).isDisabled(), 'import offered for a client that is already here');
  await axe(page, 'import preview');
  await shot(page, '108-import-preview');
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await dialog.waitFor({ state: 'detached', timeout });
  await rm(outDir, { recursive: true, force: true });
});
