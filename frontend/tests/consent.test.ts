import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import ConsentCapture from '../src/components/ConsentCapture.svelte';
import ConsentsPanel from '../src/components/ConsentsPanel.svelte';
import Requests from '../src/screens/Requests.svelte';
import type { ConsentEvent, ConsentNotice, ConsentState, RightsRequest } from '../src/api/consent';
import { countdown, isDueThisWeek, isOverdue } from '../src/lib/consent';

vi.mock('../src/api', () => import('./api-mock'));

const purposes = ['health-data', 'teleconsultation', 'recording'];

function notice(purpose: string, language = 'en'): ConsentNotice {
  return {
    id: `${purpose}.v1.${language}`, version: 1, language, purpose, sha256: 'ab'.repeat(32),
    title: language === 'hi' ? `सहमति: ${purpose}` : `Consent: ${purpose}`,
    text: language === 'hi' ? `हिन्दी सूचना ${purpose}` : `English notice for ${purpose}`,
  };
}

function event(over: Partial<ConsentEvent> = {}): ConsentEvent {
  return {
    id: 'ev1', seq: 1, clientId: 'c1', purpose: 'health-data', kind: 'grant', method: 'checkbox', channel: 'clinic',
    source: 'clinic', at: '2026-11-01T10:00:00Z', expiresAt: '', recordedAt: '2026-11-01T10:00:00Z', capturedBy: 'practitioner',
    noticeId: 'health-data.v1.en', noticeVersion: 1, noticeLanguage: 'en', noticeSha256: 'ab', categories: [], signedBy: '', note: '',
    ...over,
  };
}

function state(purpose: string, status: ConsentState['status'], ev: ConsentEvent | null = null, renewalVersion = 0): ConsentState {
  return { purpose, status, event: ev, notice: notice(purpose), notices: [notice(purpose), notice(purpose, 'hi')], renewalVersion };
}

