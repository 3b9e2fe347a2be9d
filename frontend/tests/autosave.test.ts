import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosave, ago } from '../src/lib/autosave.svelte';

vi.mock('../src/api', () => import('./api-mock'));

describe('Autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('debounces typing, goes Saving → Saved, and sends the rev from the last ack', async () => {
    let resolve: (v: { rev: number; savedAt: string }) => void = () => {};
    const save = vi.fn((_rev: number) => new Promise<{ rev: number; savedAt: string }>((r) => (resolve = r)));
    const a = new Autosave(3, save, 1000);
    a.changed();
    await vi.advanceTimersByTimeAsync(500);
    a.changed();
    await vi.advanceTimersByTimeAsync(900);
    expect(save).not.toHaveBeenCalled();
    expect(a.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(100);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenLastCalledWith(3);
    expect(a.state).toBe('saving');
    resolve({ rev: 4, savedAt: '2026-03-01T10:00:00Z' });
    await vi.advanceTimersByTimeAsync(0);
    expect(a.state).toBe('saved');
    expect(a.savedAt).toBe('2026-03-01T10:00:00Z');

    a.changed();
    const blur = a.flush(); // blur saves at once
    expect(save).toHaveBeenCalledTimes(2);
    resolve({ rev: 5, savedAt: '2026-03-01T10:00:05Z' });
    await blur;
    expect(save).toHaveBeenLastCalledWith(4);
  });

  it('typing during a save saves again afterwards with the new rev', async () => {
    let n = 1;
    const save = vi.fn(async (_rev: number) => ({ rev: ++n, savedAt: '2026-03-01T10:00:00Z' }));
    const a = new Autosave(1, save, 1000);
    a.changed();
    const first = a.flush();
    a.changed();
    await first;
    expect(a.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1000);
    expect(save.mock.calls.map((c) => c[0])).toEqual([1, 2]);
    expect(a.state).toBe('saved');
  });

  it('a conflict stops autosave for good and never retries', async () => {
    const save = vi.fn(async (_rev: number) => {
      throw 'conflict: the note was changed elsewhere: reload it and try again';
    });
    const a = new Autosave(1, save, 1000);
    a.changed();
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.state).toBe('conflict');
    expect(a.error).toBe('The note was changed elsewhere: reload it and try again');
    a.changed();
    await vi.advanceTimersByTimeAsync(5000);
    await a.flush();
    expect(save).toHaveBeenCalledTimes(1);
    expect(a.state).toBe('conflict');
  });

  it('other errors keep the change for the next attempt', async () => {
    const save = vi.fn().mockRejectedValueOnce('locked: vault is locked').mockResolvedValue({ rev: 2, savedAt: 'x' });
    const a = new Autosave(1, save, 1000);
    a.changed();
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.state).toBe('error');
    await a.flush();
    expect(a.state).toBe('saved');
  });

  it('says how long ago', () => {
    const t = Date.parse('2026-03-01T10:00:00Z');
    expect(ago('2026-03-01T10:00:00Z', t + 5_000)).toBe('just now');
    expect(ago('2026-03-01T10:00:00Z', t + 120_000)).toBe('2 min ago');
  });
});
