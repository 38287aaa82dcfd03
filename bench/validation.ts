// npx tsx bench/validation.ts: the per-event validation of POST /v1/events, zod's parse against the compiled check
// (src/schemas/event-check.ts), on batches of 100 events of the three hottest types, with and without occurredAt.
// CPU only (no server, no database); prints the median of 5 runs of 1,000 batches each.
import { isValidEvent } from '../src/schemas/event-check.js';
import { eventSchema } from '../src/schemas/viral.js';

const at = new Date(Date.now() - 3_600_000).toISOString();

const batch = (withTime: boolean) =>
  Array.from({ length: 100 }, (_, i) => {
    const e: Record<string, unknown> =
      i % 3 === 0
        ? { type: 'invite_sent', inviteId: `i${i}`, referrerId: `r${i}`, source: 'loop_a' }
        : i % 3 === 1
          ? { type: 'experiment_exposure', experimentKey: 'onboarding', userId: `u${i}` }
          : {
              type: 'experiment_conversion',
              experimentKey: 'onboarding',
              userId: `u${i}`,
              value: 3.5,
              eventId: `e${i}`,
            };
    if (withTime) e.occurredAt = at;
    return e;
  });

const checks: [string, (e: unknown) => boolean][] = [
  ['zod parse', (e) => eventSchema.safeParse(e).success],
  ['compiled check', isValidEvent],
];

for (const withTime of [false, true]) {
  const events = batch(withTime);
  const us: number[] = [];
  for (const [name, check] of checks) {
    if (!events.every(check)) throw new Error(`${name} refused a valid event`);
    for (let w = 0; w < 2_000; w++) for (const e of events) check(e);
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const start = process.hrtime.bigint();
      for (let k = 0; k < 1_000; k++) for (const e of events) check(e);
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const median = runs.sort((a, b) => a - b)[2]!;
    us.push(median);
    console.log(
      `${withTime ? 'with' : 'without'} occurredAt, ${name.padEnd(14)} ${median.toFixed(1).padStart(6)} µs per 100 events`,
    );
  }
  console.log(`  compiled / zod = ${(us[1]! / us[0]!).toFixed(2)}`);
}