describe('ConsentCapture', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.consentNotice.mockImplementation(async (p: string, l: string) => notice(p, l));
    api.consentGrant.mockImplementation(async (g: { purpose: string }) => event({ purpose: g.purpose }));
  });

  it('never pre-ticks: “I agree” starts unticked and Grant stays disabled until it is ticked by hand', async () => {
    const ondone = vi.fn();
    render(ConsentCapture, { clientId: 'c1', purposes: ['health-data'], ondone });
    await screen.findByText('English notice for health-data');
    const agree = screen.getByLabelText(/I agree/) as HTMLInputElement;
    const grant = screen.getByRole('button', { name: 'Grant consent' }) as HTMLButtonElement;
    expect(agree.checked).toBe(false);
    expect(grant.disabled).toBe(true);
    await fireEvent.click(grant);
    expect(api.consentGrant).not.toHaveBeenCalled();
    await fireEvent.click(agree);
    expect(agree.checked).toBe(true);
    expect(grant.disabled).toBe(false);
    await fireEvent.click(grant);
    await eventually(() => expect(ondone).toHaveBeenCalledWith(['health-data']));
    expect(api.consentGrant).toHaveBeenCalledTimes(1);
    expect(api.consentGrant).toHaveBeenCalledWith(expect.objectContaining({
      clientId: 'c1', purpose: 'health-data', method: 'checkbox', language: 'en',
    }));
  });

  it('shows each purpose separately with its own notice, one grant per purpose, never bundled', async () => {
    const ondone = vi.fn();
    render(ConsentCapture, { clientId: 'c1', purposes, ondone });
    await screen.findByText('English notice for health-data');
    expect(screen.queryByText('English notice for teleconsultation')).toBeNull();
    expect(screen.getAllByTestId('consent-notice')).toHaveLength(1);
    await fireEvent.click(screen.getByLabelText(/I agree/));
    await fireEvent.click(screen.getByRole('button', { name: 'Grant consent' }));

    // Second purpose: its own notice, and the box is unticked again.
    await screen.findByText('English notice for teleconsultation');
    expect((screen.getByLabelText(/I agree/) as HTMLInputElement).checked).toBe(false);
    expect((screen.getByRole('button', { name: 'Grant consent' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Not now — next purpose' }));

    await screen.findByText('English notice for recording');
    await fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    await eventually(() => expect(ondone).toHaveBeenCalledWith(['health-data']));
    expect(api.consentGrant).toHaveBeenCalledTimes(1);
    expect(api.consentNotice).toHaveBeenCalledWith('teleconsultation', 'en');
    expect(api.consentNotice).toHaveBeenCalledWith('recording', 'en');
  });

  it('switches the notice to Hindi and grants in the language shown', async () => {
    render(ConsentCapture, { clientId: 'c1', purposes: ['health-data'], ondone: vi.fn() });
    await screen.findByText('English notice for health-data');
    await fireEvent.click(screen.getByLabelText('हिन्दी'));
    const hi = await screen.findByText('हिन्दी सूचना health-data');
    expect(hi.closest('[lang]')?.getAttribute('lang')).toBe('hi');
    await fireEvent.click(screen.getByLabelText(/I agree/));
    await fireEvent.click(screen.getByRole('button', { name: 'Grant consent' }));
    await eventually(() => expect(api.consentGrant).toHaveBeenCalledWith(expect.objectContaining({ language: 'hi' })));
  });

  it('a signature needs the signer’s name', async () => {
    render(ConsentCapture, { clientId: 'c1', purposes: ['recording'], ondone: vi.fn() });
    await screen.findByText('English notice for recording');
    await fireEvent.click(screen.getByLabelText('The client signs'));
    const grant = screen.getByRole('button', { name: 'Grant consent' }) as HTMLButtonElement;
    expect(grant.disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('Signer’s full name'), { target: { value: 'Asha Verma' } });
    expect(grant.disabled).toBe(false);
    await fireEvent.click(grant);
    await eventually(() => expect(api.consentGrant).toHaveBeenCalledWith(expect.objectContaining({
      method: 'signature', signedBy: 'Asha Verma', purpose: 'recording',
    })));
  });
});

describe('ConsentsPanel', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.consentState.mockResolvedValue([
      state('health-data', 'granted', event()),
      state('teleconsultation', 'never'),
      state('recording', 'withdrawn', event({ id: 'ev2', purpose: 'recording', kind: 'withdraw', channel: 'phone' })),
    ]);
    api.consentHistory.mockResolvedValue([event(), event({ id: 'ev2', purpose: 'recording', kind: 'withdraw', channel: 'phone' })]);
  });

  it('shows the state of every purpose, with Grant or Withdraw', async () => {
    render(ConsentsPanel, { clientId: 'c1' });
    const rows = await screen.findAllByTestId('consent-row');
    expect(rows.map((r) => r.dataset.status)).toEqual(['granted', 'never', 'withdrawn']);
    expect(within(rows[0]).getByText('Granted')).toBeTruthy();
    expect(within(rows[0]).getByRole('button', { name: 'Withdraw: Health information' })).toBeTruthy();
    expect(within(rows[1]).getByText('Never given')).toBeTruthy();
    expect(within(rows[1]).getByRole('button', { name: 'Grant: Online sessions' })).toBeTruthy();
    expect(within(rows[2]).getByText(/Withdrawn .* by phone/)).toBeTruthy();
  });

  it('a consent flagged for renewal says so and offers to ask again', async () => {
    api.consentState.mockResolvedValue([state('health-data', 'granted', event(), 2), state('teleconsultation', 'never')]);
    render(ConsentsPanel, { clientId: 'c1' });
    const rows = await screen.findAllByTestId('consent-row');
    expect(within(rows[0]).getByTestId('renewal-due').textContent).toMatch(/Renewal due/);
    expect(within(rows[0]).getByText(/Given under notice version 1; version 2 changed what it covers/)).toBeTruthy();
    expect(within(rows[0]).getByRole('button', { name: 'Ask again: Health information' })).toBeTruthy();
    expect(within(rows[0]).getByRole('button', { name: 'Withdraw: Health information' })).toBeTruthy();
    expect(within(rows[1]).queryByTestId('renewal-due')).toBeNull();
  });

  it('withdraw: one button, a confirmation with channel and note, then the API', async () => {
    api.consentWithdraw.mockResolvedValue(event({ id: 'ev3', kind: 'withdraw' }));
    const onchange = vi.fn();
    render(ConsentsPanel, { clientId: 'c1', onchange });
    await fireEvent.click(await screen.findByRole('button', { name: 'Withdraw: Health information' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/Withdraw consent: Health information\?/)).toBeTruthy();
    await fireEvent.change(within(dialog).getByLabelText('How the client told you'), { target: { value: 'email' } });
    await fireEvent.input(within(dialog).getByLabelText('Note (optional)'), { target: { value: 'by mail' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Withdraw consent' }));
    await eventually(() => expect(api.consentWithdraw).toHaveBeenCalledWith({
      clientId: 'c1', purpose: 'health-data', channel: 'email', note: 'by mail',
    }));
    await eventually(() => expect(onchange).toHaveBeenCalled());
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((await screen.findByTestId('consent-message')).textContent).toMatch(/withdrawn: Health information/);
  });

  it('a receipt downloads the document as a Blob', async () => {
    api.consentReceipt.mockResolvedValue({ eventId: 'ev1', format: 'fhir', contentType: 'application/fhir+json', fileName: 'consent-ev1.fhir.json', json: '{"resourceType":"Consent"}' });
    const created = vi.fn((_b: Blob) => 'blob:x');
    URL.createObjectURL = created as unknown as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    render(ConsentsPanel, { clientId: 'c1' });
    const events = await screen.findAllByTestId('consent-event');
    await fireEvent.click(within(events[1]).getByRole('button', { name: 'FHIR Consent (JSON)' }));
    await eventually(() => expect(click).toHaveBeenCalled());
    expect(api.consentReceipt).toHaveBeenCalledWith('ev1', 'fhir');
    expect(created.mock.calls[0][0]).toBeInstanceOf(Blob);
    click.mockRestore();
  });
});

function request(over: Partial<RightsRequest> = {}): RightsRequest {
  return {
    id: 'r1', clientId: 'c1', kind: 'erasure', source: 'clinic', status: 'verified', purpose: '', platformRef: '',
    receivedAt: '2026-10-01T10:00:00Z', verificationMethod: 'in_person_id', verifiedBy: 'practitioner',
    verifiedAt: '2026-10-01T10:00:00Z', dueAt: '2026-10-31T10:00:00Z', closedAt: '', refusalReason: '', outcomeRef: '',
    overdue: false, dueThisWeek: false, certificateId: '', details: '', ...over,
  };
}

describe('rights due dates', () => {
  const now = Date.parse('2026-11-04T06:00:00Z'); // a Wednesday in India

  it('marks overdue and due-this-week, ignoring closed and unverified requests', () => {
    expect(isOverdue(request(), now)).toBe(true);
    expect(isOverdue(request({ status: 'fulfilled' }), now)).toBe(false);
    expect(isOverdue(request({ status: 'received', dueAt: '' }), now)).toBe(false);
    expect(isDueThisWeek(request({ dueAt: '2026-11-07T10:00:00Z' }), now)).toBe(true);
    expect(isDueThisWeek(request({ dueAt: '2026-11-12T10:00:00Z' }), now)).toBe(false);
    expect(countdown('2026-12-04T06:00:00Z', now)).toBe('due in 30 days');
    expect(countdown('2026-11-02T06:00:00Z', now)).toBe('overdue by 2 days');
  });
});

describe('Requests screen', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.clientsList.mockResolvedValue({ clients: [{ id: 'c1', name: 'Asha Verma' }], unreadable: [] });
  });

  it('overdue requests stand out and are counted at the top', async () => {
    const day = 24 * 60 * 60 * 1000;
    api.rightsList.mockResolvedValue([
      request({ id: 'late', dueAt: new Date(Date.now() - 2 * day).toISOString() }),
      request({ id: 'later', kind: 'access', dueAt: new Date(Date.now() + 20 * day).toISOString() }),
      request({ id: 'new', status: 'received', dueAt: '', verifiedAt: '' }),
    ]);
    render(Requests);
    const cards = await screen.findAllByTestId('rights-request');
    expect(cards.map((c) => c.dataset.overdue)).toEqual(['true', 'false', 'false']);
    expect(cards[0].classList.contains('overdue')).toBe(true);
    expect(within(cards[0]).getByText(/overdue by 2 days/)).toBeTruthy();
    expect(within(cards[1]).getByText(/due in (19|20) days/)).toBeTruthy();
    expect(within(cards[2]).getByText('The clock starts when identity is verified.')).toBeTruthy();
    expect(within(screen.getByTestId('summary-overdue')).getByText('1')).toBeTruthy();
    expect(screen.getByTestId('summary-overdue').classList.contains('alarm')).toBe(true);
    expect(within(screen.getByTestId('summary-unverified')).getByText('1')).toBeTruthy();
    expect(screen.getByText('Grievances and takedown notices', { selector: 'h2:not(.visually-hidden)' })).toBeTruthy();
  });

  it('verify identity sends the method', async () => {
    api.rightsList.mockResolvedValue([request({ status: 'received', dueAt: '', verifiedAt: '' })]);
    api.rightsVerify.mockResolvedValue(request());
    render(Requests);
    await fireEvent.click(await screen.findByRole('button', { name: 'Verify identity…' }));
    const dialog = await screen.findByRole('dialog');
    await fireEvent.change(within(dialog).getByLabelText('How identity was verified'), { target: { value: 'in_person_id' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Record verification' }));
    await eventually(() => expect(api.rightsVerify).toHaveBeenCalledWith({ id: 'r1', method: 'in_person_id' }));
  });

  it('shows a fulfilled erasure’s certificate', async () => {
    api.rightsList.mockResolvedValue([request({ status: 'fulfilled', closedAt: '2026-10-02T10:00:00Z', certificateId: 'cert1', outcomeRef: 'certificate:cert1' })]);
    api.erasureCertificate.mockResolvedValue({ id: 'cert1', kind: 'erasure', clientId: 'c1', requestId: 'r1', erasedAt: '2026-10-02T10:00:00Z', holdUntil: '2033-10-02T00:00:00Z', sha256: 'ab', json: '{}', text: 'ERASURE CERTIFICATE\nErased: contact details' });
    render(Requests);
    await fireEvent.click(await screen.findByText(/Closed requests/));
    await fireEvent.click(screen.getByRole('button', { name: 'Erasure certificate' }));
    expect((await screen.findByTestId('certificate-text')).textContent).toMatch(/Erased: contact details/);
    expect(api.erasureCertificate).toHaveBeenCalledWith('cert1');
  });
});

describe('ClientPage: a note refused for want of consent', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.clientGet.mockResolvedValue({ id: 'c1', rev: 1, name: 'Asha Verma', status: 'active', emergencyContact: {} });
    api.notesForClient.mockResolvedValue([]);
    api.sessionsForClient.mockResolvedValue({ zone: 'Asia/Kolkata', bookings: [], unreadable: [] });
    api.clientHistory.mockResolvedValue([]);
    api.clientReasons.mockResolvedValue([]);
    api.templates.mockResolvedValue([{ id: 'soap', name: 'SOAP' }]);
    api.consentState.mockResolvedValue([state('health-data', 'never')]);
    api.consentHistory.mockResolvedValue([]);
    api.noteCreate.mockRejectedValue('consent_required: consent required: health-data');
  });

  it('shows the refusal with a button that takes the user to Consents', async () => {
    const { default: ClientPage } = await import('../src/screens/ClientPage.svelte');
    render(ClientPage, { clientId: 'c1' });
    await fireEvent.click(await screen.findByRole('button', { name: 'New note' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Create note' }));
    const alert = await screen.findByTestId('consent-required');
    expect(alert.textContent).toMatch(/Consent needed first/);
    await fireEvent.click(within(alert).getByRole('button', { name: 'Go to Consents' }));
    await eventually(() => expect(document.activeElement?.id).toBe('consents-heading'));
    const row = screen.getByTestId('consent-row');
    expect(row.classList.contains('flash')).toBe(true);
  });
});
