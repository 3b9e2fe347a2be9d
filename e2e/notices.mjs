// Notice versions published by the platform (docs/sync-protocol.md, change type
// "notice"), through the real UI and the reference backend: a material privacy-policy
// change waits on Today until read; a material change to the teleconsultation notice
// flags the consent Ananya gave on the platform under version 1, and asking her again
// captures it under the new wording. Runs after sync.mjs (enrolled, Ananya accepted).
import { test, assert, shot, goToScreen, timeout, admin, axeBoth, syncNow } from './lib.mjs';

test('Notices: a policy change and a consent-notice change arrive by sync; Today shows both', async (page) => {
  await admin('/admin/notices', 'POST', {
    kind: 'privacy-policy', version: 2, language: 'en', material: true,
    text: 'CalmAlly privacy policy\nVersion 2. Backups of your records are also kept in Mumbai, encrypted.',
    summary: 'Encrypted backups of your records are now also kept in Mumbai.',
  });
  await admin('/admin/notices', 'POST', {
    kind: 'consent-notice', purpose: 'teleconsultation', version: 2, language: 'en', material: true,
    text: 'Consent to online sessions\nSessions may use a second video provider, also hosted in India.',
    summary: 'Online sessions may now use a second video provider hosted in India.',
  });
  await syncNow(page);
  await goToScreen(page, 0);
  const card = page.getByTestId('notice-updates');
  await card.waitFor({ timeout });
  const policy = card.getByTestId('policy-update');
  await policy.getByText('Encrypted backups of your records are now also kept in Mumbai.').waitFor({ timeout });
  const renewal = card.getByTestId('renewal').filter({ hasText: /Ananya|Anu/ });
  await renewal.waitFor({ timeout });
  const line = (await renewal.textContent()).replace(/\s+/g, ' ');
  assert(/Online sessions/.test(line) && /given under version 1; now version 2/.test(line), `renewal row reads "${line}"`);
  await axeBoth(page, 'today with notice changes', 'N01d-today-notices-dark');
  await shot(page, 'N01-today-notices');
  await policy.getByRole('button', { name: 'Mark as read' }).click();
  await policy.waitFor({ state: 'detached', timeout });
  assert(await renewal.isVisible(), 'the renewal went away with the policy');
});

test('Notices: Ask again opens Ananya’s consents at the flagged purpose; captured under version 2, the flag goes', async (page) => {
  await page.getByTestId('renewal').filter({ hasText: /Ananya|Anu/ }).getByRole('button', { name: 'Ask again' }).click();
  await page.waitForSelector('[data-testid="client-page"]', { timeout });
  const row = page.locator('[data-testid="consent-row"][data-purpose="teleconsultation"]');
  await row.getByTestId('renewal-due').waitFor({ timeout });
  await axeBoth(page, 'client consents with a renewal due');
  await shot(page, 'N02-consent-renewal-due');
  await row.getByRole('button', { name: 'Ask again: Online sessions' }).click();
  const capture = page.getByTestId('consent-capture');
  await capture.getByTestId('consent-notice').waitFor({ timeout });
  const text = await capture.getByTestId('consent-notice').textContent();
  assert(/second video provider/.test(text), `the capture shows an old notice: "${text.slice(0, 80)}"`);
  await capture.getByLabel(/I agree/).check();
  await capture.getByRole('button', { name: 'Grant consent' }).click();
  await capture.waitFor({ state: 'detached', timeout });
  await row.getByTestId('renewal-due').waitFor({ state: 'detached', timeout });
  await shot(page, 'N03-consent-renewed');
  await goToScreen(page, 0);
  await page.getByTestId('today').waitFor({ timeout });
  await page.waitForTimeout(300);
  assert((await page.getByTestId('notice-updates').count()) === 0, 'Today still shows notice changes after renewal');
});
