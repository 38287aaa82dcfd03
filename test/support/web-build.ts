import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

/** Builds the dashboard bundle (dist/web) when it is missing or older than src/web, as `npm run build` does. */
export function ensureWebBuild(): void {
  const bundle = 'dist/web/app.js';
  if (
    existsSync(bundle) &&
    existsSync('dist/web/index.html') &&
    statSync(bundle).mtimeMs >= newest('src/web')
  )
    return;
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
}
