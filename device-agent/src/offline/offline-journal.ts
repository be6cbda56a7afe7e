/**
 * The kiosk's offline journal: leases of numbers granted by the server, and the check-ins the
 * kiosk issued from them while the server did not answer, in one SQLite file of the agent's data
 * folder (0600 in a 0700 folder). WAL with synchronous=FULL: `issue` returns once the check-in and
 * its number are on disk (the commit fsyncs the WAL), so a ticket is printed only after its
 * check-in is durable, and a power cut after the print loses nothing. Each number is drawn once:
 * the lease's next seq moves in the same transaction as the check-in is stored. A replayed
 * check-in is settled with the server's outcome and its personal data is dropped from the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  offlineCheckInSchema,
  offlineLeaseSchema,
  type AgentCheckInRequest,
  type OfflineBacklog,
  type OfflineCheckIn,
  type OfflineLease,
  type ReplayOutcome,
  type Ticket,
} from '@kiosk/protocol';
import { ensurePrivateDir } from '../server-link/private-files';

interface LeaseRow {
  lease_id: string;
  service_id: string;
  day: string;
  next_seq: number;
  last_seq: number;
  lease_json: string;
}
interface EntryRow {
  check_in_id: string;
  entry_json: string;
  print: OfflineCheckIn['print'];
}

export class OfflineJournal {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    ensurePrivateDir(path.dirname(file));
    // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      create table if not exists leases (
        lease_id text primary key,
        service_id text not null,
        day text not null,
        next_seq integer not null,
        last_seq integer not null,
        expires_at text not null,
        lease_json text not null
      );
      create table if not exists journal (
        n integer primary key autoincrement,
        check_in_id text not null unique,
        service_id text not null,
        day text not null,
        seq integer not null,
        number text not null,
        issued_at text not null,
        entry_json text not null,
        print text not null,
        synced_at text,
        outcome text
      );
      create index if not exists journal_unsynced on journal (synced_at, n);
    `);
  }

  /** Keeps newly granted leases (a lease already held keeps its next seq). */
  saveLeases(leases: readonly OfflineLease[], now: Date = new Date()): number {
    const insert = this.db.prepare(
      `insert into leases (lease_id, service_id, day, next_seq, last_seq, expires_at, lease_json)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (lease_id) do nothing`,
    );
    let added = 0;
    this.db.transaction(() => {
      for (const l of leases) {
        const lease = offlineLeaseSchema.parse(l);
        added += insert.run(
          lease.leaseId,
          lease.serviceId,
          lease.day,
          lease.firstSeq,
          lease.lastSeq,
          lease.expiresAt,
          JSON.stringify(lease),
        ).changes;
      }
      // Leases of past days are void.
      this.db.prepare('delete from leases where expires_at <= ?').run(now.toISOString());
    })();
    return added;
  }

  /** Numbers left per service in leases still valid at `now`. */
  remaining(now: Date = new Date()): { serviceId: string; day: string; count: number }[] {
    return this.db
      .prepare(
        `select service_id as serviceId, day, sum(last_seq - next_seq + 1) as count from leases
         where expires_at > ? and next_seq <= last_seq group by service_id, day`,
      )
      .all(now.toISOString()) as { serviceId: string; day: string; count: number }[];
  }

  /**
   * Issues a check-in from the oldest valid lease of its service: the next seq is drawn, the ticket
   * built and the whole entry stored in one transaction, durable when this returns. Undefined when
   * no lease of that service has a number left (the patient goes to the counter, as before).
   */
  issue(
    request: AgentCheckInRequest,
    now: Date,
    build: (lease: OfflineLease, seq: number) => Ticket,
  ): OfflineCheckIn | undefined {
    return this.db.transaction((): OfflineCheckIn | undefined => {
      const lease = this.db
        .prepare(
          `select lease_id, service_id, day, next_seq, last_seq, lease_json from leases
           where service_id = ? and expires_at > ? and next_seq <= last_seq order by day, next_seq limit 1`,
        )
        .get(request.serviceId, now.toISOString()) as LeaseRow | undefined;
      if (!lease) return undefined;
      const granted = offlineLeaseSchema.parse(JSON.parse(lease.lease_json));
      const seq = lease.next_seq;
      this.db.prepare('update leases set next_seq = next_seq + 1 where lease_id = ?').run(lease.lease_id);
      const entry: OfflineCheckIn = {
        request,
        ticket: build(granted, seq),
        serviceId: lease.service_id,
        day: lease.day,
        seq,
        print: 'pending',
      };
      this.db
        .prepare(
          `insert into journal (check_in_id, service_id, day, seq, number, issued_at, entry_json, print)
           values (?, ?, ?, ?, ?, ?, ?, 'pending')`,
        )
        .run(
          request.checkInId,
          entry.serviceId,
          entry.day,
          seq,
          entry.ticket.number,
          entry.ticket.issuedAt,
          JSON.stringify(entry),
        );
      return entry;
    })();
  }

  /** The printer's outcome for an offline ticket (replayed with it). */
  markPrinted(checkInId: string, state: 'confirmed' | 'failed'): void {
    this.db.prepare('update journal set print = ? where check_in_id = ?').run(state, checkInId);
  }

  /** The oldest check-ins not yet settled by the server, in issue order. */
  pending(limit: number): OfflineCheckIn[] {
    const rows = this.db
      .prepare('select check_in_id, entry_json, print from journal where synced_at is null order by n limit ?')
      .all(limit) as EntryRow[];
    return rows.flatMap((r) => {
      const parsed = offlineCheckInSchema.safeParse({ ...JSON.parse(r.entry_json), print: r.print });
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Marks replayed check-ins done with the server's outcome and drops their personal data. */
  settle(outcomes: readonly ReplayOutcome[], at: Date = new Date()): void {
    const update = this.db.prepare(
      `update journal set synced_at = ?, outcome = ?, entry_json = '{}' where check_in_id = ? and synced_at is null`,
    );
    this.db.transaction(() => {
      for (const o of outcomes)
        update.run(
          at.toISOString(),
          JSON.stringify({ state: o.state, number: o.number, reason: o.reason }),
          o.checkInId,
        );
    })();
  }

  /** Check-ins waiting for the server, and the issue time of the oldest. */
  backlog(): OfflineBacklog {
    const row = this.db
      .prepare('select count(*) as n, min(issued_at) as oldest from journal where synced_at is null')
      .get() as { n: number; oldest: string | null };
    return { backlog: row.n, ...(row.oldest ? { oldestAt: row.oldest } : {}) };
  }

  /** Every check-in the journal has held, settled or not (for tests and the technician). */
  entries(): { checkInId: string; number: string; synced: boolean; outcome: string | null }[] {
    const rows = this.db
      .prepare(`select check_in_id as checkInId, number, synced_at as syncedAt, outcome from journal order by n`)
      .all() as { checkInId: string; number: string; syncedAt: string | null; outcome: string | null }[];
    return rows.map((r) => ({
      checkInId: r.checkInId,
      number: r.number,
      synced: r.syncedAt !== null,
      outcome: r.outcome,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
