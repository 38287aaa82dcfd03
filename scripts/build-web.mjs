// Bundles the dashboard (src/web) into dist/web: app.js, app.css and index.html, served by the service itself.
// Run by `npm run build`; prints the gzipped size, which must stay under 200 KB.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const out = 'dist/web';
const BUDGET = 200 * 1024;

mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: 'src/web/main.tsx', styles: 'src/web/styles.css' },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/web/index.html', path.join(out, 'index.html'));

const gz = (f) => gzipSync(readFileSync(path.join(out, f))).length;
const total = gz('app.js') + gz('styles.css') + gz('index.html');
console.log(`dashboard bundle: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error('dashboard bundle is over its budget');
  process.exit(1);
}
