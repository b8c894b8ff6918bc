import { defineConfig } from 'vite';

// The console is served by the gateway under /console (Quinoa copies dist/ into the gateway's
// static resources); in `npm run dev` the API calls go to a gateway on its default port.
export default defineConfig({
  base: '/console/',
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    // one chunk per page would cost a round trip each; the whole console is small
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:7423' },
  },
});
