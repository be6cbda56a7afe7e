/**
 * Delivers outbox rows to the EMR port. Each cycle claims a batch, delivers it with bounded
 * concurrency (rows of one patient in order, one at a time), and records outcomes in one
 * transaction per group of results. Retriable failures back off exponentially with jitter per
 * row; once the EMR looks down, the rest of the batch is put back without being tried. Permanent
 * failures stop with a readable reason and, when staff must act, a note on the patient's ticket.
 * The effect is exactly once because every delivery is idempotent by business identifiers (FHIR
 * conditional creates; HL7 control id) — a crash between delivery and bookkeeping only causes a
 * repeat that matches.
 */
import type { Committer } from '../db/group-commit';
import type { EmrOutboxTable } from '../db/schema';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Result } from '@kiosk/protocol';
import type { EmrCheckIn, EmrNoShow, EmrPatient, EmrPort } from './emr.port';
import { EMR_KINDS, type Completion, type OutboxKind, type OutboxRepository } from '../repositories/outbox.repository';

/** A failed delivery to any destination: whether a retry can help, whether staff must act. */
export interface DeliveryError {
  code: string;
  message: string;
  retriable: boolean;
  route?: 'counter';
  /** Machine detail without personal data. */
  detail?: string;
}

/**
 * Where a worker delivers its rows: the EMR, or the social-insurance data portal. Each claims
 * only its own kinds, so one destination being down never holds up the other.
 */
export interface OutboxDestination {
  readonly kinds: readonly OutboxKind[];
  /** Failure codes meaning "refused, an admin must look" (they keep the destination failing). */
  readonly refusalCodes: readonly string[];
  deliver(row: EmrOutboxTable): Promise<Result<unknown, DeliveryError>>;
}

/** The EMR port as an outbox destination: check-ins, patient updates, no-shows. */
export function emrDestination(emr: EmrPort): OutboxDestination {
  return {
    kinds: EMR_KINDS,
    refusalCodes: ['emr-rejected', 'emr-invalid-content'],
    deliver: async (row) => {
      const payload = JSON.parse(row.payload_json) as unknown;
      const key = { controlId: row.control_id };
      if (row.kind === 'patient-update') return emr.updatePatient(payload as EmrPatient, key);
      if (row.kind === 'appointment-noshow')
        return emr.markNoShow
          ? emr.markNoShow(payload as EmrNoShow, key)
          : { ok: true, value: { patient: 'accepted', encounter: 'accepted', appointment: 'not-applicable' } };
      return emr.deliverCheckIn(payload as EmrCheckIn, key);
    },
  };
}

export interface OutboxWorkerOptions {
  pollMs: number;
  batch: number;
  concurrency: number;
  leaseMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive failed attempts before the EMR counts as failing. */
  alertAfterFailures: number;
  random?: () => number;
}

export interface OutboxWorkerHooks {
  /** The EMR started or stopped failing (raise/resolve 'emr-delivery-failing'); detail has no personal data. */
  onHealth?(failing: boolean, detail: string | null): void;
  /** A delivery needs staff: the counter finishes the registration. */
  onCounter?(row: EmrOutboxTable, error: DeliveryError): void;
  /** One attempt's outcome and, when delivered, the time since the check-in was stored. */
  onAttempt?(outcome: 'delivered' | 'retry' | 'failed', attemptMs: number, sinceStoredMs?: number): void;
}

/** Equal jitter: half the exponential delay fixed, half random. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** Where the worker claims and records deliveries. */
export interface OutboxStore {
  outbox: OutboxRepository;
  /** Each group of results is recorded in one unit of work (one durable commit). */
  transactions: Committer;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;
  private consecutiveFailures = 0;
  private failing: boolean | undefined;
  private readonly random: () => number;

  private readonly repo: OutboxRepository;
  private readonly destination: OutboxDestination;

  constructor(
    private readonly store: OutboxStore,
    destination: EmrPort | OutboxDestination,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: OutboxWorkerOptions,
    private readonly hooks: OutboxWorkerHooks = {},
  ) {
    this.random = o.random ?? Math.random;
    this.repo = store.outbox;
    this.destination = 'kinds' in destination ? destination : emrDestination(destination);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.nudge();
  }

