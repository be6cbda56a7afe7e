/**
 * Reads the bank's statement on a timer and hands every credit to the payments' one matcher (the
 * same path as the bank's webhook), so a notification that never arrives still settles its payment
 * and one heard both ways settles once.
 *
 * The cursor — the latest booking time read and the transaction ids booked at that very time — is
 * kept in the database after every page: a restart resumes where it stopped, asking again from that
 * time (the statement's `since` is inclusive) and skipping the ids already read there, so no credit
 * is handed over twice and none is skipped. A failed read is retried with exponential backoff; a
 * refused authorization, or failures that go on, raise the fleet alert until a read succeeds.
 */
import { z } from 'zod';
import { bankStatementAtRest, type BankNotification, type BankStatementStatus } from '@kiosk/protocol';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { HttpBankStatementSource, type BankStatementSource, type StatementFailure } from './bank-statement.adapter';
import type { HttpClient } from './http.client';
import { backoffMs } from './outbox.worker';

export interface StatementCursor {
  /** The latest booking time read (ISO). */
  since: string;
  /** Transaction ids booked exactly at `since`, already handed over. */
  seen: string[];
}

export const statementCursorSchema = z.object({
  since: z.string().datetime({ offset: true }),
  seen: z.array(z.string().max(64)).max(1000),
});

export interface StatementPollerOptions {
  intervalMs: number;
  /** Where a first read (no cursor stored yet) starts, back from now. */
  lookbackMs: number;
  /** Consecutive failed reads before the alert is raised (a refused authorization raises at once). */
  alertAfterFailures: number;
  /** Pages read in one poll at most (the rest follow in the next). */
  maxPagesPerPoll: number;
  loadCursor: () => Promise<StatementCursor | undefined>;
  saveCursor: (cursor: StatementCursor) => Promise<void>;
  /** The payments' matcher; it is idempotent on the bank's transaction id. */
  settle: (credit: BankNotification) => Promise<unknown>;
  /** Raise (`failing`) or resolve the alert. */
  setFailing: (failing: boolean, detail: string | null) => Promise<void>;
  random?: () => number;
}

export class BankStatementPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failures = 0;
  private alerted = false;
  private status: BankStatementStatus = bankStatementAtRest('starting');

  constructor(
    private readonly source: BankStatementSource,
    private readonly clock: Clock,
    private readonly o: StatementPollerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  state(): BankStatementStatus {
    return { ...this.status };
  }

  /** One poll: every page since the cursor (bounded), each credit settled, the cursor saved per page. */
  async pollOnce(): Promise<void> {
    const outcome = await this.read();
    const now = this.clock.now().toISOString();
    if (outcome.ok) {
      this.failures = 0;
      this.status = { ...this.status, state: 'ok', lastSuccessAt: now, consecutiveFailures: 0, lastError: null };
      if (this.alerted) {
        this.alerted = false;
        await this.o.setFailing(false, null);
      }
      return;
    }
    this.failures += 1;
    const refused = outcome.error.code === 'statement-auth-refused';
    this.status = {
      ...this.status,
      state: refused ? 'auth-refused' : 'failing',
      lastFailureAt: now,
      lastError: outcome.error.code,
      consecutiveFailures: this.failures,
    };
    this.log.warn({ code: outcome.error.code, failures: this.failures }, 'bank statement read failed');
    if (!this.alerted && (refused || this.failures >= this.o.alertAfterFailures)) {
      this.alerted = true;
      await this.o.setFailing(true, `${outcome.error.code}: ${outcome.error.message}`.slice(0, 200));
    }
  }

  private async read(): Promise<{ ok: true } | { ok: false; error: StatementFailure }> {
    const stored = await this.o.loadCursor();
    let cursor: StatementCursor = stored ?? {
      since: new Date(this.clock.now().getTime() - this.o.lookbackMs).toISOString(),
      seen: [],
    };
    // One poll pages through one query: its `since` stays put while the cursor moves on.
    const query = cursor.since;
    let pageToken: string | undefined;
    for (let pages = 0; pages < this.o.maxPagesPerPoll; pages++) {
      const page = await this.source.page(query, pageToken);
      if (!page.ok) return page;
      if (page.value.rejected > 0)
        this.log.warn({ rejected: page.value.rejected }, 'bank statement credits not in the agreed form skipped');
      const skip = new Set(cursor.seen);
      for (const credit of page.value.credits) {
        const at = Date.parse(credit.bookedAt);
        const since = Date.parse(cursor.since);
        if (at === since && skip.has(credit.transactionId)) continue;
        await this.o.settle(credit);
        this.status.creditsRead += 1;
        if (at > since) cursor = { since: new Date(at).toISOString(), seen: [credit.transactionId] };
        else if (at === since) cursor = { since: cursor.since, seen: [...cursor.seen, credit.transactionId] };
        skip.add(credit.transactionId);
      }
      await this.o.saveCursor(cursor);
      this.status.cursor = cursor.since;
      pageToken = page.value.nextPage;
      if (pageToken === undefined) break;
    }
    return { ok: true };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce()
        .catch((e: unknown) => {
          this.failures += 1;
          this.log.error({ err: String(e) }, 'bank statement poll failed');
        })
        .finally(() => {
          this.running = undefined;
          const delay =
            this.failures === 0
              ? this.o.intervalMs
              : Math.max(
                  this.o.intervalMs,
                  backoffMs(this.failures, this.o.intervalMs, Math.max(this.o.intervalMs, 300_000), this.o.random),
                );
          this.schedule(delay);
        });
    }, delayMs);
    this.timer.unref();
  }
}

