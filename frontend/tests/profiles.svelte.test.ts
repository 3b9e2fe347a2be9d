import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import { statusFixture } from './fixtures';
import type { PractitionerProfile, ProfileEntry, Removal } from '../src/api/profile';
import { normalizeRegistration, registrationProblem, warningText } from '../src/lib/councils';
import PractitionerForm from '../src/components/PractitionerForm.svelte';
import ProfilePicker from '../src/components/ProfilePicker.svelte';
import ProfileSettings from '../src/screens/settings/Profile.svelte';
import PracticeSettings from '../src/screens/settings/Practice.svelte';
import Privacy from '../src/screens/settings/Privacy.svelte';
import Profiles from '../src/screens/settings/Profiles.svelte';
import App from '../src/App.svelte';
import Onboarding from '../src/screens/Onboarding.svelte';
import ProfileReminder from '../src/components/ProfileReminder.svelte';
import { onLockClear } from '../src/lib/sensitive';
import { onProfileSwitch } from '../src/lib/profileSwitch';
import { profileSaved } from '../src/lib/profileEvents';

vi.mock('../src/api', () => import('./api-mock'));

const pf = vi.hoisted(() => ({
  profileGet: vi.fn(),
  profileSave: vi.fn(),
  profileSubmit: vi.fn(),
  practiceGet: vi.fn(),
  practiceSave: vi.fn(),
  profilesList: vi.fn(),
  profileAdd: vi.fn(),
  profileSwitch: vi.fn(),
  profileRename: vi.fn(),
  profileRemovalCheck: vi.fn(),
  profileRemove: vi.fn(),
  privacyGet: vi.fn(),
  privacySave: vi.fn(),
}));
vi.mock('../src/api/profile', () => pf);

function profileFixture(over: Partial<PractitionerProfile> = {}): PractitionerProfile {
  return {
    rev: 3,
    reviewState: 'draft',
    name: 'Dr Meera Iyer',
    contact: { email: 'meera@example.in' },
    credentials: [{ qualification: 'M.Phil Clinical Psychology', council: 'rci', registrationNumber: 'A12345', validUntil: '2027-03-31' }],
    specialisations: ['anxiety'],
    approaches: ['CBT'],
    languages: ['en', 'hi'],
    sessionTypes: [{ name: 'Individual session', minutes: 50, feePaise: 150000, modality: 'online' }],
    bio: '',
    demographics: {},
    preferences: { pauseNewMatches: false, marketingEmails: false },
    ...over,
  };
}

const twoProfiles: ProfileEntry[] = [
  { id: '_main', label: 'Meera', legacy: true, current: true },
  { id: 'rahul', label: 'Rahul', legacy: false, current: false },
];

beforeEach(() => {
  vi.resetAllMocks();
  api.onEvent.mockImplementation(() => () => {});
});

describe('council rules', () => {
  it('normalises like the Go side and names the rule of the chosen council', () => {
    expect(normalizeRegistration('rci', 'CRR No. a-12345')).toBe('A12345');
    expect(registrationProblem('rci', 'CRR No. a-12345')).toBe('');
    expect(registrationProblem('rci', '98765')).toMatch(/^An RCI \(Central Rehabilitation Register\) number is one letter and 5 or 6 digits/);
    expect(registrationProblem('nmc', 'MMC123')).toMatch(/^An NMC .* up to 7 digits/);
    expect(registrationProblem('mmc', '2012/03/1234')).toBe('');
    expect(registrationProblem('rci', '')).toMatch(/^Enter the registration number/);
    expect(registrationProblem('other', '')).toBe('');
    expect(registrationProblem('none', 'X1')).toMatch(/leave the number empty/);
    expect(warningText({ code: 'registration_expiring', credential: 1, days: 12, message: '' })).toBe('Registration 1 expires in 12 days.');
  });
});

