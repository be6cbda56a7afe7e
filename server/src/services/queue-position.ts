/**
 * Where each waiting ticket stands: the order in which `chooseNext` would call a service's
 * waiting tickets if nobody else arrived, computed in one pass (the same interleave of priority
 * and normal tickets, the same ranking) instead of one `chooseNext` per call.
 */
import type { QueuePolicy } from './queue.service';

export function predictedOrder<T extends { priority: string; seq: number }>(
  waiting: readonly T[],
  policy: Pick<QueuePolicy, 'priorityRatio' | 'priorityClasses' | 'ordering'>,
  priorityStreak: number,
): T[] {
  const rank = (p: string) => (policy.priorityClasses as readonly string[]).indexOf(p);
  const bySeq = [...waiting].sort((a, b) => a.seq - b.seq);
  const priority = bySeq.filter((t) => rank(t.priority) >= 0);
  if (policy.ordering === 'ranked') priority.sort((a, b) => rank(a.priority) - rank(b.priority) || a.seq - b.seq);
  const normal = bySeq.filter((t) => rank(t.priority) < 0);
  const out: T[] = [];
  let p = 0;
  let n = 0;
  let streak = priorityStreak;
  while (p < priority.length || n < normal.length) {
    const hasNormal = n < normal.length;
    if (p < priority.length && (!hasNormal || streak < policy.priorityRatio)) {
      out.push(priority[p++] as T);
      streak = hasNormal ? streak + 1 : 0;
    } else {
      out.push(normal[n++] as T);
      streak = 0;
    }
  }
  return out;
}
