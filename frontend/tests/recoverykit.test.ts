import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import RecoveryKitStep from '../src/components/RecoveryKitStep.svelte';

vi.mock('../src/api', () => import('./api-mock'));

describe('RecoveryKitStep', () => {
  afterEach(() => vi.restoreAllMocks());

  it('saves the printable kit as CalmAlly-recovery-kit.pdf with the PDF bytes', async () => {
    let blob: Blob | undefined;
    URL.createObjectURL = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:kit';
    });
    URL.revokeObjectURL = vi.fn();
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    render(RecoveryKitStep, { kit: { recoveryCode: 'AAAA-BBBB', recoveryKitPDF: btoa('%PDF-1.7 kit') }, onconfirmed: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Save printable kit (PDF)' }));

    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('CalmAlly-recovery-kit.pdf');
    expect(clicked[0].getAttribute('href')).toBe('blob:kit');
    expect(blob?.type).toBe('application/pdf');
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result as string);
      r.readAsText(blob!);
    });
    expect(text).toBe('%PDF-1.7 kit');
    // The temporary link does not stay in the page.
    expect(document.querySelector('a[download]')).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('CalmAlly-recovery-kit.pdf');
  });
});
