// Registering councils as the profile form shows them, with each council's rule
// for registration numbers in words. The patterns mirror
// internal/profile/registration.go so the form can say what is wrong while the
// practitioner types; the Go side decides on save (its refusal names the same rule).
import type { Council, RegistrationWarning } from '../api/profile';

export interface CouncilInfo {
  code: Council;
  name: string;
  /** The rule in words, shown under the number field and when a number does not fit. */
  rule: string;
  example: string;
  needsNumber: boolean;
  /** The council's own name must be typed (state councils, other bodies). */
  named: boolean;
  pattern: RegExp | null;
}

const generic = /^[A-Z0-9][A-Z0-9/-]{1,29}$/;

export const councils: CouncilInfo[] = [
  {
    code: 'rci',
    name: 'Rehabilitation Council of India (RCI)',
    rule: 'An RCI (Central Rehabilitation Register) number is one letter and 5 or 6 digits, for example A12345.',
    example: 'A12345',
    needsNumber: true,
    named: false,
    pattern: /^[A-Z][0-9]{5,6}$/,
  },
  {
    code: 'nmc',
    name: 'National Medical Commission (NMC)',
    rule: 'An NMC (Indian Medical Register) number is up to 7 digits, for example 1234567.',
    example: '1234567',
    needsNumber: true,
    named: false,
    pattern: /^[0-9]{1,7}$/,
  },
  {
    code: 'mmc',
    name: 'Maharashtra Medical Council (MMC)',
    rule: 'An MMC number is year/month/serial, for example 2012/03/1234, or up to 6 digits with an optional letter in front.',
    example: '2012/03/1234',
    needsNumber: true,
    named: false,
    pattern: /^([0-9]{4}\/[0-9]{2}\/[0-9]{1,5}|[A-Z]?[0-9]{1,6})$/,
  },
  {
    code: 'state_medical',
    name: 'Another state medical council',
    rule: 'Letters, digits, “/” and “-”, 2 to 30 characters, for example MP-12345. Type the council’s name too.',
    example: 'MP-12345',
    needsNumber: true,
    named: true,
    pattern: generic,
  },
  {
    code: 'other',
    name: 'Another body',
    rule: 'Letters, digits, “/” and “-”, 2 to 30 characters (optional). Type the body’s name too.',
    example: 'ABC/123',
    needsNumber: false,
    named: true,
    pattern: generic,
  },
  {
    code: 'none',
    name: 'No statutory registration',
    rule: 'Many counsellors are not registered with a council: leave the number and dates empty.',
    example: '',
    needsNumber: false,
    named: false,
    pattern: null,
  },
];

export function councilInfo(code: Council | string): CouncilInfo {
  return councils.find((c) => c.code === code) ?? councils[councils.length - 1];
}

const labelPrefix = /^(CRR|REGISTRATION|REGN|REG)?\.?(NO|NUMBER)?[.:#]*/;

/** The number as the Go side normalises it: upper case, no spaces, no "CRR No." label. */
export function normalizeRegistration(code: Council, s: string): string {
  let n = s.split(/\s+/).join('').toUpperCase();
  const m = labelPrefix.exec(n);
  if (m && m[0].length > 0 && m[0].length < n.length) n = n.slice(m[0].length);
  if (code === 'rci' && n.length > 2 && n[1] === '-') n = n[0] + n.slice(2);
  return n;
}

/** The council's rule when the number does not fit it; "" when it fits or is not needed yet. */
export function registrationProblem(code: Council, number: string): string {
  const info = councilInfo(code);
  const n = normalizeRegistration(code, number ?? '');
  if (code === 'none') return n === '' ? '' : 'With no statutory registration, leave the number empty.';
  if (n === '') return info.needsNumber ? `Enter the registration number. ${info.rule}` : '';
  if (info.pattern && !info.pattern.test(n)) {
    return `${info.rule} If your number looks different, choose “Another body” and type the council’s name.`;
  }
  return '';
}

/** A registration warning in calm words. */
export function warningText(w: RegistrationWarning): string {
  const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;
  switch (w.code) {
    case 'registration_expired':
      return `Registration ${w.credential} expired ${days(w.days)} ago. Renew it before you practise.`;
    case 'registration_expiring':
      return w.days === 0
        ? `Registration ${w.credential} expires today.`
        : `Registration ${w.credential} expires in ${days(w.days)}.`;
    case 'registration_not_yet_valid':
      return `Registration ${w.credential} becomes valid in ${days(w.days)}.`;
    case 'registration_no_expiry':
      return `Registration ${w.credential} has no renewal date: add the “valid until” date from the certificate.`;
  }
  return w.message;
}

/** Which credential (0-based) a Go refusal names, and whether it is about the number. */
export function refusalTarget(message: string): { index: number; number: boolean } | null {
  const m = /credential (\d+):/.exec(message);
  if (!m) return null;
  return { index: Number(m[1]) - 1, number: /registration ?number/i.test(message) };
}

/** ₹ with Indian digit grouping, from paise. */
export function rupees(paise: number): string {
  const r = paise / 100;
  return `₹${r.toLocaleString('en-IN', { maximumFractionDigits: Number.isInteger(r) ? 0 : 2, minimumFractionDigits: 0 })}`;
}
