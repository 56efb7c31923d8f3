// Knip's view of Mesure (`npm run lint:unused`): what runs, so that it can report unused files, dependencies and
// exports, in production mode (what `npm start` runs) and with the tests and benches (what `npm test` runs too).
import type { KnipConfig } from 'knip';

/** The module scripts a page loads (`<script type="module" src="…">`), as imports knip can follow. */
function htmlScripts(html: string): string {
  const sources = [...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
  // Vite resolves "/src/main.tsx" from the page's root (web/): make it relative to the page.
  return sources.map((src) => `import '${src.startsWith('/') ? `.${src}` : src}';`).join('\n');
}

const config: KnipConfig = {
  entry: [
    // Production (!): what `npm start` runs. The CLI is found from package.json "bin" (bin/mesure.js imports it).
    'src/services/ingestWorker.entry.ts!', // loaded by URL into the ingestion worker thread (src/services/ingestWorker.ts)
    // The dashboard: `npm start` builds it first (prestart: scripts/build-web.mjs), with Vite, from this config and
    // the page it builds. (A glob: in default mode package.json's scripts already name build-web.mjs.)
    'scripts/*.mjs!',
    'web/vite.config.ts!',
    'web/index.html!',
    // Development: the tests come from vitest.config.ts (Vitest plugin), the benches from package.json's bench:* scripts.
  ],
  project: [
    // Production code (!), less the helpers only tests import; the test files themselves come out with the Vitest plugin.
    'src/**/*.ts!',
    'bin/**/*.js!',
    'scripts/**/*.mjs!',
    'web/src/**/*.{ts,tsx}!',
    'web/*.html!',
    '!src/providers/test-helpers.ts!',
    '!web/src/test-utils.tsx!',
    'bench/**/*.ts',
    'test/**/*.ts',
  ],
  compilers: { html: htmlScripts },
  vitest: { config: ['vitest.config.ts'] },
  // Knip's Vite plugin takes a vite.config for a development tool and its imports for development dependencies; here
  // `npm start` builds the dashboard with it, so it is a production entry above (with web/index.html, the page it builds).
  vite: false,
  // An export its own file uses (a type in a signature, a constant a rule reads) is live code that is also public; one
  // that neither its own file nor any other uses is still reported (issue #22: "exports used in their own file ignored").
  ignoreExportsUsedInFile: true,
  ignoreIssues: {
    // Kysely calls each migration's up and down through the map in migrations/index.ts, which holds the modules'
    // namespaces as values: knip does not follow a namespace into an object. A migration left out of the map is
    // still reported (as an unused file).
    'src/store/migrations/2026_*.ts': ['exports'],
  },
};

export default config;
