// `npm start` runs the built service: build first when dist/ is missing or older than the sources (src/web too).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

// The service and the dashboard bundle (built from src/web by the same `npm run build`).
const outputs = ['dist/src/server.js', 'dist/web/app.js', 'dist/web/index.html'];
const stale =
  outputs.some((f) => !existsSync(f)) ||
  Math.max(newest('src'), newest('migrations')) > Math.min(...outputs.map((f) => statSync(f).mtimeMs));
if (stale) {
  console.log('Building Liftoff (dist/ is missing or older than src/)…');
  execSync('npm run build', { stdio: 'inherit' });
}
