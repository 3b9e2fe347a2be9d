// Several practitioners on one computer, the practitioner profile and the Privacy
// screen, in the real app: credentials edited in Settings → Profile (a wrong
// registration number shows the council's rule), the practice's PIN checked, the
// Privacy screen read and its choices saved; a second profile added and set up
// (onboarding for its own vault, then the first-run profile step), where the first
// profile's clients are nowhere to be seen; back through the picker on the lock
// screen to the first profile (unlocked with the passphrase the core specs leave);
// the second profile removed again. The webview keeps nothing in cookies, local or
// session storage, IndexedDB or the Cache API throughout. Runs last: the first
// profile is unlocked and holds clients.
import { join } from 'node:path';
import { test, assert, shot, shots, axe, goToScreen, newPassphrase, timeout } from './lib.mjs';

// The core specs (run.mjs) end with the first profile unlocked by this one (after
// the recovery-kit test); records, sync and lifecycle do not change it.
const firstPassphrase = newPassphrase;
const firstLabel = 'Kavya';
const secondLabel = 'Dr Rahul Sharma';
const secondPassphrase = 'harbour violin quietly saffron dunes';
const slow = 30_000;

async function shotOf(locator, name) {
  await locator.screenshot({ path: join(shots, `${name}.png`) });
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

/** The webview holds nothing: no cookies, local or session storage, IndexedDB or caches. */
async function assertStorageEmpty(page, where) {
  const s = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    idb: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
    caches: 'caches' in window ? await caches.keys() : [],
  }));
  assert(
    s.local === 0 && s.session === 0 && s.cookie === '' && s.idb.length === 0 && s.caches.length === 0,
    `browser storage is not empty ${where}: ${JSON.stringify(s)}`,
  );
}

async function settingsSection(page, testid) {
  await goToScreen(page, 7);
  const section = page.getByTestId(testid);
  await section.waitFor({ timeout });
  await section.scrollIntoViewIfNeeded();
  return section;
}

let firstClients = [];

test('Settings → Profile: credentials edited; a wrong registration number shows the council’s rule; saved and submitted', async (page) => {
  firstClients = (await page.evaluate(() => window.go.app.App.ClientsList({ status: '', query: '' }))).clients
    .map((c) => c.name)
    .filter((n) => n && n.trim().length > 2);
  assert(firstClients.length > 0, 'the first profile holds no clients: the isolation check needs some');
  await assertStorageEmpty(page, 'with the first profile unlocked');
  const section = await settingsSection(page, 'settings-profile');
  assert((await section.getByTestId('review-state').getAttribute('data-state')) === 'draft', 'a profile left for later is not a draft');
  await section.getByLabel('Your name, as clients should see it').fill('Dr Kavya Rao');
  await section.getByRole('button', { name: 'Add a qualification' }).click();
  await section.getByLabel('Qualification').fill('M.Phil Clinical Psychology');
  await section.getByLabel('Registering council').selectOption('rci');
  const number = section.getByLabel('Registration number');
  await number.fill('12345');
  await number.blur();
  const rule = (await section.getByTestId('registration-error').textContent()).trim();
  assert(/RCI .* one letter and 5 or 6 digits, for example A12345/.test(rule), `the RCI rule reads "${rule}"`);
  await axe(page, 'profile with a wrong registration number');
  await shotOf(section, 'p01-profile-wrong-number');

  // Saved anyway, the Go side refuses with the same rule.
  await section.getByRole('button', { name: 'Save profile' }).click();
  await section.getByTestId('profile-error').waitFor({ timeout });
  assert(/registration number/.test(await section.getByTestId('profile-error').textContent()), 'the refusal does not name the registration number');

  await number.fill('CRR No. a-12345');
  await section.getByLabel('Valid until').fill('2029-03-31');
  await section.getByLabel('Specialisations').fill('anxiety, grief, workplace stress');
  await section.getByLabel('Therapeutic approaches').fill('CBT, ACT');
  await section.getByLabel('Hindi', { exact: true }).check();
  await section.getByRole('button', { name: 'Add a session type' }).click();
  await section.getByLabel('Session', { exact: true }).fill('Individual session');
  await section.getByLabel('Fee (₹)').fill('1500');
  await section.getByRole('button', { name: 'Save profile' }).click();
  await section.getByTestId('profile-message').waitFor({ timeout });
  assert((await number.inputValue()) === 'A12345', `the number was not normalised: ${await number.inputValue()}`);
  const got = await page.evaluate(() => window.go.app.App.ProfileGet());
  assert(got.profile.name === 'Dr Kavya Rao' && got.profile.credentials[0].registrationNumber === 'A12345' &&
    got.profile.sessionTypes[0].feePaise === 150000 && got.profile.languages.includes('hi'), `saved profile: ${JSON.stringify(got.profile)}`);
  await section.getByTestId('profile-submit').click();
  await page.waitForSelector('[data-testid="review-state"][data-state="submitted"]', { timeout });
  await axeBoth(page, 'profile submitted');
  await shotOf(section, 'p02-profile-submitted');
});

