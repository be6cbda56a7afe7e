/**
 * Offline check-in, the server's side. Leases: each paired kiosk holds, per active service, blocks
 * taken out of the day's number series in advance; a block is taken by moving the series past it
 * (one upsert, under the series row's lock), so its numbers are unique across kiosks, counters and
 * server instances. Replay: the check-ins a kiosk issued from its leases are stored at their issue
 * time (the waiting line orders by it), idempotently on the check-in id; a clash is stored all the
 * same and raised to staff as an 'offline-checkin-conflict' alert.
 */
import { randomUUID } from 'node:crypto';
import {
  maskId,
  type LeaseRequest,
  type OfflineCheckIn,
  type OfflineLease,
  type ReplayBatch,
  type ReplayOutcome,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { Repositories } from '../repositories';
import { facilityDay, type Clock } from '../clock';
import type { Logger } from '../logger';
import type { CheckInService } from './checkin.service';

export interface OfflineDeps {
  repositories: Pick<Repositories, 'offlineLeases' | 'catalogue'>;
  transactions: Committer;
  checkIn: Pick<CheckInService, 'storeOffline'>;
  clock: Clock;
  timeZone: string;
  hospitalName: string;
  /** The public base URL for patients' phones (PUBLIC_URL): the kiosk's offline tickets open their status page. */
  publicUrl?: string;
  /** Numbers per block. */
  blockSize: number;
  /** A kiosk with fewer numbers than this left for a service gets a new block. */
  lowWater: number;
  /** A replayed check-in clashed: tell staff (the alert carries no personal data). */
  onConflict: (agentId: string, checkInId: string, detail: string) => Promise<void>;
  log: Logger;
}

/** The first instant of the next facility day after `at`, to the minute. */
export function endOfFacilityDay(at: Date, timeZone: string): Date {
  const day = facilityDay(at, timeZone);
  let t = at.getTime();
  // Hours until the day changes, then back by minutes to its first minute.
  while (facilityDay(new Date(t), timeZone) === day) t += 3_600_000;
  while (facilityDay(new Date(t - 60_000), timeZone) !== day) t -= 60_000;
  return new Date(Math.floor(t / 60_000) * 60_000);
}

export class OfflineService {
  constructor(private readonly deps: OfflineDeps) {}

  /**
   * Tops up this kiosk's leases for today (a new block for each active service where it has fewer
   * than `lowWater` numbers left) and answers every lease it holds for today.
   */
  async leases(agentId: string, request: LeaseRequest): Promise<OfflineLease[]> {
    const { offlineLeases, catalogue } = this.deps.repositories;
    const now = this.deps.clock.now();
    const day = facilityDay(now, this.deps.timeZone);
    const expiresAt = endOfFacilityDay(now, this.deps.timeZone).toISOString();
    const services = await catalogue.activeServices();
    const held = await offlineLeases.ofAgent(agentId, day);
    const remaining = new Map(request.remaining.filter((r) => r.day === day).map((r) => [r.serviceId, r.count]));
    const short = services.filter((s) => {
      // A kiosk that never reported a service's count holds whatever it was granted and has not used.
      const left = remaining.get(s.id);
      const granted = held.filter((l) => l.service_id === s.id);
      return left === undefined ? granted.length === 0 : left < this.deps.lowWater;
    });
    if (short.length > 0) {
      const at = now.toISOString();
      await this.deps.transactions.run(async (trx) => {
        for (const s of short) {
          const first = await offlineLeases.takeBlock(trx, s.id, day, this.deps.blockSize);
          await offlineLeases.insert(trx, {
            id: randomUUID(),
            agent_id: agentId,
            service_id: s.id,
            day,
            first_seq: first,
            last_seq: first + this.deps.blockSize - 1,
            granted_at: at,
          });
        }
      });
    }
    const byId = new Map(services.map((s) => [s.id, s]));
    const leases = await offlineLeases.ofAgent(agentId, day);
    return leases.flatMap((l) => {
      const s = byId.get(l.service_id);
      if (!s) return [];
      return [
        {
          leaseId: l.id,
          serviceId: s.id,
          day,
          prefix: s.prefix,
          firstSeq: l.first_seq,
          lastSeq: l.last_seq,
          expiresAt,
          hospitalName: this.deps.hospitalName,
          department: s.dept_vi,
          room: s.room,
          floor: Number(s.floor),
          ...(this.deps.publicUrl ? { publicUrl: this.deps.publicUrl } : {}),
        },
      ];
    });
  }

  /** Stores a kiosk's offline check-ins, in the order given; one outcome each. */
  async replay(agentId: string, batch: ReplayBatch): Promise<ReplayOutcome[]> {
    // The units run together so the group committer may commit them in one transaction; each
    // stands alone (its own savepoint), and the queue orders by issue time, not by insertion.
    return Promise.all(batch.checkIns.map((item) => this.replayOne(agentId, item)));
  }

  private async replayOne(agentId: string, item: OfflineCheckIn): Promise<ReplayOutcome> {
    const { offlineLeases } = this.deps.repositories;
    const checkInId = item.request.checkInId;
    const r = await this.deps.checkIn.storeOffline(item, agentId, {
      covers: (trx) => offlineLeases.covers(trx, agentId, item.serviceId, item.day, item.seq),
      numberTaken: async (trx) =>
        (await offlineLeases.ticketNumbered(trx, item.serviceId, item.day, item.ticket.number)) !== undefined,
      adopt: (trx, receipt) =>
        offlineLeases.adoptOnline(trx, {
          checkInId,
          agentId,
          seq: item.seq,
          number: item.ticket.number,
          issuedAt: item.ticket.issuedAt,
          lookupCode: item.ticket.lookupCode,
          printStatus: item.print === 'confirmed' ? 'printed' : item.print === 'failed' ? 'failed' : 'pending',
          receiptJson: (ticketId) => JSON.stringify(receipt(ticketId)),
        }),
    });
    if (!r.ok) {
      // Not stored and never will be as it is (an unknown service …): staff take it from here.
      await this.deps.onConflict(agentId, checkInId, `refused:${r.error.code}:${item.ticket.number}`);
      this.deps.log.warn(
        { agent: agentId, code: r.error.code, ticket: item.ticket.number },
        'offline check-in refused',
      );
      return { checkInId, state: 'refused', reason: r.error.code };
    }
    const { receipt, state } = r.value;
    if (state === 'conflict') {
      const detail = `${r.value.reason ?? 'conflict'}:${item.ticket.number}->${receipt.ticket.number}`;
      await this.deps.onConflict(agentId, checkInId, detail);
      this.deps.log.warn(
        { agent: agentId, checkIn: maskId(checkInId), reason: r.value.reason, ticket: item.ticket.number },
        'offline check-in conflict',
      );
    }
    return {
      checkInId,
      state,
      ticketId: receipt.ticketId,
      number: receipt.ticket.number,
      ...(r.value.reason ? { reason: r.value.reason } : {}),
    };
  }

  /** The journal backlog a kiosk's heartbeat reported. */
  async saveBacklog(agentId: string, backlog: number, oldestAt: string | undefined): Promise<void> {
    await this.deps.repositories.offlineLeases.saveBacklog(
      agentId,
      backlog,
      oldestAt ?? null,
      this.deps.clock.now().toISOString(),
    );
  }

  backlogs() {
    return this.deps.repositories.offlineLeases.backlogs();
  }
}
