import t from 'tap';
import { type BucketRange, inNamespace, rangesOverlap } from '../../src/experiments/bucketing.js';

const IDS = 1_000_000;

t.test('rangesOverlap: half-open ranges that only touch do not overlap', async (t) => {
  t.notOk(rangesOverlap([0, 0.5], [0.5, 1]));
  t.notOk(rangesOverlap([0.5, 1], [0, 0.5]));
  t.ok(rangesOverlap([0, 0.5], [0.4999, 1]));
  t.ok(rangesOverlap([0.2, 0.3], [0, 1]));
  t.ok(rangesOverlap([0, 1], [0.2, 0.3]));
});

t.test(
  'over 10^6 ids, no id is in two experiments of a namespace; occupancy matches each range',
  async (t) => {
    // Ranges a service would accept side by side (none overlaps another), including an unused gap [0.85, 0.9).
    const ranges: BucketRange[] = [
      [0, 0.1],
      [0.1, 0.35],
      [0.35, 0.6],
      [0.6, 0.85],
      [0.9, 1],
    ];
    for (let i = 0; i < ranges.length; i++)
      for (let j = i + 1; j < ranges.length; j++) t.notOk(rangesOverlap(ranges[i]!, ranges[j]!));
    const counts = new Array<number>(ranges.length).fill(0);
    let twice = 0;
    for (let i = 0; i < IDS; i++) {
      const id = `user-${i}`;
      let inside = 0;
      for (let k = 0; k < ranges.length; k++) {
        const [start, end] = ranges[k]!;
        if (inNamespace(id, ['checkout', start, end])) {
          inside++;
          counts[k]!++;
        }
      }
      if (inside > 1) twice++;
    }
    t.equal(twice, 0, 'no id is in two experiments');
    ranges.forEach(([start, end], k) => {
      const share = counts[k]! / IDS;
      t.ok(Math.abs(share - (end - start)) <= 0.003, `range [${start}, ${end}): share ${share}`);
    });
    const outside = IDS - counts.reduce((s, c) => s + c, 0);
    t.ok(Math.abs(outside / IDS - 0.05) <= 0.003, `the gap holds ${outside / IDS} of the ids`);
  },
);
