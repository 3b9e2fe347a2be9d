/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The app is served from the Wails asset server (embedded dist/ in production,
// -assetdir in the dev build), so relative asset URLs keep both working.
export default defineConfig({
  base: './',
  // svelteTesting() only acts under Vitest: browser build of Svelte, auto-cleanup.
  plugins: [svelte(), svelteTesting()],
  build: {
    outDir: 'dist',
    // Vite empties dist/ and then copies public/.gitkeep back, so the tracked
    // dist/.gitkeep that go:embed needs survives every build.
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    // Generous: this runs on 2-core machines next to Go builds.
    testTimeout: 20_000,
    setupFiles: ['tests/setup.ts'],
  },
});
