import { describe, expect, it } from 'vitest';

// Every source file of the UI, as text (Vite reads them at test time).
const sources = import.meta.glob('../src/**/*.{ts,js,svelte}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('webview storage', () => {
  // The webview keeps no client data: no code of ours writes browser storage
  // (e2e/profiles.mjs checks the running app's storage is empty).
  it('no source file uses localStorage, sessionStorage, IndexedDB, cookies or the Cache API', () => {
    const names = Object.keys(sources);
    expect(names.length).toBeGreaterThan(50);
    expect(names).toContain('../src/App.svelte');
    const offenders = names.filter((n) => /\b(localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open)\b/.test(sources[n]));
    expect(offenders).toEqual([]);
  });
});
