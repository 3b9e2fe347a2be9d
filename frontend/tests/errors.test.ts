import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage } from '../src/api/errors';

describe('errorMessage', () => {
  const cases: { name: string; input: unknown; want: string }[] = [
    { name: 'strips code prefix', input: 'locked: wrong passphrase', want: 'Wrong passphrase' },
    { name: 'strips compound code', input: 'consent_required: health-data consent missing', want: 'Health-data consent missing' },
    { name: 'keeps colon inside message', input: 'invalid: passphrase too weak: add a word', want: 'Passphrase too weak: add a word' },
    { name: 'Error object', input: new Error('not_found: no such record'), want: 'No such record' },
    { name: 'no code', input: 'plain failure', want: 'Plain failure' },
    { name: 'first line only', input: 'internal: boom\n  at main.go:12', want: 'Boom' },
    { name: 'empty', input: '', want: 'Something went wrong. Please try again.' },
    { name: 'non-error', input: 42, want: 'Something went wrong. Please try again.' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(errorMessage(c.input)).toBe(c.want));
  }

  it('errorCode reads the code', () => {
    expect(errorCode('locked: wrong passphrase')).toBe('locked');
    expect(errorCode('no code here')).toBe('');
  });
});
