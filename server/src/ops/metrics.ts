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
  readonly checkIns = this.counter(
    'kiosk_checkins_total',
    'Check-in commands by outcome (issued, replayed, or the error code)',
    ['outcome'],
  );
  readonly checkInSeconds = this.histogram(
    'kiosk_checkin_duration_seconds',
    'Check-in command → ticket stored (including the group-commit wait)',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  readonly ticketsIssued = this.counter(
    'kiosk_tickets_issued_total',
    'Tickets issued by service (check-ins and transfers)',
    ['service'],
  );
  readonly calls = this.counter('kiosk_calls_total', 'Calls announced to displays by service (calls and recalls)', [
    'service',
  ]);
  readonly rateLimited = this.counter(
    'kiosk_rate_limited_total',
    "Requests answered 'rate-limited', by edge (http, or the socket namespace) and route group or command",
    ['edge', 'group'],
  );
  readonly transitions = this.counter('kiosk_ticket_transitions_total', 'Ticket status changes by resulting status', [
    'status',
  ]);
  private readonly walSyncSeconds = new FastHistogram(
    'kiosk_db_wal_sync_seconds',
    'SQLite WAL fdatasync duration: every acknowledgement waits for one (a slow disk shows here first)',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    this.registry,
  );
  /** Observe one WAL fdatasync, in seconds. */
  readonly walSync = this.walSyncSeconds.child({});
  readonly groupCommitBatch = this.histogram(
    'kiosk_group_commit_batch_size',
    'Check-ins carried by one durable commit',
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  readonly dbSeconds = new FastHistogram(
    'kiosk_db_query_duration_seconds',
    'Database statement latency by kind',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    this.registry,
  );
  readonly backupLastSuccess = this.gauge(
    'kiosk_backup_last_success_timestamp_seconds',
    'SQLite: when the last online backup that succeeded began (Unix time)',
  );
  readonly backupSeconds = this.gauge('kiosk_backup_duration_seconds', 'SQLite: how long the last online backup took');
  readonly backupFailures = this.counter('kiosk_backup_failures_total', 'SQLite: online backups that failed');
  readonly dbErrors = this.counter('kiosk_db_query_errors_total', 'Failed database statements by kind', [
    'kind',
    'dialect',
  ]);

  constructor(scrape: {
    waitingByService: () => Promise<Map<string, number>>;
    openAlertsByKind: () => Promise<Map<string, number>>;
    /** PostgreSQL: whether tickets sit in the default partition (false on SQLite). */
    defaultPartitionUsed?: () => Promise<boolean>;
  }) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'kiosk_server_' });
    this.gaugeByLabel(
      'kiosk_tickets_waiting',
      "Today's waiting tickets by service (whole facility, from the database)",
      'service',
      scrape.waitingByService,
    );
    new client.Gauge({
      name: 'kiosk_db_default_partition_used',
      help: 'PostgreSQL: 1 when tickets sit in the default partition (a day whose partition was not made); 0 otherwise and on SQLite',
      registers: [this.registry],
      async collect() {
        this.set((await scrape.defaultPartitionUsed?.()) ? 1 : 0);
      },
    });
    this.gaugeByLabel(
      'kiosk_alerts_open',
      'Open fleet alerts by kind (whole facility, from the database)',
      'kind',
      scrape.openAlertsByKind,
    );
  }

  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) {
    return new client.Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string) {
    return new client.Gauge({ name, help, registers: [this.registry] });
  }

  private histogram(name: string, help: string, buckets: number[]) {
    return new client.Histogram({ name, help, buckets, registers: [this.registry] });
  }

  /** A gauge read at scrape time from the database: one series per `label` value `read` answers. */
  private gaugeByLabel(name: string, help: string, label: string, read: () => Promise<Map<string, number>>) {
    new client.Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [value, n] of await read()) this.set({ [label]: value }, n);
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
