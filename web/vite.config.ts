// Builds the dashboard from web/ into web/dist, served by the Mesure server at `/`. In development
// (`npx vite --config web/vite.config.ts`) API calls go to MESURE_API when set, else to the fixture API.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fixtureApi } from './src/dev/fixtureApi';

const root = fileURLToPath(new URL('.', import.meta.url));
const target = process.env.MESURE_API;
const proxied = ['/v1', '/auth', '/openapi.json'];

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), ...(target ? [] : [fixtureApi()])],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
  },
  server: target ? { proxy: Object.fromEntries(proxied.map((p) => [p, { target, changeOrigin: false }])) } : {},
});
