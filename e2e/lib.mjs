// Shared by the end-to-end spec files: a tiny sequential runner (one page, one
// data directory, tests in registration order), axe, screenshots and
// navigation helpers. e2e/run.mjs registers the core specs, then the spec
// files listed there, then calls runAll().
import { chromium } from 'playwright-core';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const url = process.env.E2E_URL || 'http://127.0.0.1:34115/';
const here = fileURLToPath(new URL('.', import.meta.url));
export const shots = join(here, 'screenshots');
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const passphrase = 'correct horse battery staple orchard';
export const changedPassphrase = 'pebble saffron lighthouse tundra gently';
export const newPassphrase = 'lantern meadow quietly violin harbour';
export const screens = [
  ['today', 'Today'],
  ['calendar', 'Calendar'],
  ['clients', 'Clients'],
  ['matches', 'Matches'],
  ['requests', 'Requests'],
  ['exports', 'Exports'],
  ['audit', 'Audit'],
  ['settings', 'Settings'],
];
export const timeout = 15_000;

// --- tiny runner -----------------------------------------------------------------

export const tests = [];
export const test = (name, fn) => tests.push({ name, fn });

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Wails' dev ipc.js throws this once on load; it is not ours.
const harmless = [/Cannot read properties of null \(reading 'nodes'\)/];
export const pageErrors = [];

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Runs axe on the current page; throws on serious or critical violations. */
export async function axe(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  // The app's Content-Security-Policy forbids inline scripts, so addScriptTag({content})
  // is refused; evaluating through the DevTools protocol is not subject to CSP.
  if (!hasAxe) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations.filter((v) => !bad.includes(v))) {
    console.log(`      note: axe ${v.impact} ${v.id} on ${label}: ${v.help} (${v.targets.join(', ')})`);
  }
  assert(
    bad.length === 0,
    `axe on ${label}: ` + bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`).join('; '),
  );
}

export async function heading(page) {
  return (await page.locator('h1').first().textContent())?.trim();
}

export async function goToScreen(page, index) {
  const [id, label] = screens[index];
  await page.keyboard.press(`Alt+${index + 1}`);
  await page.waitForSelector(`[data-testid="screen-${id}"]`, { timeout });
  await page.waitForFunction((l) => document.querySelector('main h1')?.textContent?.trim() === l, label, { timeout });
}


export async function openClient(page, name) {
  await goToScreen(page, 2);
  await page.getByTestId('client-row').filter({ hasText: name }).first().click();
  await page.waitForSelector('[data-testid="client-page"]', { timeout });
  await page.waitForSelector('[data-testid="consent-row"]', { timeout });
}

// --- the reference backend (scripts/e2e.sh starts it) and sync helpers ----------------

export const backendUrl = process.env.E2E_BACKEND_URL || '';
const adminToken = process.env.E2E_BACKEND_ADMIN_TOKEN || '';
export const enrolmentCode = process.env.E2E_ENROLMENT_CODE || 'CALM-DEMO';
export const syncTimeout = 30_000;

/** The backend's admin API (loopback only, admin token): GET, or another method with a JSON body. */
export async function admin(path, method = 'GET', body = undefined) {
  const res = await fetch(new URL(path, backendUrl), {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Both themes must be axe-clean; with a name, the dark one is photographed too. */
export async function axeBoth(page, label, darkShot = '') {
  await axe(page, label);
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await axe(page, `${label} (dark)`);
    if (darkShot) await shot(page, darkShot);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/** Waits until the sidebar indicator has finished a round that started after `since`. */
export async function waitSynced(page, since) {
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

export async function syncNow(page) {
  const since = Date.now();
  await page.keyboard.press('Control+Shift+S');
  await waitSynced(page, since);
}

/** Launches Chromium, runs every registered test in order, prints the tally and exits. */
export async function runAll() {

  await mkdir(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => {
    if (!harmless.some((re) => re.test(e.message))) pageErrors.push(e.message);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) pageErrors.push(`CSP: ${m.text()}`);
  });

  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    const started = Date.now();
    pageErrors.length = 0;
    try {
      await t.fn(page);
      assert(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`);
      passed++;
      console.log(`PASS ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name} (${Date.now() - started} ms)\n      ${String(e?.message ?? e).split('\n').join('\n      ')}`);
      await shot(page, `fail-${passed + failed}`).catch(() => {});
    }
  }

  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);

}
