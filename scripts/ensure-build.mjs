// `npm start` runs the built service: build first when dist/ is missing or older than the sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

const entry = 'dist/src/server.js';
const stale = !existsSync(entry) || Math.max(newest('src'), newest('migrations')) > statSync(entry).mtimeMs;
if (stale) {
  console.log('Building Liftoff (dist/ is missing or older than src/)…');
  execSync('npm run build', { stdio: 'inherit' });
}