test('Settings → Practice: the PIN is checked; the practice saved', async (page) => {
  const section = await settingsSection(page, 'settings-practice');
  await section.getByLabel('Practice or clinic name').fill('Sukoon Clinic');
  await section.getByLabel('City').fill('Pune');
  await section.getByLabel('PIN code').fill('011001');
  await section.getByRole('button', { name: 'Save practice settings' }).click();
  const pin = (await section.getByTestId('pin-error').textContent()).trim();
  assert(/six digits and does not start with 0/.test(pin), `PIN message "${pin}"`);
  await section.getByLabel('PIN code').fill('411001');
  await section.getByLabel('Name and role').fill('Anil Deshmukh, Grievance Officer');
  await section.getByLabel('E-mail', { exact: true }).fill('grievance@sukoon.example.in');
  await section.getByRole('button', { name: 'Save practice settings' }).click();
  await section.getByTestId('practice-message').waitFor({ timeout });
  const pr = await page.evaluate(() => window.go.app.App.PracticeGet());
  assert(pr.name === 'Sukoon Clinic' && pr.address.pin === '411001' && pr.dateFormat === 'DD/MM/YYYY' && pr.currency === 'INR', `practice ${JSON.stringify(pr)}`);
  await axe(page, 'practice saved');
  await shotOf(section, 'p03-practice');
});

test('Settings → Privacy: what stays, what goes and why, never collected; choices saved', async (page) => {
  const section = await settingsSection(page, 'settings-privacy');
  const never = await section.getByTestId('privacy-never-sent').textContent();
  assert(/session notes/.test(never), `"never sent" reads: ${never}`);
  assert(/No analytics/.test(await section.getByTestId('privacy-not-collected').textContent()), 'no "no analytics" statement');
  assert(!(await section.getByTestId('marketing-emails').isChecked()), 'marketing e-mails are on by default');
  await section.getByRole('radio', { name: /Minimal/ }).check();
  await section.getByTestId('pause-matches').check();
  await section.getByRole('button', { name: 'Save privacy choices' }).click();
  await section.getByTestId('privacy-message').waitFor({ timeout });
  const pv = await page.evaluate(() => window.go.app.App.PrivacyGet());
  const pf = await page.evaluate(() => window.go.app.App.ProfileGet());
  assert(pv.diagnostics === 'minimal' && pf.profile.preferences.pauseNewMatches && pf.profile.reviewState === 'draft',
    `privacy ${JSON.stringify(pv)}, preferences ${JSON.stringify(pf.profile.preferences)} ${pf.profile.reviewState}`);
  await axeBoth(page, 'privacy');
  await shotOf(section, 'p04-privacy');
  // Leave the log as it was for anything after.
  await section.getByRole('radio', { name: /Standard/ }).check();
  await section.getByRole('button', { name: 'Save privacy choices' }).click();
  await page.waitForFunction(async () => (await window.go.app.App.PrivacyGet()).diagnostics === 'standard', undefined, { timeout });
});

