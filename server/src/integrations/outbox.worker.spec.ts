import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { EmrOutboxTable } from '../db/schema';
import type { EmrCheckIn, EmrPort, EmrResult } from './emr.port';
import { emrError } from './emr.port';
import type { Completion, OutboxRepository } from '../repositories/outbox.repository';
import type { Executor } from '../repositories';
import { OutboxWorker, backoffMs, type OutboxStore } from './outbox.worker';

const NOW = new Date('2026-11-22T01:00:00.000Z');
const clock = { now: () => NOW };
const log = pino({ level: 'silent' });

const row = (id: string, patientKey: string, attempts = 0): EmrOutboxTable => ({
  id,
  kind: 'check-in',
  visit_id: `v-${id}`,
  patient_id: `p-${patientKey}`,
  patient_key: patientKey,
  control_id: `C${id}`,
  payload_json: JSON.stringify({ visit: { visitId: `v-${id}` } }),
  status: 'delivering',
  attempts,
  next_attempt_at: NOW.toISOString(),
  lease_until: null,
  claim_token: `t-${id}`,
  route: null,
  last_error_code: null,
  last_error: null,
  result_json: null,
  created_at: new Date(NOW.getTime() - 1000).toISOString(),
  updated_at: NOW.toISOString(),
  delivered_at: null,
});

function fakeRepo(rows: EmrOutboxTable[], refused = 0) {
  const completed: Completion[] = [];
  const trx = {} as Executor;
  const outbox = {
    claim: async () => rows.splice(0),
    complete: async (inside: Executor, _claims: ReadonlyMap<string, string>, results: readonly Completion[]) => {
      // Results are recorded inside the unit of work the worker opened.
      expect(inside).toBe(trx);
      completed.push(...results);
    },
    refusedCount: async () => refused,
  } as unknown as OutboxRepository;
  const repo: OutboxStore = {
    outbox,
    transactions: { run: (work) => work(trx), drain: async () => undefined },
  };
  return { repo, completed };
}

function fakeEmr(answer: (c: EmrCheckIn) => EmrResult | Promise<EmrResult>) {
  const seen: string[] = [];
  const port: EmrPort = {
    mode: 'fhir',
    deliverCheckIn: async (c) => {
      seen.push(c.visit.visitId);
      return answer(c);
    },
    updatePatient: async () => ({ ok: true, value: { patient: 'matched', encounter: 'matched', appointment: 'none' } }),
    close: async () => undefined,
  };
  return { port, seen };
}

const delivered: EmrResult = { ok: true, value: { patient: 'created', encounter: 'created', appointment: 'none' } };
const options = {
  pollMs: 10,
  batch: 50,
  concurrency: 4,
  leaseMs: 60_000,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  alertAfterFailures: 2,
  random: () => 0.5,
};

describe('backoff', () => {
  it('doubles per attempt with equal jitter, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 5000, () => 0))).toEqual([500, 1000, 2000, 2500]);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(4000);
  });
});

describe('outbox worker', () => {
  it('delivers a batch and delivers one patient’s rows in order, one at a time', async () => {
    const { repo, completed } = fakeRepo([row('1', 'a'), row('2', 'b'), row('3', 'a'), row('4', 'c')]);
    let inFlightA = 0;
    let maxA = 0;
    const { port, seen } = fakeEmr(async (c) => {
      const isA = c.visit.visitId === 'v-1' || c.visit.visitId === 'v-3';
      if (isA) maxA = Math.max(maxA, ++inFlightA);
      await new Promise((r) => setTimeout(r, 5));
      if (isA) inFlightA -= 1;
      return delivered;
    });
    const worker = new OutboxWorker(repo, port, clock, log, options);
    expect(await worker.cycle()).toBe(4);
    expect(completed.map((c) => [c.id, c.outcome]).sort()).toEqual([
      ['1', 'delivered'],
      ['2', 'delivered'],
      ['3', 'delivered'],
      ['4', 'delivered'],
    ]);
    expect(maxA).toBe(1);
    expect(seen.indexOf('v-1')).toBeLessThan(seen.indexOf('v-3'));
  });

  it('backs off a retriable failure and parks the rest of the batch untried', async () => {
    const { repo, completed } = fakeRepo([row('1', 'a', 2), row('2', 'b'), row('3', 'c')]);
    const { port, seen } = fakeEmr(() => emrError('emr-unavailable', 'down', { detail: 'http-timeout' }));
    const health: [boolean, string | null][] = [];
    const worker = new OutboxWorker(
      repo,
      port,
      clock,
      log,
      { ...options, concurrency: 1 },
      {
        onHealth: (f, d) => health.push([f, d]),
      },
    );
    await worker.cycle();
    expect(seen).toEqual(['v-1']);
    const first = completed.find((c) => c.id === '1');
    expect(first).toMatchObject({ outcome: 'retry', code: 'emr-unavailable', attempted: true });
    // attempt 3: 4 s exponential, equal jitter at 0.5 → 3 s.
    if (first?.outcome === 'retry') expect(Date.parse(first.nextAttemptAt) - NOW.getTime()).toBe(3000);
    expect(completed.filter((c) => c.outcome === 'retry' && !c.attempted).map((c) => c.id)).toEqual(['2', '3']);
    expect(health).toEqual([[false, null]]); // the first cycle states the health; one failure is not failing yet
  });

  it('raises emr-delivery-failing after consecutive failures and resolves it on the next delivery', async () => {
    const rows: EmrOutboxTable[] = [];
    const { repo } = fakeRepo(rows);
    let up = false;
    const { port } = fakeEmr(() => (up ? delivered : emrError('emr-unavailable', 'down')));
    const health: [boolean, string | null][] = [];
    const worker = new OutboxWorker(repo, port, clock, log, options, { onHealth: (f, d) => health.push([f, d]) });
    for (const id of ['1', '2']) {
      rows.push(row(id, id));
      await worker.cycle();
    }
    expect(health).toEqual([
      [false, null],
      [true, 'consecutive-failures:2'],
    ]);
    up = true;
    rows.push(row('3', '3'));
    await worker.cycle();
    expect(health.at(-1)).toEqual([false, null]);
  });

  it('stops a refused delivery, sends the patient to the counter, and keeps the alert while refusals wait', async () => {
    const { repo, completed } = fakeRepo([row('1', 'a')], 1);
    const { port } = fakeEmr(() =>
      emrError('emr-rejected', 'the EMR refused', { retriable: false, route: 'counter', detail: 'http-422:invalid' }),
    );
    const counter: string[] = [];
    const health: [boolean, string | null][] = [];
    const worker = new OutboxWorker(repo, port, clock, log, options, {
      onCounter: (r, e) => counter.push(`${r.id}:${e.code}`),
      onHealth: (f, d) => health.push([f, d]),
    });
    await worker.cycle();
    expect(completed).toEqual([
      { id: '1', outcome: 'failed', code: 'emr-rejected', message: 'the EMR refused', route: 'counter' },
    ]);
    expect(counter).toEqual(['1:emr-rejected']);
    expect(health).toEqual([[true, 'refused:1 last emr-rejected:http-422:invalid']]);
  });
});