describe('PractitionerForm', () => {
  it('shows the council’s rule when a number does not fit, and follows a change of council', async () => {
    const value = $state(profileFixture({ credentials: [{ qualification: 'M.Phil', council: 'rci', registrationNumber: '' }] }));
    render(PractitionerForm, { value, idPrefix: 't' });
    const no = screen.getByLabelText('Registration number') as HTMLInputElement;
    await fireEvent.input(no, { target: { value: '98765' } });
    expect(screen.queryByTestId('registration-error')).toBeNull(); // not while typing
    await fireEvent.blur(no);
    expect(screen.getByTestId('registration-error').textContent).toMatch(/one letter and 5 or 6 digits, for example A12345/);
    expect(no.getAttribute('aria-invalid')).toBe('true');

    await fireEvent.change(screen.getByLabelText('Registering council'), { target: { value: 'nmc' } });
    expect(value.credentials[0].council).toBe('nmc');
    expect(screen.queryByTestId('registration-error')).toBeNull(); // 98765 is an NMC number
    await fireEvent.input(no, { target: { value: 'MMC123' } });
    expect(screen.getByTestId('registration-error').textContent).toMatch(/^An NMC .* up to 7 digits/);
    await fireEvent.change(screen.getByLabelText('Registering council'), { target: { value: 'state_medical' } });
    expect(screen.getByLabelText('Name of the council or body')).toBeTruthy();
    expect(screen.queryByTestId('registration-error')).toBeNull(); // fits the generic rule
    await fireEvent.change(screen.getByLabelText('Registering council'), { target: { value: 'none' } });
    expect(screen.queryByLabelText('Registration number')).toBeNull();
    expect(value.credentials[0].registrationNumber).toBe('');

    await fireEvent.input(screen.getByLabelText('Specialisations'), { target: { value: 'grief, , trauma ' } });
    expect(value.specialisations).toEqual(['grief', 'trauma']);
    await fireEvent.input(screen.getByLabelText('Fee (₹)'), { target: { value: '1200' } });
    expect(value.sessionTypes[0].feePaise).toBe(120000);
  });
});

describe('First run: the practitioner profile step', () => {
  it('comes after the recovery kit, shows the council’s rule, and saves before finishing', async () => {
    const code = 'ABCD-EFGH-JKLM-NPQR';
    api.checkPassphrase.mockResolvedValue({ score: 4, acceptable: true, warning: '', suggestions: [], crackTime: '' });
    api.createVault.mockResolvedValue({ recoveryCode: code, recoveryKitPDF: '' });
    api.confirmRecoveryCode.mockResolvedValue(undefined);
    api.status.mockResolvedValue(statusFixture({ initialized: true, locked: false }));
    const oncomplete = vi.fn();
    render(Onboarding, { status: statusFixture({ initialized: false }), oncomplete });
    await fireEvent.click(screen.getByRole('button', { name: 'Get started' }));
    const pass = 'correct horse battery staple orchard';
    await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: pass } });
    await fireEvent.input(screen.getByLabelText('Repeat passphrase'), { target: { value: pass } });
    const next = screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement;
    await eventually(() => expect(next.disabled).toBe(false));
    await fireEvent.click(next);
    await fireEvent.click(await screen.findByRole('button', { name: /I have saved it/ }));
    await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: code } });
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm code' }));
    const form = await screen.findByTestId('first-run-profile');

    await fireEvent.click(within(form).getByRole('button', { name: 'Save and continue' }));
    expect(screen.getByRole('alert').textContent).toBe('Enter your name, or choose Later.');
    await fireEvent.input(within(form).getByLabelText('Your name, as clients should see it'), { target: { value: 'Dr Meera Iyer' } });
    await fireEvent.input(within(form).getByLabelText('Qualification'), { target: { value: 'M.Phil' } });
    const no = within(form).getByLabelText('Registration number');
    await fireEvent.input(no, { target: { value: '12345' } });
    await fireEvent.blur(no);
    expect(within(form).getByTestId('registration-error').textContent).toMatch(/one letter and 5 or 6 digits/);
    pf.profileSave.mockImplementation(async (p: PractitionerProfile) => ({ profile: { ...p, rev: 1 }, warnings: [] }));
    await fireEvent.input(no, { target: { value: 'A12345' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save and continue' }));
    await eventually(() => expect(oncomplete).toHaveBeenCalledTimes(1));
    const saved = pf.profileSave.mock.calls[0][0] as PractitionerProfile;
    expect(saved).toMatchObject({ name: 'Dr Meera Iyer', languages: ['en'] });
    expect(saved.credentials).toEqual([{ qualification: 'M.Phil', council: 'rci', registrationNumber: 'A12345', validFrom: '', validUntil: '' }]);
  });
});

