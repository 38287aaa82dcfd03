import { connect } from 'node:net';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { testDatabase } from '../helper.js';

t.test('requests arriving while the service drains get problem+json 503 with Retry-After', async (t) => {
  const app = await buildApp({ config: configFrom(), db: await testDatabase(), migrate: false });
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // A request still running when the drain starts keeps its connection open for the next one.
  app.get('/test/slow', async () => {
    entered();
    await released;
    return { done: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write('GET /test/slow HTTP/1.1\r\nHost: liftoff\r\n\r\n');
  await inFlight;
  const closing = app.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.write('GET /health/live HTTP/1.1\r\nHost: liftoff\r\n\r\n');
  release();
  await ended;
  await closing;

  const answers = received.split(/(?=HTTP\/1\.1 )/);
  t.equal(answers.length, 2, received);
  t.match(answers[0], /^HTTP\/1\.1 200 /, 'the request in flight completes');
  const drained = answers[1]!;
  t.match(drained, /^HTTP\/1\.1 503 /);
  t.match(drained, /\r\ncontent-type: application\/problem\+json/i);
  t.match(drained, /\r\nretry-after: 1\r\n/i);
  const body = JSON.parse(drained.slice(drained.indexOf('\r\n\r\n') + 4)) as { code: string; status: number };
  t.match(body, { code: 'service_unavailable', status: 503 });
});
