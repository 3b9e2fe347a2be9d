// Sync with the real reference backend (cmd/calmally-backend --seed, started by
// scripts/e2e.sh over TLS on loopback): connect in Settings → Sync with the demo
// enrolment code, see the seeded proposals (the under-18 one refused), accept one and
// find the new client under Clients, confirm a requested booking and see the backend
// apply booking.confirm, and answer a grievance and a takedown notice in Requests.
// Runs after the core specs in run.mjs: the vault is unlocked and holds one client.
//
// Environment (scripts/e2e.sh): E2E_BACKEND_URL, E2E_BACKEND_ADMIN_TOKEN,
// E2E_ENROLMENT_CODE; NODE_EXTRA_CA_CERTS trusts the backend's certificate here.
import {
  test, assert, shot, axe, goToScreen, timeout, backendUrl, enrolmentCode, admin, axeBoth, waitSynced, syncNow, syncTimeout,
} from './lib.mjs';

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
  await axeBoth(page, 'matches', 'S10d-matches-dark');
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
  await axeBoth(page, 'earnings', 'S21d-earnings-dark');
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
  await axeBoth(page, 'requests with notices', 'S30d-requests-dark');
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

test('Conflict: the client cancels on the platform while you cancel here — parked with the reason, the platform’s decision shown; discard and dismiss', async (page) => {
  // Zoya H.'s confirmed in-person session, three days on (seeded).
  const found = await page.evaluate(async () => {
    const d = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const list = await window.go.app.App.BookingsList(d(0), d(14));
    const b = list.bookings.find((x) => x.clientLabel === 'Zoya H.');
    return b ? { id: b.id, start: b.start, status: b.status } : null;
  });
  assert(found && found.status === 'confirmed', `seeded booking of Zoya H.: ${JSON.stringify(found)}`);
  await admin(`/admin/bookings/${found.id}`, 'PATCH', { status: 'cancelled_by_client', paymentStatus: 'refunded' });
  await goToScreen(page, 1);
  await page.getByTestId('calendar').waitFor({ timeout });
  // Move to the week of the session (dates in India's zone, as the calendar shows them).
  const day = new Date(Date.parse(found.start) + 5.5 * 3_600_000).toISOString().slice(0, 10);
  for (let i = 0; i < 3 && (await page.getByTestId('calendar').getAttribute('data-to')) < day; i++) {
    const from = await page.getByTestId('calendar').getAttribute('data-from');
    await page.getByRole('button', { name: 'Next week' }).click();
    await page.waitForFunction((f) => document.querySelector('[data-testid="calendar"]')?.getAttribute('data-from') !== f, from, { timeout });
  }
  const booking = page.locator(`section[data-date="${day}"] [data-testid="calendar-booking"]`, { hasText: 'Zoya' });
  await booking.first().waitFor({ timeout });
  await booking.first().click();
  await page.locator('[data-testid="booking-actions"] button[data-action="cancel"]').click();
  await page.getByLabel('Message to the client (required)').fill('I am unwell that day; CalmAlly will refund you.');
  await page.getByRole('button', { name: 'Cancel session', exact: true }).click();
  await page.waitForSelector('[data-testid="calendar-booking"][data-status="cancelled_by_practitioner"]:has-text("Zoya")', { timeout });
  await syncNow(page);
  const rejected = (await admin('/admin/mutations')).find((m) => m.kind === 'booking.cancel');
  assert(rejected && rejected.status === 'rejected' && rejected.code === 'booking_conflict', `booking.cancel at the backend: ${JSON.stringify(rejected)}`);
  // The platform's state won on the calendar.
  await page.waitForSelector('[data-testid="calendar-booking"][data-status="cancelled_by_client"]:has-text("Zoya")', { timeout });
  await page.getByTestId('sync-open').click();
  await page.getByTestId('settings-sync').waitFor({ timeout });
  assert((await page.evaluate(() => document.activeElement?.id)) === 'sync-h', 'the indicator did not focus Settings → Sync');
  const item = page.locator('[data-testid="parked-item"][data-kind="booking.cancel"]');
  await item.waitFor({ timeout });
  const words = (await item.textContent()).trim();
  assert(/Session cancelled/.test(words) && /changed this booking first/.test(words), `parked item reads "${words}"`);
  const conflict = page.getByTestId('conflict-item').filter({ hasText: 'Zoya H.' });
  await conflict.waitFor({ timeout });
  const c = (await conflict.textContent()).replace(/\s+/g, ' ');
  assert(/cancelled by you/.test(c) && /cancelled by client — this stands/.test(c), `conflict reads "${c}"`);
  await page.getByTestId('settings-sync').scrollIntoViewIfNeeded();
  await axeBoth(page, 'settings → sync with a parked change and a conflict', 'S40d-sync-parked-dark');
  await shot(page, 'S40-sync-parked-conflict');

  await item.getByRole('button', { name: 'Discard…' }).click();
  await page.getByTestId('parked-discard').waitFor({ timeout });
  await axe(page, 'discard confirmation');
  await page.getByTestId('parked-discard').getByRole('button', { name: 'Discard change' }).click();
  await page.waitForSelector('[data-testid="parked-item"][data-kind="booking.cancel"]', { state: 'detached', timeout });
  await conflict.getByRole('button', { name: 'Dismiss' }).click();
  await page.waitForSelector('[data-testid="conflict-item"]:has-text("Zoya H.")', { state: 'detached', timeout });
});

test('Settings → Sync: nothing of this run is left parked', async (page) => {
  await goToScreen(page, 7);
  await page.waitForSelector('[data-testid="parked-changes"] :is(ul, p.muted:not([aria-busy]))', { timeout });
  const parked = await page.$$eval('[data-testid="parked-item"]', (els) => els.map((e) => [e.dataset.kind, e.dataset.reason]));
  const mine = parked.filter(([k]) => /^(booking|match|grievance|takedown)\./.test(k));
  assert(mine.length === 0, `parked: ${JSON.stringify(mine)}`);
  // Anything else parked is another part's business; name it so it is not missed.
  for (const [k, r] of parked) console.log(`      note: also parked: ${k} (${r})`);
  const status = await page.evaluate(() => window.go.app.App.SyncStatus());
  assert(status.pending === 0 && status.parked === parked.length, `status after the run: ${JSON.stringify(status)}`);
  await shot(page, 'S41-settings-sync');
});
