// Display formatting shared by screens.

const dateTime = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeStyle: 'medium' });

/** Formats an RFC 3339 instant in the user's local zone; returns the input if it does not parse. */
export function formatInstant(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : dateTime.format(d);
}

const strengthLabels = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

export function strengthLabel(score: number): string {
  return strengthLabels[Math.max(0, Math.min(4, Math.round(score)))];
}

/** Whether the platform uses Cmd rather than Ctrl for shortcuts. */
export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

/** Triggers a download of base64 bytes under the given file name. */
export function downloadBase64(base64: string, fileName: string, mime: string): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "unlock_failed" → "Unlock failed": audit action names as people read them. */
export function humanizeAction(action: string): string {
  const words = action.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
