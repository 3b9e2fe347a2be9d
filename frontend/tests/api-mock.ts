// A stand-in for src/api in unit tests: real error helpers and event names, every
// Go call a vi.fn(). Use it as: vi.mock('../src/api', () => import('./api-mock')).
import { vi } from 'vitest';

export * from '../src/api/errors';
export * from '../src/api/events';

export const version = vi.fn();
export const status = vi.fn();
export const checkPassphrase = vi.fn();
export const createVault = vi.fn();
export const confirmRecoveryCode = vi.fn();
export const unlock = vi.fn();
export const lock = vi.fn();
export const activity = vi.fn();
export const recover = vi.fn();
export const changePassphrase = vi.fn();
export const newRecoveryKit = vi.fn();
export const setAutoLock = vi.fn();
export const rotateDataKey = vi.fn();
export const auditList = vi.fn();
export const auditActions = vi.fn();
export const auditVerify = vi.fn();
export const onEvent = vi.fn((_name: string, _handler: (payload: any) => void): (() => void) => () => {});
export const clientsList = vi.fn();
export const clientGet = vi.fn();
export const clientCreate = vi.fn();
export const clientUpdate = vi.fn();
export const clientDischarge = vi.fn();
export const clientReopen = vi.fn();
export const clientHistory = vi.fn();
export const clientReasons = vi.fn();
export const notesForClient = vi.fn();
export const noteGet = vi.fn();
export const noteCreate = vi.fn();
export const noteSaveDraft = vi.fn();
export const noteSign = vi.fn();
export const noteAddendum = vi.fn();
export const noteStartFromLast = vi.fn();
export const templates = vi.fn();
export const search = vi.fn();
