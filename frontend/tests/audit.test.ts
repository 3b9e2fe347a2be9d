import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import Audit from '../src/screens/Audit.svelte';
import type { AuditEntry, AuditFilter } from '../src/api/types';

vi.mock('../src/api', () => import('./api-mock'));

const all: AuditEntry[] = Array.from({ length: 120 }, (_, i) => ({
  seq: 120 - i,
  at: '2026-03-01T10:00:00Z',
  actor: 'practitioner',
  action: i % 2 ? 'unlock' : 'lock',
  recordType: 'vault',
  recordId: `r${i}`,
  detail: '',
}));

function range(): string {
  return screen.getByTestId('audit-range').textContent ?? '';
}

function button(name: string): HTMLButtonElement {
  return screen.getByRole('button', { name }) as HTMLButtonElement;
}

describe('Audit paging', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.auditActions.mockResolvedValue(['lock', 'unlock', 'unlock_failed']);
    api.auditList.mockImplementation(async (f: AuditFilter) => {
      const rows = f.action ? all.filter((e) => e.action === f.action) : all;
      return { entries: rows.slice(f.offset, f.offset + f.limit), total: rows.length };
    });
  });

  it('pages through with Previous and Next showing x–y of total', async () => {
    render(Audit, { pageSize: 50 });
    await eventually(() => expect(range()).toBe('1–50 of 120'));
    expect(screen.getAllByTestId('audit-row')).toHaveLength(50);
    expect(button('Previous').disabled).toBe(true);
    expect(api.auditList).toHaveBeenLastCalledWith({ action: '', recordId: '', from: '', to: '', offset: 0, limit: 50 });

    await fireEvent.click(button('Next'));
    await eventually(() => expect(range()).toBe('51–100 of 120'));
    expect(api.auditList).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 50, limit: 50 }));

    await fireEvent.click(button('Next'));
    await eventually(() => expect(range()).toBe('101–120 of 120'));
    expect(screen.getAllByTestId('audit-row')).toHaveLength(20);
    expect(button('Next').disabled).toBe(true);

    await fireEvent.click(button('Previous'));
    await eventually(() => expect(range()).toBe('51–100 of 120'));
  });

  it('applying a filter starts again at the first page and passes every field', async () => {
    render(Audit, { pageSize: 50 });
    await eventually(() => expect(range()).toBe('1–50 of 120'));
    await fireEvent.click(button('Next'));
    await eventually(() => expect(range()).toBe('51–100 of 120'));

    await eventually(() => expect(screen.getAllByRole('option')).toHaveLength(4));
    await fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'unlock' } });
    await fireEvent.input(screen.getByLabelText('Record id'), { target: { value: ' r1 ' } });
    await fireEvent.input(screen.getByLabelText('From'), { target: { value: '2020-01-01' } });
    await fireEvent.input(screen.getByLabelText('To'), { target: { value: '2030-12-31' } });
    await fireEvent.click(button('Apply filters'));

    await eventually(() => expect(range()).toBe('1–50 of 60'));
    expect(api.auditList).toHaveBeenLastCalledWith({
      action: 'unlock',
      recordId: 'r1',
      from: '2020-01-01',
      to: '2030-12-31',
      offset: 0,
      limit: 50,
    });
  });

  it('shows an empty trail as 0–0 of 0 with both buttons disabled', async () => {
    api.auditList.mockResolvedValue({ entries: [], total: 0 });
    render(Audit, {});
    await eventually(() => expect(screen.getByText('No entries match these filters.')).toBeTruthy());
    expect(range()).toBe('0–0 of 0');
    expect(button('Previous').disabled).toBe(true);
    expect(button('Next').disabled).toBe(true);
  });

  it('Verify trail reports ok or the problem', async () => {
    api.auditVerify.mockResolvedValueOnce({ ok: true, entries: 7, problem: '' });
    api.auditVerify.mockResolvedValueOnce({ ok: false, entries: 7, problem: 'entry 4 does not match its hash' });
    render(Audit, {});
    await fireEvent.click(button('Verify trail'));
    await eventually(() => expect(screen.getByTestId('verify-result').textContent).toContain('all 7 entries are intact'));
    await fireEvent.click(button('Verify trail'));
    await eventually(() => expect(screen.getByTestId('verify-result').textContent).toContain('entry 4 does not match its hash'));
  });
});