test('A second profile: added, switched to, its own vault created, then the first-run profile step', async (page) => {
  const section = await settingsSection(page, 'settings-profiles');
  await section.getByLabel('This profile’s name on the picker').fill(firstLabel);
  await section.getByRole('button', { name: 'Rename' }).click();
  await section.getByText(`now called “${firstLabel}”`).waitFor({ timeout });
  await section.getByLabel('Add a profile for another practitioner').fill(secondLabel);
  await section.getByRole('button', { name: 'Add profile' }).click();
  await section.getByTestId('profile-added').waitFor({ timeout });
  await axe(page, 'profiles on this computer');
  await shotOf(section, 'p05-profiles-added');
  await section.getByTestId('switch-to-added').click();

  await page.waitForSelector('[data-testid="onboarding"]', { timeout: slow });
  assert((await page.getByRole('navigation', { name: 'Main' }).count()) === 0, 'the first profile’s shell is still mounted');
  assert((await page.getByTestId('onboarding-profile').textContent()).includes(secondLabel), 'onboarding does not name the new profile');
  const body = await page.evaluate(() => document.body.innerText);
  for (const name of firstClients) assert(!body.includes(name), `"${name}" is still on screen after the switch`);
  const st = await page.evaluate(() => window.go.app.App.Status());
  assert(!st.initialized, `the new profile already has a vault: ${JSON.stringify(st)}`);
  await assertStorageEmpty(page, 'after switching');
  await axe(page, 'onboarding of the second profile');
  await shot(page, 'p06-second-onboarding');

  await page.getByRole('button', { name: 'Get started' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill(secondPassphrase);
  await page.getByLabel('Repeat passphrase', { exact: true }).fill(secondPassphrase);
  const next = page.getByRole('button', { name: 'Continue', exact: true });
  await next.and(page.locator(':enabled')).waitFor({ timeout });
  await next.click();
  const codeOrKeychain = await page.waitForSelector('[data-testid="recovery-code"], [data-testid="keychain-problem"]', { timeout: slow });
  if ((await codeOrKeychain.getAttribute('data-testid')) === 'keychain-problem') {
    await page.getByTestId('accept-passphrase-only').check();
    await page.getByRole('button', { name: 'Continue with passphrase only' }).click();
    await page.waitForSelector('[data-testid="recovery-code"]', { timeout: slow });
  }
  const code = (await page.getByTestId('recovery-code').textContent()).trim();
  await page.getByRole('button', { name: /I have saved it/ }).click();
  await page.getByLabel('Recovery code').fill(code);
  await page.getByRole('button', { name: 'Confirm code' }).click();

  // The first-run profile step, with the council's rule on a wrong number.
  const form = page.getByTestId('first-run-profile');
  await form.waitFor({ timeout });
  await form.getByLabel('Your name, as clients should see it').fill(secondLabel);
  await form.getByLabel('Qualification').fill('MD Psychiatry');
  await form.getByLabel('Registering council').selectOption('nmc');
  const number = form.getByLabel('Registration number');
  await number.fill('MMC-99');
  await number.blur();
  const rule = (await form.getByTestId('registration-error').textContent()).trim();
  assert(/NMC .* up to 7 digits/.test(rule), `the NMC rule reads "${rule}"`);
  await axeBoth(page, 'first-run profile step with a wrong number');
  await shot(page, 'p07-first-run-profile');
  await number.fill('1234567');
  await form.getByLabel('Valid until').fill('2030-12-31');
  await form.getByLabel('Specialisations').fill('depression, addiction');
  await form.getByLabel('Marathi', { exact: true }).check();
  await form.getByLabel('Fee (₹)').fill('2000');
  await form.getByRole('button', { name: 'Save and continue' }).click();
  await page.waitForSelector('nav[aria-label="Main"]', { timeout });
  const pf = await page.evaluate(() => window.go.app.App.ProfileGet());
  assert(pf.profile.name === secondLabel && pf.profile.credentials[0].council === 'nmc' && pf.profile.credentials[0].registrationNumber === '1234567',
    `first-run profile: ${JSON.stringify(pf.profile)}`);
});

test('The second profile sees none of the first one’s clients', async (page) => {
  const list = await page.evaluate(() => window.go.app.App.ClientsList({ status: '', query: '' }));
  assert(list.clients.length === 0, `the second profile lists clients: ${list.clients.length}`);
  await goToScreen(page, 2);
  await page.waitForSelector('[data-testid="screen-clients"]', { timeout });
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout });
  const text = await page.evaluate(() => document.body.innerText);
  for (const name of firstClients) assert(!text.includes(name), `"${name}" shows in the second profile`);
  await page.keyboard.press('Control+k');
  await page.waitForSelector('[data-testid="search-palette"]', { timeout });
  await page.keyboard.type(firstClients[0].split(' ')[0]);
  await page.waitForTimeout(600);
  assert((await page.getByTestId('search-hit').count()) === 0, 'search finds the first profile’s client');
  await page.keyboard.press('Escape');
  await goToScreen(page, 0);
  assert((await page.getByTestId('profile-reminder').count()) === 0, 'Today reminds about a profile that was filled in');
  await assertStorageEmpty(page, 'in the second profile');
  await axeBoth(page, 'the second profile’s Today');
  await shot(page, 'p08-second-today');
});

