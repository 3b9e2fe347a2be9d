import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import Sidebar from '../src/components/Sidebar.svelte';
import Shell from '../src/screens/Shell.svelte';
import { screens } from '../src/lib/screens';
import { statusFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

function item(label: string): HTMLButtonElement {
  return screen.getByRole('button', { name: new RegExp(`^${label}`) }) as HTMLButtonElement;
}

describe('Sidebar keyboard navigation', () => {
  it('has one tab stop, on the current screen', () => {
    render(Sidebar, { screens, current: 'clients', onselect: vi.fn() });
    const tabbable = screen.getAllByRole('button').filter((b) => b.tabIndex === 0);
    expect(tabbable).toEqual([item('Clients')]);
    expect(item('Clients').getAttribute('aria-current')).toBe('page');
  });

  it('moves focus with arrows, Home and End, wrapping around, and opens with Enter', async () => {
    const onselect = vi.fn();
    render(Sidebar, { screens, current: 'today', onselect });
    item('Today').focus();

    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('Calendar'));
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('Clients'));
    expect(item('Clients').tabIndex).toBe(0);
    expect(item('Today').tabIndex).toBe(-1);

    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(item('Settings'));
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('Today'));
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(item('Settings'));
    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(document.activeElement).toBe(item('Today'));

    // Arrow keys alone never open a screen; activating the focused button does.
    expect(onselect).not.toHaveBeenCalled();
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await fireEvent.click(document.activeElement!); // what Enter/Space do on a native button
    expect(onselect).toHaveBeenCalledWith('calendar');
  });
});

describe('Shell shortcuts', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.auditActions.mockResolvedValue([]);
    api.auditList.mockResolvedValue({ entries: [], total: 0 });
    api.version.mockResolvedValue({ version: '0.1.0', commit: 'abc', dataDir: '/tmp/x' });
  });

  it('Alt+<n> opens the n-th screen and focuses its heading', async () => {
    render(Shell, { status: statusFixture({ locked: false }), onstatus: vi.fn(), onlock: vi.fn() });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Today');

    await fireEvent.keyDown(window, { key: '3', code: 'Digit3', altKey: true });
    await eventually(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Clients'));
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1 }));
    expect(item('Clients').getAttribute('aria-current')).toBe('page');

    await fireEvent.keyDown(window, { key: '7', code: 'Digit7', altKey: true });
    await eventually(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Audit'));
    expect(api.auditList).toHaveBeenCalled();

    await fireEvent.keyDown(window, { key: '8', code: 'Digit8', altKey: true });
    await eventually(() => expect(screen.getByTestId('about-version').textContent).toBe('0.1.0'));
  });

  it('the skip link moves focus to the content heading', async () => {
    render(Shell, { status: statusFixture({ locked: false }), onstatus: vi.fn(), onlock: vi.fn() });
    await fireEvent.click(screen.getByRole('link', { name: 'Skip to content' }));
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1 }));
  });
});