describe('Settings → Profile', () => {
  it('shows the review state with the platform’s comment, the council rule on a refused number, and submits', async () => {
    pf.profileGet.mockResolvedValue({
      profile: profileFixture({ reviewState: 'changes_requested', reviewComment: 'Please add your RCI renewal date.' }),
      warnings: [{ code: 'registration_expiring', credential: 1, days: 30, message: 'x' }],
    });
    render(ProfileSettings);
    const state = await screen.findByTestId('review-state');
    expect(state.dataset.state).toBe('changes_requested');
    expect(state.textContent).toContain('Changes requested');
    expect(screen.getByTestId('review-comment').textContent).toContain('Please add your RCI renewal date.');
    expect(screen.getByTestId('registration-warnings').textContent).toContain('Registration 1 expires in 30 days.');
    const submit = screen.getByTestId('profile-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(false);

    // A number the Go side refuses: the field says the council's rule.
    await fireEvent.input(screen.getByLabelText('Registration number'), { target: { value: '12' } });
    expect(submit.disabled).toBe(true); // unsaved changes are not submitted
    pf.profileSave.mockRejectedValueOnce(
      'invalid: profile: credential 1: registration number does not look like a rci number (e.g. A12345); choose council other if yours differs',
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    await eventually(() => expect(screen.getByTestId('registration-error').textContent).toMatch(/one letter and 5 or 6 digits/));
    expect(pf.profileSave.mock.calls[0][0].credentials[0].registrationNumber).toBe('12');

    await fireEvent.input(screen.getByLabelText('Registration number'), { target: { value: 'a-23456' } });
    pf.profileSave.mockImplementationOnce(async (p: PractitionerProfile) => ({
      profile: { ...p, rev: 4, reviewState: 'draft', credentials: [{ ...p.credentials[0], registrationNumber: 'A23456' }] },
      warnings: [],
    }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    await screen.findByTestId('profile-message');
    expect((screen.getByLabelText('Registration number') as HTMLInputElement).value).toBe('A23456');
    expect(screen.getByTestId('review-comment')).toBeTruthy(); // still in view after the edit answering it
    pf.profileSubmit.mockResolvedValue({ ...profileFixture(), rev: 4, reviewState: 'submitted' });
    await fireEvent.click(screen.getByTestId('profile-submit'));
    await eventually(() => expect(screen.getByTestId('review-state').dataset.state).toBe('submitted'));
    expect(screen.queryByTestId('review-comment')).toBeNull();
  });
});

describe('Settings → Practice', () => {
  it('checks the PIN before saving and saves the settings', async () => {
    pf.practiceGet.mockResolvedValue({
      rev: 0, name: '', address: { country: 'IN' }, contact: {}, grievance: {}, defaultSessionMinutes: 50, defaultFeePaise: 0,
      timeZone: 'Asia/Kolkata', noteTemplate: 'soap', dateFormat: 'DD/MM/YYYY', numberFormat: 'en-IN', currency: 'INR',
    });
    pf.practiceSave.mockImplementation(async (p) => ({ ...p, rev: 1 }));
    render(PracticeSettings);
    await fireEvent.input(await screen.findByLabelText('Practice or clinic name'), { target: { value: 'Sukoon Clinic' } });
    await fireEvent.input(screen.getByLabelText('PIN code'), { target: { value: '011001' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save practice settings' }));
    expect(screen.getByTestId('pin-error').textContent).toMatch(/six digits and does not start with 0/);
    expect(pf.practiceSave).not.toHaveBeenCalled();
    await fireEvent.input(screen.getByLabelText('PIN code'), { target: { value: '411001' } });
    await fireEvent.input(screen.getByLabelText('Session fee (₹)'), { target: { value: '1500' } });
    expect(screen.getByText('₹1,500')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Save practice settings' }));
    await screen.findByTestId('practice-message');
    const saved = pf.practiceSave.mock.calls[0][0];
    expect(saved).toMatchObject({ name: 'Sukoon Clinic', defaultFeePaise: 150000, dateFormat: 'DD/MM/YYYY', currency: 'INR' });
    expect(saved.address.pin).toBe('411001');
  });
});

describe('Settings → Privacy', () => {
  it('says what goes where, saves the log level here and the platform choices with the profile', async () => {
    pf.privacyGet.mockResolvedValue({ diagnostics: 'standard' });
    pf.profileGet.mockResolvedValue({ profile: profileFixture({ reviewState: 'approved' }), warnings: [] });
    pf.privacySave.mockImplementation(async (p) => p);
    pf.profileSave.mockImplementation(async (p: PractitionerProfile) => ({ profile: { ...p, rev: 4, reviewState: 'draft' }, warnings: [] }));
    render(Privacy);
    expect((await screen.findByTestId('privacy-never-sent')).textContent).toMatch(/session notes, psychotherapy notes/);
    expect(screen.getByTestId('privacy-not-collected').textContent).toMatch(/No analytics/);
    expect((screen.getByTestId('marketing-emails') as HTMLInputElement).checked).toBe(false);

    await fireEvent.click(screen.getByLabelText(/Minimal/));
    await fireEvent.click(screen.getByTestId('pause-matches'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save privacy choices' }));
    await screen.findByTestId('privacy-message');
    expect(pf.privacySave).toHaveBeenCalledWith({ diagnostics: 'minimal' });
    expect(pf.profileSave.mock.calls[0][0].preferences).toEqual({ pauseNewMatches: true, marketingEmails: false });
    expect(screen.getByTestId('privacy-message').textContent).toMatch(/when you submit your profile/);
    pf.profileSubmit.mockResolvedValue({ ...profileFixture(), rev: 4, reviewState: 'submitted' });
    await fireEvent.click(screen.getByRole('button', { name: 'Submit profile now' }));
    await eventually(() => expect(pf.profileSubmit).toHaveBeenCalledTimes(1));
  });

  it('keeps the platform choices off until there is a profile to carry them', async () => {
    pf.privacyGet.mockResolvedValue({ diagnostics: 'standard' });
    pf.profileGet.mockResolvedValue({ profile: profileFixture({ rev: 0, name: '' }), warnings: [] });
    render(Privacy);
    await screen.findByText(/Fill in your profile first/);
    expect((screen.getByTestId('pause-matches') as HTMLInputElement).closest('fieldset')!.disabled).toBe(true);
    // Saved meanwhile in Settings → Profile: the choices open up without leaving the page.
    profileSaved(profileFixture({ rev: 1 }), 'profile');
    await eventually(() => expect((screen.getByTestId('pause-matches') as HTMLInputElement).closest('fieldset')!.disabled).toBe(false));
  });
});

describe('ProfilePicker', () => {
  it('starts on the profile used last, moves with the arrow keys, and adds a profile', async () => {
    const onchoose = vi.fn();
    render(ProfilePicker, { profiles: [...twoProfiles, { id: 'asha', label: 'Asha', legacy: false, current: false }], onchoose });
    const choices = await screen.findAllByTestId('profile-choice');
    await eventually(() => expect(document.activeElement).toBe(choices[0]));
    await fireEvent.keyDown(choices[0], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(choices[1]);
    await fireEvent.keyDown(choices[1], { key: 'End' });
    expect(document.activeElement).toBe(choices[2]);
    await fireEvent.keyDown(choices[2], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(choices[0]);
    await fireEvent.click(choices[1]);
    expect(onchoose).toHaveBeenCalledWith('rahul');

    await fireEvent.click(screen.getByRole('button', { name: 'Add a profile…' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Add and set up' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Give the new profile a name/);
    pf.profileAdd.mockResolvedValue({ id: 'dr-kavya', label: 'Dr Kavya', legacy: false, current: false });
    await fireEvent.input(screen.getByLabelText('Name of the new profile'), { target: { value: 'Dr Kavya' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add and set up' }));
    await eventually(() => expect(onchoose).toHaveBeenLastCalledWith('dr-kavya'));
  });
});

describe('Settings → Profiles on this computer', () => {
  const refused: Removal = {
    label: 'Meera', initialized: true, clients: 2, keepUntil: '2033-03-01', copy: null, copyCurrent: false, allowed: false,
    refusal: 'needs_encrypted_copy', message: 'This profile holds client records, which must be kept for 7 years after the last session.',
  };
  const allowed: Removal = {
    ...refused, allowed: true, refusal: '', message: '', copyCurrent: true,
    copy: { kind: 'export', id: 'e1', at: '2026-03-01T09:00:00Z', name: 'calmally-practice-export.zip.age', sha256: 'ab', clients: 2, withheld: 1 },
  };

  it('refuses removal without an encrypted copy, then removes after the name is typed and says where the records are', async () => {
    pf.profilesList.mockResolvedValue(twoProfiles);
    const switched = vi.fn(async () => {});
    const off = onProfileSwitch(switched);
    render(Profiles);
    await screen.findByRole('button', { name: 'Switch to Rahul' });

    pf.profileRemovalCheck.mockResolvedValueOnce(refused);
    await fireEvent.click(screen.getByTestId('remove-profile'));
    const dialog = await screen.findByTestId('remove-profile-dialog');
    await within(dialog).findByTestId('removal-refusal');
    expect(within(dialog).queryByLabelText(/Type the profile’s name/)).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Export all clients…' })).toBeTruthy();

    pf.profileRemovalCheck.mockResolvedValueOnce(allowed);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Check again' }));
    const copy = await within(dialog).findByTestId('removal-copy');
    expect(copy.textContent).toMatch(/calmally-practice-export\.zip\.age/);
    expect(copy.textContent).toMatch(/keep that file safe until 1 March 2033/);
    expect(copy.textContent).toMatch(/left out 1 item/);
    const go = within(dialog).getByRole('button', { name: 'Remove this profile' }) as HTMLButtonElement;
    expect(go.disabled).toBe(true);
    await fireEvent.input(within(dialog).getByLabelText(/Type the profile’s name/), { target: { value: 'meera ' } });
    expect(go.disabled).toBe(false);
    pf.profileRemove.mockResolvedValue({
      removal: allowed, profiles: [{ id: 'rahul', label: 'Rahul', legacy: false, current: true }], status: statusFixture(),
    });
    await fireEvent.click(go);
    const receipt = await screen.findByTestId('removal-receipt');
    expect(pf.profileRemove).toHaveBeenCalledWith('meera ');
    const said = receipt.textContent!.replace(/\s+/g, ' ');
    expect(said).toMatch(/records of 2 clients are now kept only in the encrypted export calmally-practice-export\.zip\.age/);
    expect(said).toMatch(/until at least 1 March 2033/);
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(switched).toHaveBeenCalledWith('rahul');
    off();
  });

  it('switches through the top level and shows its refusal', async () => {
    pf.profilesList.mockResolvedValue(twoProfiles);
    const off = onProfileSwitch(async () => {
      throw 'conflict: an export is running: wait for it or cancel it first';
    });
    render(Profiles);
    await fireEvent.click(await screen.findByRole('button', { name: 'Switch to Rahul' }));
    await eventually(() => expect(screen.getByRole('alert').textContent).toBe('An export is running: wait for it or cancel it first'));
    off();
  });
});

describe('App with several profiles', () => {
  it('asks who is using CalmAlly at start, switches, and forgets the previous profile', async () => {
    api.status.mockResolvedValue(statusFixture({ locked: true }));
    pf.profilesList.mockResolvedValue(twoProfiles);
    const cleared = vi.fn();
    const off = onLockClear(cleared);
    render(App);
    await screen.findByTestId('profile-picker');

    // The current one: straight to its lock screen, which offers the picker again.
    await fireEvent.click(screen.getAllByTestId('profile-choice')[0]);
    await screen.findByTestId('lock-screen');
    expect(screen.getByTestId('lock-profile').textContent).toBe('Profile: Meera');
    await fireEvent.click(screen.getByRole('button', { name: 'Not you? Switch profile…' }));
    await screen.findByTestId('profile-picker');

    // Another: the Go side switches; a new profile goes to onboarding.
    pf.profileSwitch.mockResolvedValue(statusFixture({ initialized: false, locked: true }));
    pf.profilesList.mockResolvedValue([{ ...twoProfiles[0], current: false }, { ...twoProfiles[1], current: true }]);
    await fireEvent.click(screen.getAllByTestId('profile-choice')[1]);
    await screen.findByTestId('onboarding');
    expect(pf.profileSwitch).toHaveBeenCalledWith('rahul');
    expect(cleared).toHaveBeenCalled();
    expect(screen.getByTestId('onboarding-profile').textContent).toContain('Rahul');
    expect(screen.getByRole('button', { name: 'Remove this new profile' })).toBeTruthy();
    off();
  });

  it('opens straight on the only profile', async () => {
    api.status.mockResolvedValue(statusFixture({ locked: true }));
    pf.profilesList.mockResolvedValue([twoProfiles[0]]);
    render(App);
    await screen.findByTestId('lock-screen');
    expect(screen.queryByRole('button', { name: /Switch profile/ })).toBeNull();
    expect(screen.queryByTestId('lock-profile')).toBeNull();
  });
});

describe('Today’s reminder', () => {
  it('reminds gently when the profile was left for later, and says nothing when it is filled in', async () => {
    pf.profileGet.mockResolvedValueOnce({ profile: profileFixture({ rev: 0, name: '' }), warnings: [] });
    const onnavigate = vi.fn();
    const first = render(ProfileReminder, { onnavigate });
    const card = await screen.findByTestId('profile-reminder');
    expect(card.textContent).toContain('Your profile is not filled in yet');
    await fireEvent.click(within(card).getByRole('button', { name: 'Fill in your profile' }));
    expect(onnavigate).toHaveBeenCalledWith('settings');
    first.unmount();

    pf.profileGet.mockResolvedValueOnce({
      profile: profileFixture(),
      warnings: [{ code: 'registration_expired', credential: 1, days: 3, message: '' }, { code: 'registration_no_expiry', credential: 2, days: 0, message: '' }],
    });
    const second = render(ProfileReminder, { onnavigate });
    const again = await screen.findByTestId('profile-reminder');
    expect(again.textContent).toContain('Registration 1 expired 3 days ago.');
    expect(again.textContent).not.toContain('Registration 2');
    second.unmount();

    pf.profileGet.mockResolvedValueOnce({ profile: profileFixture(), warnings: [] });
    render(ProfileReminder, { onnavigate });
    await eventually(() => expect(pf.profileGet).toHaveBeenCalledTimes(3));
    await Promise.resolve();
    expect(screen.queryByTestId('profile-reminder')).toBeNull();
  });
});
