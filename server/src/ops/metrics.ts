/**
 * Prometheus metrics of one server instance: check-ins, tickets and calls by service, queue
 * transitions, database latency (every Kysely query), and — read at scrape time from the shared
 * database — waiting tickets by service and open alerts by kind.
 */
import client from 'prom-client';
import { FastHistogram } from './fast-histogram';

export type QueryKind = 'select' | 'insert' | 'update' | 'delete' | 'transaction' | 'other';
const FIRST_WORDS: readonly (readonly [string, QueryKind])[] = [
  ['insert ', 'insert'],
  ['select ', 'select'],
  ['update ', 'update'],
  ['savepoint ', 'transaction'],
  ['release ', 'other'],
  ['delete ', 'delete'],
];

export function queryKindOf(sql: string): QueryKind {
  // Kysely writes the keyword first, in lower case: the common case needs no string work.
  for (const k of FIRST_WORDS) if (sql.startsWith(k[0])) return k[1];
  const word = sql.trimStart().slice(0, 9).split(/\s/u, 1)[0]?.toLowerCase();
  if (word === 'select' || word === 'insert' || word === 'update' || word === 'delete') return word;
  if (word === 'begin' || word === 'commit' || word === 'rollback' || word === 'savepoint') return 'transaction';
  return 'other';
}

export class Metrics {
  readonly registry = new client.Registry();
  readonly checkIns = new client.Counter({
    name: 'kiosk_checkins_total',
    help: 'Check-in commands by outcome (issued, replayed, or the error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly checkInSeconds = new client.Histogram({
    name: 'kiosk_checkin_duration_seconds',
    help: 'Check-in command → ticket stored (including the group-commit wait)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly ticketsIssued = new client.Counter({
    name: 'kiosk_tickets_issued_total',
    help: 'Tickets issued by service (check-ins and transfers)',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly calls = new client.Counter({
    name: 'kiosk_calls_total',
    help: 'Calls announced to displays by service (calls and recalls)',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly transitions = new client.Counter({
    name: 'kiosk_ticket_transitions_total',
    help: 'Ticket status changes by resulting status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly walSyncSeconds = new FastHistogram(
    'kiosk_db_wal_sync_seconds',
    'SQLite WAL fdatasync duration: every acknowledgement waits for one (a slow disk shows here first)',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    this.registry,
  );
  /** Observe one WAL fdatasync, in seconds. */
  readonly walSync = this.walSyncSeconds.child({});
  readonly groupCommitBatch = new client.Histogram({
    name: 'kiosk_group_commit_batch_size',
    help: 'Check-ins carried by one durable commit',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly dbSeconds = new FastHistogram(
    'kiosk_db_query_duration_seconds',
    'Database statement latency by kind',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    this.registry,
  );
  readonly backupLastSuccess = new client.Gauge({
    name: 'kiosk_backup_last_success_timestamp_seconds',
    help: 'SQLite: when the last online backup that succeeded began (Unix time)',
    registers: [this.registry],
  });
  readonly backupSeconds = new client.Gauge({
    name: 'kiosk_backup_duration_seconds',
    help: 'SQLite: how long the last online backup took',
    registers: [this.registry],
  });
  readonly backupFailures = new client.Counter({
    name: 'kiosk_backup_failures_total',
    help: 'SQLite: online backups that failed',
    registers: [this.registry],
  });
  readonly dbErrors = new client.Counter({
    name: 'kiosk_db_query_errors_total',
    help: 'Failed database statements by kind',
    labelNames: ['kind', 'dialect'] as const,
    registers: [this.registry],
  });

  constructor(scrape: {
    waitingByService: () => Promise<Map<string, number>>;
    openAlertsByKind: () => Promise<Map<string, number>>;
    /** PostgreSQL: whether tickets sit in the default partition (false on SQLite). */
    defaultPartitionUsed?: () => Promise<boolean>;
  }) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'kiosk_server_' });
    new client.Gauge({
      name: 'kiosk_tickets_waiting',
      help: "Today's waiting tickets by service (whole facility, from the database)",
      labelNames: ['service'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [service, n] of await scrape.waitingByService()) this.set({ service }, n);
      },
    });
    new client.Gauge({
      name: 'kiosk_db_default_partition_used',
      help: 'PostgreSQL: 1 when tickets sit in the default partition (a day whose partition was not made); 0 otherwise and on SQLite',
      registers: [this.registry],
      async collect() {
        this.set((await scrape.defaultPartitionUsed?.()) ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'kiosk_alerts_open',
      help: 'Open fleet alerts by kind (whole facility, from the database)',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [kind, n] of await scrape.openAlertsByKind()) this.set({ kind }, n);
      },
    });
  }

  private readonly dbChildren = new Map<string, (seconds: number) => void>();

  /** Called for every statement: one observe function per kind and dialect, made once. */
  observeQuery(sql: string, ms: number, dialect: string, failed: boolean): void {
    const kind = queryKindOf(sql);
    const key = `${kind} ${dialect}`;
    let observe = this.dbChildren.get(key);
    if (!observe) {
      observe = this.dbSeconds.child({ kind, dialect });
      this.dbChildren.set(key, observe);
    }
    observe(ms / 1000);
    if (failed) this.dbErrors.inc({ kind, dialect });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