/** Where the cursor is kept (the settings table). */
export const STATEMENT_CURSOR_SETTING = 'bank-statement-cursor';

export interface StatementPollerConfig {
  BANK_STATEMENT_URL?: string | undefined;
  BANK_STATEMENT_INTERVAL_MS: number;
  BANK_STATEMENT_TOKEN_URL?: string | undefined;
  BANK_STATEMENT_CLIENT_ID?: string | undefined;
  BANK_STATEMENT_CLIENT_SECRET?: string | undefined;
  BANK_STATEMENT_TIMEOUT_MS: number;
  BANK_STATEMENT_PAGE_SIZE: number;
  BANK_STATEMENT_LOOKBACK_HOURS: number;
}

/** The poller the configuration asks for, or undefined when no statement API is configured. */
export function createBankStatementPoller(
  config: StatementPollerConfig,
  deps: {
    settings: {
      setting(key: string): Promise<string | undefined>;
      saveSetting(key: string, value: string, at: string): Promise<void>;
    };
    settle: (credit: BankNotification) => Promise<unknown>;
    setFailing: (failing: boolean, detail: string | null) => Promise<void>;
    clock: Clock;
    log: Logger;
    http: HttpClient;
  },
): BankStatementPoller | undefined {
  if (!config.BANK_STATEMENT_URL) return undefined;
  const source = new HttpBankStatementSource(deps.http, {
    url: config.BANK_STATEMENT_URL,
    ...(config.BANK_STATEMENT_TOKEN_URL ? { tokenUrl: config.BANK_STATEMENT_TOKEN_URL } : {}),
    ...(config.BANK_STATEMENT_CLIENT_ID ? { clientId: config.BANK_STATEMENT_CLIENT_ID } : {}),
    ...(config.BANK_STATEMENT_CLIENT_SECRET ? { clientSecret: config.BANK_STATEMENT_CLIENT_SECRET } : {}),
    timeoutMs: config.BANK_STATEMENT_TIMEOUT_MS,
    pageSize: config.BANK_STATEMENT_PAGE_SIZE,
  });
  return new BankStatementPoller(
    source,
    deps.clock,
    {
      intervalMs: config.BANK_STATEMENT_INTERVAL_MS,
      lookbackMs: config.BANK_STATEMENT_LOOKBACK_HOURS * 3600_000,
      alertAfterFailures: 3,
      maxPagesPerPoll: 50,
      loadCursor: async () => {
        const raw = await deps.settings.setting(STATEMENT_CURSOR_SETTING);
        if (raw === undefined) return undefined;
        try {
          const parsed = statementCursorSchema.safeParse(JSON.parse(raw));
          return parsed.success ? parsed.data : undefined;
        } catch {
          return undefined;
        }
      },
      saveCursor: (cursor) =>
        deps.settings.saveSetting(STATEMENT_CURSOR_SETTING, JSON.stringify(cursor), deps.clock.now().toISOString()),
      settle: deps.settle,
      setFailing: deps.setFailing,
    },
    deps.log.child({ component: 'bank-statement' }),
  );
}
