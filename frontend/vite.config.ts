import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The app is served from the Wails asset server (embedded dist/ in production,
// -assetdir in the dev build), so relative asset URLs keep both working.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    // dist/.gitkeep must survive builds (go:embed needs a tracked file);
    // Vite copies public/.gitkeep back in after emptying the folder.
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
  },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
});
