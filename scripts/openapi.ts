// Writes openapi.yaml from the zod schemas (npm run openapi), or with --check fails when it differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { configFrom } from '../src/config.js';
import { openApiYaml } from '../src/plugins/swagger.js';

export async function generateOpenApiYaml(): Promise<string> {
  const app = await buildApp({ config: configFrom({ DATABASE_URL: 'memory://' }), migrate: false });
  await app.ready();
  const yaml = openApiYaml(app);
  await app.close();
  return yaml;
}

const FILE = new URL('../openapi.yaml', import.meta.url);
if (import.meta.url === `file://${process.argv[1]}`) {
  const yaml = await generateOpenApiYaml();
  if (process.argv.includes('--check')) {
    if (readFileSync(FILE, 'utf8') !== yaml) {
      console.error('openapi.yaml is out of date: run `npm run openapi` and commit it.');
      process.exit(1);
    }
    console.log('openapi.yaml is up to date.');
  } else {
    writeFileSync(FILE, yaml);
    console.log('openapi.yaml written.');
  }
}
