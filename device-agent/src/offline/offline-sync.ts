/**
 * Keeps the offline journal in step with the server: on every (re)connection and then on a timer,
 * the kiosk's leases are topped up and the journal is replayed, oldest first, in batches. A batch
 * is settled only once the server has answered it: an agent stopped or a link lost mid-replay
 * sends the unsettled rest again, which the server answers from what it stored (idempotent on the
 * check-in id), so nothing is lost or stored twice.
 */
import { REPLAY_BATCH_MAX } from '@kiosk/protocol';
import type { ServerLink } from '../server-link/server-link';
import type { Logger } from '../logger';
import { Listeners } from '../transports/transport';
import type { OfflineJournal } from './offline-journal';

export interface OfflineSyncOptions {
  link: ServerLink;
  journal: OfflineJournal;
  log: Logger;
  /** Check-ins per replay request (at most REPLAY_BATCH_MAX). */
  batchSize?: number;
  /** How long one replay batch may take the server. */
  batchTimeoutMs?: number;
}

export class OfflineSync {
  private running: Promise<void> | undefined;
  private again = false;
  /** The journal's backlog changed (issued offline, or settled by a replay). */
  readonly changes = new Listeners<[number]>();

  constructor(private readonly options: OfflineSyncOptions) {
    options.link.changes.add((state) => {
      if (state.connected) void this.sync();
    });
  }

  get backlog(): number {
    return this.options.journal.backlog().backlog;
  }

  /** Leases, then the replay; a call while one runs makes it run once more after. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.replayAll();
          await this.refreshLeases();
        } while (this.again && this.options.link.connected);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async refreshLeases(): Promise<void> {
    const { link, journal, log } = this.options;
    if (!link.connected) return;
    const r = await link.takeLeases({ remaining: journal.remaining() });
    if (!r.ok) {
      log.warn({ code: r.error.code }, 'offline leases not refreshed');
      return;
    }
    const added = journal.saveLeases(r.value);
    if (added > 0) log.info({ added, leases: r.value.length }, 'offline leases granted');
  }

  private async replayAll(): Promise<void> {
    const { link, journal, log } = this.options;
    const size = Math.min(this.options.batchSize ?? 100, REPLAY_BATCH_MAX);
    for (;;) {
      if (!link.connected) return;
      const batch = journal.pending(size);
      if (batch.length === 0) return;
      const r = await link.replay({ checkIns: batch }, this.options.batchTimeoutMs ?? 30_000);
      if (!r.ok) {
        // The link went down or the server is busy: the batch stays, sent again on the next try.
        log.warn({ code: r.error.code, batch: batch.length }, 'offline replay paused');
        return;
      }
      journal.settle(r.value);
      const conflicts = r.value.filter((o) => o.state === 'conflict' || o.state === 'refused').length;
      log.info({ replayed: r.value.length, conflicts, backlog: this.backlog }, 'offline check-ins replayed');
      this.changes.emit(this.backlog);
    }
  }
}