  /** Waits for the cycle in progress; no new cycle starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Something new is due (a check-in committed, an admin retry): run a cycle soon. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), 0);
  }

  private loop(): void {
    this.timer = undefined;
    if (this.stopped || this.running) return;
    this.again = false;
    this.running = this.cycle()
      .catch((e: unknown) => {
        this.log.error({ err: String(e) }, 'outbox cycle failed');
        return 0;
      })
      .then((n) => {
        this.running = undefined;
        if (this.stopped) return;
        // A full batch, or news during the cycle: go on at once; otherwise poll.
        const soon = n >= this.o.batch || this.again;
        this.timer = setTimeout(() => this.loop(), soon ? 0 : this.o.pollMs);
      });
  }

  /** One cycle; returns how many rows were claimed. Public for tests and drains. */
  async cycle(): Promise<number> {
    const rows = await this.repo.claim(this.o.batch, this.o.leaseMs, this.destination.kinds);
    if (rows.length === 0) return 0;
    const claims = new Map(rows.map((r) => [r.id, r.claim_token ?? '']));
    const groups = new Map<string, EmrOutboxTable[]>();
    for (const r of rows) groups.set(r.patient_key, [...(groups.get(r.patient_key) ?? []), r]);
    const queue = [...groups.values()];
    const pending: Completion[] = [];
    let down = false;
    let flushing = Promise.resolve();
    const flush = () => {
      const chunk = pending.splice(0);
      flushing = flushing.then(async () => {
        if (chunk.length === 0) return;
        await this.store.transactions.run((trx) => this.repo.complete(trx, claims, chunk));
      });
      return flushing;
    };

    // While the EMR is failing, one delivery probes it; the rest of the batch waits.
    const width = this.consecutiveFailures > 0 ? 1 : this.o.concurrency;
    const workers = Array.from({ length: Math.min(width, queue.length) }, async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const row of group) {
          if (down) {
            pending.push(this.deferred(row));
            continue;
          }
          const completion = await this.deliver(row);
          pending.push(completion);
          if (completion.outcome === 'retry') down = this.consecutiveFailures >= 1;
          if (pending.length >= Math.max(16, this.o.concurrency)) await flush();
        }
      }
    });
    await Promise.all(workers);
    await flush();
    await this.reportHealth();
    return rows.length;
  }

  private deferred(row: EmrOutboxTable): Completion {
    const delay = backoffMs(this.consecutiveFailures, this.o.backoffBaseMs, this.o.backoffMaxMs, this.random);
    return {
      id: row.id,
      outcome: 'retry',
      nextAttemptAt: new Date(this.clock.now().getTime() + delay).toISOString(),
      code: row.last_error_code ?? 'emr-unavailable',
      message: row.last_error ?? 'not tried: the EMR was failing',
      attempted: false,
    };
  }

  private async deliver(row: EmrOutboxTable): Promise<Completion> {
    const started = performance.now();
    let result: Result<unknown, DeliveryError>;
    try {
      result = await this.destination.deliver(row);
    } catch (e) {
      // Adapters return Results; a throw is a bug: keep the row and retry later.
      this.log.error({ err: String(e), delivery: row.id }, 'outbox adapter threw');
      result = { ok: false, error: { code: 'emr-bad-response', message: 'adapter error', retriable: true } };
    }
    const attemptMs = performance.now() - started;
    if (result.ok) {
      this.consecutiveFailures = 0;
      this.hooks.onAttempt?.('delivered', attemptMs, this.clock.now().getTime() - Date.parse(row.created_at));
      return { id: row.id, outcome: 'delivered', result: result.value };
    }
    const error = result.error;
    this.log.warn(
      { delivery: row.id, code: error.code, detail: error.detail ?? null, attempt: Number(row.attempts) + 1 },
      'outbox delivery failed',
    );
    if (error.retriable) {
      this.consecutiveFailures += 1;
      this.hooks.onAttempt?.('retry', attemptMs);
      const delay = backoffMs(Number(row.attempts) + 1, this.o.backoffBaseMs, this.o.backoffMaxMs, this.random);
      return {
        id: row.id,
        outcome: 'retry',
        nextAttemptAt: new Date(this.clock.now().getTime() + delay).toISOString(),
        code: error.code,
        message: error.message,
        attempted: true,
      };
    }
    this.hooks.onAttempt?.('failed', attemptMs);
    if (error.code !== 'emr-ambiguous-patient') this.lastRefusal = `${error.code}:${error.detail ?? ''}`.slice(0, 200);
    if (error.route === 'counter') this.hooks.onCounter?.(row, error);
    return { id: row.id, outcome: 'failed', code: error.code, message: error.message, route: error.route ?? null };
  }

  /** The latest refusal, for the alert's detail. */
  private lastRefusal: string | undefined;

  /**
   * Failing while attempts keep failing, or while refused deliveries (the EMR said no, or our
   * validation did) wait for an admin; several patients matching (412) is staff work, not a fault.
   */
  private async reportHealth(): Promise<void> {
    const refused = await this.repo.refusedCount(this.destination.refusalCodes);
    const failing = this.consecutiveFailures >= this.o.alertAfterFailures || refused > 0;
    if (failing === this.failing) return;
    this.failing = failing;
    const detail = !failing
      ? null
      : refused > 0
        ? `refused:${refused}${this.lastRefusal ? ` last ${this.lastRefusal}` : ''}`
        : `consecutive-failures:${this.consecutiveFailures}`;
    this.hooks.onHealth?.(failing, detail);
  }
}
