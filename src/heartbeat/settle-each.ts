import { asOpsbeatError } from '../errors.js';
import type { StepProblem } from './context.js';

/**
 * Settle-all for per-item work inside a step: every item runs, one failure never hides the
 * others, and each failure becomes a problem naming its subject.
 */
export async function settleEach<I, R>(
  items: readonly I[],
  subjectOf: (item: I) => string,
  work: (item: I) => Promise<R>,
): Promise<{ results: R[]; problems: StepProblem[] }> {
  const settled = await Promise.allSettled(items.map((item) => work(item)));
  const results: R[] = [];
  const problems: StepProblem[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') results.push(s.value);
    else {
      const err = asOpsbeatError(s.reason);
      problems.push({ subject: subjectOf(items[i]!), code: err.code, message: err.message });
    }
  });
  return { results, problems };
}
