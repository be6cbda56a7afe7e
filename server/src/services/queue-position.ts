/**
 * Where each waiting ticket stands: the order in which `chooseNext` would call a service's
 * waiting tickets if nobody else arrived, computed in one pass (the same interleave of priority
 * and normal tickets, the same ranking) instead of one `chooseNext` per call.
 */
import type { PriorityCount } from '../repositories/ticket-status.repository';
import type { QueuePolicy } from './queue.service';

export type { PriorityCount };

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

/**
 * The people ahead of one waiting ticket in `predictedOrder`, from counts alone: a ticket's
 * place needs only how many priority and normal tickets wait and how many of each come before
 * it, so a new ticket's place costs a read of the kept counters, not a read of the whole line.
 */
export function placeInOrder(
  ticket: { priority: string },
  counts: readonly PriorityCount[],
  policy: Pick<QueuePolicy, 'priorityRatio' | 'priorityClasses' | 'ordering'>,
  priorityStreak: number,
): number {
  const rank = (p: string) => (policy.priorityClasses as readonly string[]).indexOf(p);
  const own = rank(ticket.priority);
  let priorityTotal = 0;
  let normalTotal = 0;
  let priorityBefore = 0;
  let normalBefore = 0;
  for (const c of counts) {
    const r = rank(c.priority);
    if (r < 0) {
      normalTotal += c.total;
      normalBefore += c.before;
      continue;
    }
    priorityTotal += c.total;
    if (policy.ordering !== 'ranked' || own < 0) priorityBefore += c.before;
    else if (r < own) priorityBefore += c.total;
    else if (r === own) priorityBefore += c.before;
  }
  const ratio = policy.priorityRatio;
  // Priority tickets called before the first normal one; then `ratio` after each normal one.
  const firstRun = Math.max(0, ratio - priorityStreak);
  if (own < 0) return normalBefore + Math.min(priorityTotal, firstRun + normalBefore * ratio);
  const i = priorityBefore;
  const normalsNeeded = i < firstRun ? 0 : ratio > 0 ? 1 + Math.floor((i - firstRun) / ratio) : Infinity;
  return i + Math.min(normalTotal, normalsNeeded);
}
