// Bundles the dashboard (src/web) into dist/web: app.js, app.css and index.html, served by the service itself.
// Run by `npm run build`; prints the gzipped size, which must stay under 200 KB.
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const out = 'dist/web';
const BUDGET = 200 * 1024;
const FILES = ['app.js', 'styles.css', 'index.html'];
// Built beside dist/web and moved in file by file (rename is atomic), so a running service or a parallel test
// never reads a half-written bundle.
const tmp = `${out}.tmp-${process.pid}`;

mkdirSync(tmp, { recursive: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: 'src/web/main.tsx', styles: 'src/web/styles.css' },
  outdir: tmp,
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
copyFileSync('src/web/index.html', path.join(tmp, 'index.html'));
const gz = (f) => gzipSync(readFileSync(path.join(tmp, f))).length;
const total = FILES.reduce((sum, f) => sum + gz(f), 0);
for (const f of FILES) renameSync(path.join(tmp, f), path.join(out, f));
rmSync(tmp, { recursive: true, force: true });

console.log(`dashboard bundle: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error('dashboard bundle is over its budget');
  process.exit(1);
}
