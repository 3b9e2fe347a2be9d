import type { Status, Strength } from '../src/api/types';

export function statusFixture(over: Partial<Status> = {}): Status {
  return {
    initialized: true,
    locked: true,
    keychainAvailable: true,
    keychainProblem: '',
    passphraseOnly: false,
    autoLockMinutes: 10,
    unlockDelaySeconds: 0,
    ...over,
  };
}

export function strengthFixture(over: Partial<Strength> = {}): Strength {
  return { score: 4, acceptable: true, warning: '', suggestions: [], crackTime: 'centuries', ...over };
}
