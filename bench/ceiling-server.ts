// The ceilings Liftoff is measured against, on the same machine and database in the same run:
// a bare Fastify route, one durable INSERT per request, and batches inserted with one unnest statement.
import Fastify from 'fastify';
import pg from 'pg';

const app = Fastify({ logger: false });
app.get('/bare', async () => ({ ok: true }));

// Without DATABASE_URL (the embedded-database benchmark) only the bare route is a ceiling.
const pool = process.env.DATABASE_URL
  ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
  : null;
if (pool) await ceilingRoutes(pool);

async function ceilingRoutes(pool: pg.Pool) {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS ceiling_rows (id text PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())',
  );
  app.post<{ Body: { id: string; payload: string } }>('/insert', async (req) => {
    await pool.query('INSERT INTO ceiling_rows (id, payload) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      req.body.id,
      req.body.payload,
    ]);
    return { stored: true };
  });
  app.post<{ Body: { rows: { id: string; payload: string }[] } }>('/insert-batch', async (req) => {
    const rows = req.body.rows;
    await pool.query(
      'INSERT INTO ceiling_rows (id, payload) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING',
      [rows.map((r) => r.id), rows.map((r) => r.payload)],
    );
    return { stored: rows.length };
  });
  app.addHook('onClose', () => pool.end());
}
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('ready');
