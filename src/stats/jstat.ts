// The one typed doorway to jstat. jstat's quantile functions are good starting points (about 1e-9 relative for
// the normal), which normal.ts and student-t.ts polish with Newton steps on their tail-accurate CDFs.
import jStatModule from 'jstat';

interface JStat {
  normal: { inv(p: number, mean: number, sd: number): number };
  studentt: { inv(p: number, dof: number): number };
}

const jStat = ((jStatModule as unknown as { jStat?: JStat }).jStat ?? jStatModule) as unknown as JStat;

/** Approximate standard normal quantile. */
export const normalInvApprox = (p: number): number => jStat.normal.inv(p, 0, 1);

/** Approximate Student t quantile. */
export const studentTInvApprox = (p: number, df: number): number => jStat.studentt.inv(p, df);