test('Back to the first profile: the picker from the lock screen, its passphrase, its clients', async (page) => {
  await page.keyboard.press('Control+l');
  await page.waitForSelector('[data-testid="lock-screen"]', { timeout });
  assert((await page.getByTestId('lock-profile').textContent()).includes(secondLabel), 'the lock screen does not say whose profile it is');
  await page.getByRole('button', { name: 'Not you? Switch profile…' }).click();
  await page.waitForSelector('[data-testid="profile-picker"]', { timeout });
  const labels = await page.getByTestId('profile-choice').allTextContents();
  assert(labels.length === 2 && labels.some((l) => l.includes(firstLabel)) && labels.some((l) => l.includes(secondLabel)), `picker lists ${labels.join(' | ')}`);
  const focused = await page.evaluate(() => document.activeElement?.dataset.testid);
  assert(focused === 'profile-choice', `focus is on ${focused}, not a profile`);
  await axeBoth(page, 'profile picker');
  await shot(page, 'p09-picker');
  // Keyboard: to the first profile and Enter.
  const first = page.locator('[data-testid="profile-choice"]', { hasText: firstLabel });
  for (let i = 0; i < 2 && !(await first.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="lock-screen"]', { timeout: slow });
  assert((await page.getByTestId('lock-profile').textContent()).includes(firstLabel), 'the lock screen is not the first profile’s');
  await page.getByLabel('Passphrase', { exact: true }).fill(secondPassphrase);
  const unlock = page.getByRole('button', { name: 'Unlock', exact: true });
  await unlock.click();
  await page.waitForSelector('[data-testid="unlock-error"]', { timeout: slow });
  await unlock.and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
  await page.getByLabel('Passphrase', { exact: true }).fill(firstPassphrase);
  await unlock.click();
  await page.waitForSelector('nav[aria-label="Main"]', { timeout: slow });
  const list = await page.evaluate(() => window.go.app.App.ClientsList({ status: '', query: '' }));
  const names = list.clients.map((c) => c.name);
  assert(firstClients.every((n) => names.includes(n)), `the first profile’s clients: ${names.join(', ')}`);
  const pf = await page.evaluate(() => window.go.app.App.ProfileGet());
  assert(pf.profile.name === 'Dr Kavya Rao', `the first profile reads "${pf.profile.name}"`);
  await assertStorageEmpty(page, 'after switching back');
});

test('Removing a profile: refused while it holds records without a current encrypted copy; the empty one removed by name', async (page) => {
  let section = await settingsSection(page, 'settings-profiles');
  await section.getByTestId('remove-profile').click();
  let dialog = page.getByTestId('remove-profile-dialog');
  await dialog.waitFor({ timeout });
  await dialog.getByText(/This profile holds the records of \d+ clients?/).waitFor({ timeout: slow });
  const check = await page.evaluate(() => window.go.app.App.ProfileRemovalCheck());
  assert(check.clients > 0 && check.keepUntil !== '', `removal check: ${JSON.stringify(check)}`);
  if (!check.allowed) await dialog.getByTestId('removal-refusal').waitFor({ timeout });
  console.log(`      first profile: ${check.clients} clients, keep until ${check.keepUntil}, ${check.allowed ? `copy ${check.copy.kind}` : check.refusal}`);
  await axeBoth(page, 'removal dialog of a profile with records');
  await shotOf(dialog, 'p10-remove-refused');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout });

  // The second profile holds no clients: switch, unlock, remove it by typing its name.
  section = await settingsSection(page, 'settings-profiles');
  await section.locator('[data-testid="switch-to"]', { hasText: secondLabel }).click();
  await page.waitForSelector('[data-testid="lock-screen"]', { timeout: slow });
  await page.getByLabel('Passphrase', { exact: true }).fill(secondPassphrase);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await page.waitForSelector('nav[aria-label="Main"]', { timeout: slow });
  section = await settingsSection(page, 'settings-profiles');
  await section.getByTestId('remove-profile').click();
  dialog = page.getByTestId('remove-profile-dialog');
  await dialog.getByText('This profile holds no client records.').waitFor({ timeout: slow });
  const remove = dialog.getByRole('button', { name: 'Remove this profile' });
  await dialog.getByLabel(/Type the profile’s name/).fill('Dr Rahul');
  assert(await remove.isDisabled(), 'Remove is enabled with the wrong name');
  await dialog.getByLabel(/Type the profile’s name/).fill(secondLabel.toLowerCase());
  await axe(page, 'removal confirmation');
  await shotOf(dialog, 'p11-remove-confirm');
  await remove.click();
  await dialog.getByTestId('removal-receipt').waitFor({ timeout: slow });
  await dialog.getByRole('button', { name: 'Continue' }).click();
  // One profile left: straight to its lock screen, no picker.
  await page.waitForSelector('[data-testid="lock-screen"]', { timeout: slow });
  assert((await page.getByRole('button', { name: /Switch profile/ }).count()) === 0, 'a picker is offered with one profile left');
  const left = await page.evaluate(() => window.go.app.App.ProfilesList());
  assert(left.length === 1 && left[0].label === firstLabel && left[0].current, `profiles left: ${JSON.stringify(left)}`);
  await page.getByLabel('Passphrase', { exact: true }).fill(firstPassphrase);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await page.waitForSelector('nav[aria-label="Main"]', { timeout: slow });
  await assertStorageEmpty(page, 'at the end');
});
