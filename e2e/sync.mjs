// Sync with the real reference backend (cmd/calmally-backend --seed, started by
// scripts/e2e.sh over TLS on loopback): connect in Settings → Sync with the demo
// enrolment code, see the seeded proposals (the under-18 one refused), accept one and
// find the new client under Clients, confirm a requested booking and see the backend
// apply booking.confirm, and answer a grievance and a takedown notice in Requests.
// Runs after the core specs in run.mjs: the vault is unlocked and holds one client.
//
// Environment (scripts/e2e.sh): E2E_BACKEND_URL, E2E_BACKEND_ADMIN_TOKEN,
// E2E_ENROLMENT_CODE; NODE_EXTRA_CA_CERTS trusts the backend's certificate here.
import { test, assert, shot, axe, goToScreen, timeout } from './lib.mjs';

const backendUrl = process.env.E2E_BACKEND_URL || '';
const adminToken = process.env.E2E_BACKEND_ADMIN_TOKEN || '';
const enrolmentCode = process.env.E2E_ENROLMENT_CODE || 'CALM-DEMO';
const syncTimeout = 30_000;

/** GET on the backend's admin API (loopback only, admin token). */
async function admin(path) {
  const res = await fetch(new URL(path, backendUrl), { headers: { Authorization: `Bearer ${adminToken}` } });
  assert(res.ok, `admin ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Both themes must be axe-clean. */
async function axeBoth(page, label) {
  await axe(page, label);
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await axe(page, `${label} (dark)`);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/** Waits until the sidebar indicator has finished a round that started after `since`. */
async function waitSynced(page, since) {
  await page.waitForFunction(
    async (t) => {
      const s = await window.go.app.App.SyncStatus();
      return s.state === 'idle' && s.lastSyncedAt !== '' && Date.parse(s.lastSyncedAt) >= t;
    },
    since - 1000,
    { timeout: syncTimeout, polling: 250 },
  );
  await page.waitForSelector('[data-testid="sync-status"][data-state="idle"]', { timeout: syncTimeout });
}

async function syncNow(page) {
  const since = Date.now();
  await page.keyboard.press('Control+Shift+S');
  await waitSynced(page, since);
}

test('Sync: preconditions (reference backend running, its certificate trusted)', async () => {
  assert(backendUrl.startsWith('https://'), `E2E_BACKEND_URL is "${backendUrl}": run through scripts/e2e.sh`);
  const info = await (await fetch(new URL('/v1/info', backendUrl), { headers: { 'CalmAlly-Protocol': '1' } })).json();
  assert(info.region === 'IN' && info.protocol === 1, `backend info: ${JSON.stringify(info)}`);
});

test('Sync: refused connections say why (plain http, a wrong code)', async (page) => {
  await goToScreen(page, 7);
  await page.getByTestId('settings-sync').waitFor({ timeout });
  assert((await page.getByTestId('sync-status').getAttribute('data-state')) === 'not_connected', 'the indicator does not say not connected');
  await page.getByLabel('Server address').fill(backendUrl.replace('https://', 'http://').replace('127.0.0.1', 'example.org'));
  await page.getByLabel('Enrolment code').fill(enrolmentCode);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  let err = (await page.getByTestId('sync-error').textContent()).trim();
  assert(/https/.test(err), `plain http error reads "${err}"`);
  console.log(`      plain http: "${err}"`);
  await page.getByLabel('Server address').fill(backendUrl);
  await page.getByLabel('Enrolment code').fill('NOT-A-CODE');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.waitForFunction((before) => document.querySelector('[data-testid="sync-error"]')?.textContent?.trim() !== before, err, { timeout });
  err = (await page.getByTestId('sync-error').textContent()).trim();
  assert(/code/i.test(err) && !/^[a-z_]+: /.test(err), `bad code error reads "${err}"`);
  console.log(`      bad code: "${err}"`);
  await axeBoth(page, 'settings → sync (error)');
  await shot(page, 'S01-sync-connect-error');
});

test('Sync: connect with the enrolment code; the first round runs; the indicator says up to date', async (page) => {
  await page.getByLabel('Server address').fill(backendUrl);
  await page.getByLabel('Enrolment code').fill(enrolmentCode);
  const since = Date.now();
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByTestId('sync-backend').waitFor({ timeout: syncTimeout });
  await waitSynced(page, since);
  assert((await page.getByTestId('sync-region').textContent()).trim() === 'India (IN)', 'region is not India');
  const last = (await page.getByTestId('sync-last').textContent()).trim();
  assert(/Synced (just now|1 min ago)/.test(last), `indicator says "${last}"`);
  const devices = await admin('/admin/devices');
  assert(Array.isArray(devices) && devices.length === 1, `backend devices: ${JSON.stringify(devices)}`);
  await axeBoth(page, 'settings → sync (connected)');
  await shot(page, 'S02-sync-connected');
});

test('Matches: the seeded adult proposals appear; the under-18 one was refused and reported', async (page) => {
  await goToScreen(page, 3);
  await page.getByTestId('match-card').first().waitFor({ timeout });
  const bands = await page.$$eval('[data-testid="match-card"][data-status="proposed"] h3', (hs) => hs.map((h) => h.textContent));
  assert(bands.length === 2, `proposals shown: ${bands.join(' | ')}`);
  assert(bands.some((b) => /25-34/.test(b)) && bands.some((b) => /18-24/.test(b)), `bands: ${bands.join(' | ')}`);
  assert(!(await page.content()).includes('under-18'), 'an under-18 proposal is on screen');
  const left = (await page.getByTestId('match-time-left').first().textContent()).trim();
  assert(/Respond within \d/.test(left), `time left reads "${left}"`);
  // The refusal went back to the platform on the next push.
  await syncNow(page);
  const refusals = await admin('/admin/minor-refusals');
  assert(Array.isArray(refusals) && refusals.length >= 1, `minor refusals at the backend: ${JSON.stringify(refusals)}`);
  await axeBoth(page, 'matches');
  await shot(page, 'S10-matches');
});

test('Matches: accept the 25-34 proposal; after sync the client appears under Clients', async (page) => {
  const card = page.locator('[data-testid="match-card"][data-status="proposed"]', { hasText: '25-34' });
  await card.getByTestId('match-accept').click();
  await page.getByTestId('match-accept-dialog').waitFor({ timeout });
  await axe(page, 'accept match dialog');
  await shot(page, 'S11-match-accept');
  const since = Date.now();
  await page.getByTestId('match-accept-confirm').click();
  await page.getByTestId('matches-message').waitFor({ timeout });
  await waitSynced(page, since);
  // One more round: the client record is released once the acceptance is applied.
  await syncNow(page);
  await page.getByTestId('matches-history').locator('summary').click();
  await page.getByTestId('match-open-client').waitFor({ timeout });
  await shot(page, 'S12-matches-history');
  await goToScreen(page, 2);
  await page.getByTestId('client-row').filter({ hasText: 'Ananya Rao' }).first().waitFor({ timeout });
  await axe(page, 'clients with a matched client');
  await shot(page, 'S13-clients-matched');
});

test('Calendar: confirm a requested booking; after sync the backend has applied booking.confirm', async (page) => {
  await goToScreen(page, 1);
  await page.getByTestId('calendar').waitFor({ timeout });
  const booking = page.locator('[data-testid="calendar-booking"][data-status="requested"]', { hasText: 'Lakshmi' });
  for (let i = 0; i < 3 && !(await booking.count()); i++) {
    const from = await page.getByTestId('calendar').getAttribute('data-from');
    await page.keyboard.press('PageDown');
    await page.waitForFunction((f) => document.querySelector('[data-testid="calendar"]')?.getAttribute('data-from') !== f, from, { timeout });
    await page.waitForTimeout(300);
  }
  assert(await booking.count(), 'the seeded requested booking (Lakshmi N.) is not on the calendar');
  await booking.first().click();
  await page.getByTestId('booking-details').waitFor({ timeout });
  const since = Date.now();
  await page.locator('[data-testid="booking-actions"] button[data-action="confirm"]').click();
  await page.waitForSelector('[data-testid="calendar-booking"][data-status="confirmed"]:has-text("Lakshmi")', { timeout });
  await shot(page, 'S20-booking-confirmed');
  await syncNow(page);
  const mutations = await admin('/admin/mutations');
  const confirm = mutations.find((m) => m.kind === 'booking.confirm');
  assert(confirm && confirm.status === 'applied', `booking.confirm at the backend: ${JSON.stringify(confirm ?? mutations.map((m) => m.kind))}`);
  const accepted = mutations.find((m) => m.kind === 'match.accept');
  assert(accepted && accepted.status === 'applied', 'match.accept was not applied at the backend');
  console.log(`      backend applied: ${mutations.filter((m) => m.status === 'applied').map((m) => m.kind).join(', ')}`);
  void since;
  await page.keyboard.press('t');
});

test('Calendar → Earnings: the month in rupees with Indian grouping, axe-clean', async (page) => {
  await page.getByTestId('open-earnings').click();
  await page.getByTestId('earnings-summary').waitFor({ timeout });
  const fees = (await page.getByTestId('earnings-fees').textContent()).trim();
  assert(/^₹[\d,]+(\.\d\d)?$/.test(fees), `fees read "${fees}"`);
  await axeBoth(page, 'earnings');
  await shot(page, 'S21-earnings');
  await page.getByRole('button', { name: 'Previous month' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="earnings"]')?.getAttribute('data-month') !== null, undefined, { timeout });
  await page.getByRole('button', { name: 'Back to calendar' }).click();
  await page.getByTestId('calendar').waitFor({ timeout });
});

test('Requests: the grievance and the takedown notice appear with their deadlines; answers reach the backend', async (page) => {
  await goToScreen(page, 4);
  const g = page.getByTestId('grievance').first();
  const t = page.getByTestId('takedown').first();
  await g.waitFor({ timeout });
  await t.waitFor({ timeout });
  const gDeadlines = await g.locator('[data-testid="notice-deadline"]').evaluateAll((els) => els.map((e) => [e.dataset.what, e.dataset.at]));
  assert(gDeadlines.map((d) => d[0]).join(',') === 'Acknowledge,Resolve', `grievance deadlines: ${JSON.stringify(gDeadlines)}`);
  const ackIn = (Date.parse(gDeadlines[0][1]) - Date.now()) / 3_600_000;
  assert(ackIn > 0 && ackIn <= 24, `acknowledge due in ${ackIn.toFixed(1)} h`);
  const removeBy = await t.locator('[data-testid="notice-deadline"]').getAttribute('data-at');
  const removeIn = (Date.parse(removeBy) - Date.now()) / 3_600_000;
  assert(removeIn > 0 && removeIn <= 36, `remove due in ${removeIn.toFixed(1)} h`);
  assert(/due in/.test(await g.getByTestId('notice-countdown').textContent()), 'no countdown on the grievance');
  await axeBoth(page, 'requests with notices');
  await shot(page, 'S30-requests-notices');

  await g.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByTestId('notices-message').waitFor({ timeout });
  await t.getByRole('button', { name: 'Dispute…' }).click();
  await page.getByTestId('notice-action').waitFor({ timeout });
  await page.getByLabel('Why the content should stay').fill('The statement was removed from the profile last month; the notice quotes an old version.');
  await axe(page, 'dispute dialog');
  await shot(page, 'S31-takedown-dispute');
  await page.getByRole('button', { name: 'Send dispute' }).click();
  await page.waitForSelector('[data-testid="notice-action"]', { state: 'detached', timeout });
  await syncNow(page);
  const kinds = (await admin('/admin/mutations')).filter((m) => m.status === 'applied').map((m) => m.kind);
  assert(kinds.includes('grievance.acknowledge') && kinds.includes('takedown.dispute'), `applied at the backend: ${kinds.join(', ')}`);
  await shot(page, 'S32-requests-answered');
});

test('Settings → Sync: nothing parked, and the indicator opens it', async (page) => {
  await goToScreen(page, 0);
  await page.getByTestId('sync-open').click();
  await page.getByTestId('settings-sync').waitFor({ timeout });
  assert((await page.evaluate(() => document.activeElement?.id)) === 'sync-h', 'focus is not on the Sync heading');
  assert((await page.getByTestId('parked-item').count()) === 0, 'changes are parked');
  const status = await page.evaluate(() => window.go.app.App.SyncStatus());
  assert(status.pending === 0 && status.parked === 0, `status after the run: ${JSON.stringify(status)}`);
  await axeBoth(page, 'settings → sync (after the run)');
  await shot(page, 'S40-settings-sync');
});
