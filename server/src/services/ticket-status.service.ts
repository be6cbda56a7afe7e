/**
 * The ticket's public status (`/t/<code>`): what the patient holding the printed code may see —
 * number, clinic and room, people ahead, the wait, the room a call sends them to — and the
 * patient's opt-ins to be told on their phone when N places from the front or called.
 *
 * A code answers while its visit lasts: a ticket of today that is waiting, called or skipped (a
 * transferred ticket answers for the ticket it became). After that: 'expired'. A code that
 * matches nothing costs its address a token of a small bucket; an address out of tokens gets
 * 'rate-limited' before any look-up, so codes (40 random bits) cannot be found by trying.
 *
 * Opt-ins live as long as the visit: deleted when its last ticket ends, on opt-out, when a
 * channel says the subscription is gone, and by the end-of-day sweep.
 */
import {
  err,
  KeyedBuckets,
  ok,
  type BucketSize,
  type CalledTicket,
  type NotifyChannel,
  type NotifySubscribe,
  type QueueEntry,
  type Result,
  type TicketNotification,
  type TicketPublicStatus,
} from '@kiosk/protocol';
import { facilityDay, type Clock } from '../clock';
import { newRowId } from '../db/row-id';
import type { Repositories } from '../repositories';
import type { StatusTicketRow, Subscription, TicketPlaceCounts } from '../repositories/ticket-status.repository';
import type { Logger } from '../logger';
import type { PatientNotifier } from '../integrations/patient-notifier';
import type { QueuePolicy, QueueService } from './queue.service';
import { placeInOrder, predictedOrder } from './queue-position';
import { KeptFor } from './kept-for';

export interface TicketStatusOptions {
  timeZone: string;
  hospitalName: string;
  policy: Pick<QueuePolicy, 'priorityRatio' | 'priorityClasses' | 'ordering'>;
  directionsUrl?: string | undefined;
  placesAhead: number;
  /** Unknown codes per address. */
  guesses: BucketSize;
  maxKeys: number;
  vapidPublicKey?: string | undefined;
  /** One per channel the hospital offers. */
  notifiers: readonly PatientNotifier[];
}

/** A service's waiting line as the queue policy would call it. */
export interface Line {
  serviceId: string;
  /** ticket id → people ahead. */
  ahead: Map<string, number>;
  paceMs: number;
}

const OPEN = new Set(['waiting', 'called', 'skipped']);
/** How long a service's pace is kept for new tickets. */
const PACE_KEPT_MS = 2000;
/** Transfers followed from a code to the ticket it became. */
const MAX_HOPS = 8;

export class TicketStatusService {
  private readonly misses: KeyedBuckets;
  private readonly chains = new Map<string, Promise<void>>();
  /** Paces of new tickets, by service (with the day each is of). */
  private readonly paces = new KeptFor<{ day: string; paceMs: number }>(PACE_KEPT_MS);
  /** Sends still running (tests and shutdown wait for them). */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly repositories: Pick<Repositories, 'ticketStatus'>,
    private readonly queue: Pick<QueueService, 'paceOf'>,
    private readonly clock: Clock,
    private readonly o: TicketStatusOptions,
    private readonly log: Logger,
  ) {
    this.misses = new KeyedBuckets(o.guesses, o.maxKeys, () => clock.now().getTime());
  }

  private get repo() {
    return this.repositories.ticketStatus;
  }

  private today(): string {
    return facilityDay(this.clock.now(), this.o.timeZone);
  }

  get channels(): NotifyChannel[] {
    return this.o.notifiers.map((n) => n.channel);
  }

  /** The ticket a code stands for now, or why it does not answer. */
  private async resolve(code: string, address: string): Promise<Result<StatusTicketRow>> {
    if (!this.misses.available(address)) return err('rate-limited', 'too many unknown codes: try again later');
    const row = await this.repo.byCode(code);
    if (!row) {
      this.misses.take(address);
      return err('unknown-code', 'no ticket has this code');
    }
    return this.follow(row);
  }

  /** Follows transfers to the ticket the visit has now; 'expired' once the visit is over. */
  private async follow(start: StatusTicketRow): Promise<Result<StatusTicketRow>> {
    let row: StatusTicketRow | undefined = start;
    for (let hop = 0; row && row.status === 'transferred' && row.transferred_to && hop < MAX_HOPS; hop++)
      row = await this.repo.byId(row.transferred_to);
    if (!row || row.day !== this.today() || !OPEN.has(row.status)) return err('expired', 'this ticket’s visit is over');
    return ok(row);
  }

  async lineOf(serviceId: string, day: string = this.today()): Promise<Line> {
    const [waiting, streak, pace] = await Promise.all([
      this.repo.waiting(serviceId, day),
      this.repo.priorityStreak(serviceId, day),
      this.queue.paceOf(serviceId, day),
    ]);
    const ahead = new Map<string, number>();
    predictedOrder(waiting, this.o.policy, streak).forEach((t, i) => ahead.set(t.id, i));
    return { serviceId, ahead, paceMs: pace.paceMs };
  }

  /**
   * One waiting ticket's people ahead and its service's pace, without reading the line (what a
   * new ticket prints). Undefined when the ticket is not waiting there today.
   */
  async placeOf(
    serviceId: string,
    ticketId: string,
    day: string = this.today(),
  ): Promise<{ ahead: number; paceMs: number } | undefined> {
    const [around, paceMs] = await Promise.all([
      this.repo.countsAround(serviceId, day, ticketId),
      this.paceOf(serviceId, day),
    ]);
    if (!around) return undefined;
    return { ahead: placeInOrder(around, around.counts, this.o.policy, around.streak), paceMs };
  }

  /** A ticket's people ahead from its line as already read (`TicketRepository.lineAtIssue`), and the pace. */
  async placeIn(serviceId: string, line: TicketPlaceCounts): Promise<{ ahead: number; paceMs: number }> {
    const paceMs = await this.paceOf(serviceId, this.today());
    return { ahead: placeInOrder(line, line.counts, this.o.policy, line.streak), paceMs };
  }

  /**
   * The service's pace for a new ticket's wait, kept for two seconds: it moves only with calls and
   * completions (forgotten here on this instance's; another instance's show within that time).
   */
  private async paceOf(serviceId: string, day: string): Promise<number> {
    const read = async () => ({ day, paceMs: (await this.queue.paceOf(serviceId, day)).paceMs });
    const kept = await this.paces.get(serviceId, read);
    if (kept.day === day) return kept.paceMs;
    this.paces.delete(serviceId);
    return (await this.paces.get(serviceId, read)).paceMs;
  }

  private render(code: string, row: StatusTicketRow, line: Line | undefined): TicketPublicStatus {
    const waiting = row.status === 'waiting';
    const ahead = waiting ? (line?.ahead.get(row.id) ?? 0) : null;
    return {
      code,
      number: row.number,
      state: row.status as TicketPublicStatus['state'],
      service: { vi: row.name_vi, en: row.name_en },
      room: row.room,
      floor: Number(row.floor),
      ahead,
      estimatedWaitMs: ahead === null ? null : Math.round(ahead * (line?.paceMs ?? 0)),
      calledTo: row.status === 'waiting' ? null : row.counter || row.room,
      issuedAt: row.issued_at,
      hospitalName: this.o.hospitalName,
      ...(this.o.directionsUrl ? { directionsUrl: this.o.directionsUrl } : {}),
      notify: {
        placesAhead: this.o.placesAhead,
        channels: this.channels,
        ...(this.o.vapidPublicKey && this.channels.includes('web-push')
          ? { vapidPublicKey: this.o.vapidPublicKey }
          : {}),
      },
      at: this.clock.now().toISOString(),
    };
  }

  /** A code's status, for the page and the API; `address` is the caller's (guess limit). */
  async lookup(
    code: string,
    address: string,
  ): Promise<Result<TicketPublicStatus & { ticketId: string; serviceId: string }>> {
    const r = await this.resolve(code, address);
    if (!r.ok) return r;
    const line = r.value.status === 'waiting' ? await this.lineOf(r.value.service_id) : undefined;
    return ok({ ...this.render(code, r.value, line), ticketId: r.value.id, serviceId: r.value.service_id });
  }

  /**
   * The statuses of tickets being watched, after a change of their service: one read of the line
   * for all of them. A ticket may have moved (transfer): it answers for the ticket it became.
   */
  async statusesOf(
    watched: readonly { code: string; ticketId: string }[],
  ): Promise<Map<string, Result<TicketPublicStatus & { ticketId: string; serviceId: string }>>> {
    const lines = new Map<string, Promise<Line>>();
    const out = new Map<string, Result<TicketPublicStatus & { ticketId: string; serviceId: string }>>();
    for (const w of watched) {
      const start = await this.repo.byId(w.ticketId);
      const r = start ? await this.follow(start) : err('expired', 'this ticket’s visit is over');
      if (!r.ok) {
        out.set(w.code, r);
        continue;
      }
      let line: Promise<Line> | undefined;
      if (r.value.status === 'waiting') {
        line = lines.get(r.value.service_id) ?? this.lineOf(r.value.service_id);
        lines.set(r.value.service_id, line);
      }
      out.set(
        w.code,
        ok({ ...this.render(w.code, r.value, await line), ticketId: r.value.id, serviceId: r.value.service_id }),
      );
    }
    return out;
  }

  // ---- opt-ins -------------------------------------------------------------------------------

  async subscribe(req: NotifySubscribe, address: string): Promise<Result<{ channel: NotifyChannel }>> {
    if (!this.channels.includes(req.channel))
      return err('channel-not-offered', `this hospital does not send ${req.channel}`);
    const r = await this.resolve(req.code, address);
    if (!r.ok) return r;
    const t = r.value;
    await this.repo.addSubscription(
      {
        id: newRowId(),
        ticketId: t.id,
        visitId: t.visit_id,
        serviceId: t.service_id,
        day: t.day,
        channel: req.channel,
        pushJson: req.channel === 'web-push' ? JSON.stringify(req.subscription) : null,
        phone: req.channel === 'web-push' ? null : req.phone,
      },
      this.clock.now().toISOString(),
    );
    // Already near the front (or called): told now.
    this.onServiceChanged(t.service_id);
    return ok({ channel: req.channel });
  }

  async unsubscribe(code: string, address: string): Promise<Result<{ removed: number }>> {
    const r = await this.resolve(code, address);
    if (!r.ok) return r;
    return ok({ removed: await this.repo.deleteOfTicket(r.value.id) });
  }

  // ---- queue events (on the server instance that made them) ----------------------------------

  /** Runs `work` after the earlier work of the same service (events of a service in order). */
  private serial(serviceId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(serviceId) ?? Promise.resolve())
      .then(work)
      .catch((e: unknown) => this.log.warn({ err: String(e) }, 'ticket notifications failed'));
    this.chains.set(serviceId, next);
    void next.then(() => {
      if (this.chains.get(serviceId) === next) this.chains.delete(serviceId);
    });
    return next;
  }

  /**
   * A ticket was called (or called again): a recall tells the patient again. The events of a
   * service may be handled after later calls were made (the handling of an earlier call may
   * already have told this one), so only a notice sent before this call is released.
   */
  onCalled(call: CalledTicket): Promise<void> {
    this.paces.delete(call.serviceId);
    return this.serial(call.serviceId, async () => {
      await this.repo.releaseCalled(call.ticketId, call.calledAt);
      await this.notifyService(call.serviceId);
    });
  }

  /**
   * A ticket changed: an ended visit loses its opt-ins, a transfer carries them to the new ticket
   * (and the line it left moved forward). Nothing else that changes a ticket (a new ticket, a
   * print, a skip) brings a waiting patient nearer the front, so nothing else is read here: a
   * check-in costs no query of this service.
   */
  onChanged(entry: QueueEntry): Promise<void> | undefined {
    this.paces.delete(entry.serviceId);
    if (entry.status === 'completed' || entry.status === 'no-show')
      return this.serial(entry.serviceId, async () => {
        const row = await this.repo.byId(entry.ticketId);
        if (row && !(await this.repo.visitOpen(row.visit_id))) await this.repo.deleteOfVisit(row.visit_id);
      });
    if (entry.status === 'transferred')
      return this.serial(entry.serviceId, async () => {
        const row = await this.repo.byId(entry.ticketId);
        const to = row?.transferred_to ? await this.repo.byId(row.transferred_to) : undefined;
        if (to) {
          await this.repo.moveToTicket(entry.ticketId, { id: to.id, serviceId: to.service_id, day: to.day });
          this.onServiceChanged(to.service_id);
        }
        await this.notifyService(entry.serviceId);
      });
    return undefined;
  }

  onServiceChanged(serviceId: string): void {
    void this.serial(serviceId, () => this.notifyService(serviceId));
  }

  /** Tells every opted-in patient of a service who is now near the front or called, once each. */
  private async notifyService(serviceId: string): Promise<void> {
    const day = this.today();
    const subs = await this.repo.subscriptionsOfService(serviceId, day);
    if (subs.length === 0) return;
    let line: Line | undefined;
    const rows = new Map<string, StatusTicketRow | undefined>();
    const at = this.clock.now().toISOString();
    for (const sub of subs) {
      if (!rows.has(sub.ticketId)) rows.set(sub.ticketId, await this.repo.byId(sub.ticketId));
      const row = rows.get(sub.ticketId);
      if (!row) continue;
      if (row.status === 'called' && sub.calledSentAt === null) {
        // Stamped no earlier than the call it tells: the handling of that call (releaseCalled)
        // must not take it for an earlier call's notice, whatever this instance's clock or when
        // it took `at` (before the call, the ticket read after it).
        const told = row.called_at !== null && row.called_at > at ? row.called_at : at;
        if (await this.repo.claim(sub.id, 'called', told)) this.send(sub, this.notification('called', row, null));
      } else if (row.status === 'waiting' && sub.nearSentAt === null) {
        line ??= await this.lineOf(serviceId, day);
        const ahead = line.ahead.get(row.id);
        if (ahead !== undefined && ahead <= this.o.placesAhead && (await this.repo.claim(sub.id, 'near', at)))
          this.send(sub, this.notification('near', row, ahead));
      }
    }
  }

  private notification(kind: 'near' | 'called', row: StatusTicketRow, ahead: number | null): TicketNotification {
    const to = row.counter || row.room;
    return {
      kind,
      code: row.lookup_code,
      number: row.number,
      ahead,
      calledTo: kind === 'called' ? to : null,
      title:
        kind === 'called'
          ? { vi: `Mời số ${row.number}`, en: `Number ${row.number}, it is your turn` }
          : { vi: `Sắp đến lượt số ${row.number}`, en: `Number ${row.number}, your turn is near` },
      body:
        kind === 'called'
          ? { vi: `Mời số ${row.number} đến ${to}.`, en: `Number ${row.number}, please go to ${to}.` }
          : {
              vi: `Còn ${ahead ?? 0} người trước bạn. Xin đến gần ${row.room}.`,
              en: `${ahead ?? 0} people ahead of you. Please come near ${row.room}.`,
            },
    };
  }

  private send(sub: Subscription, n: TicketNotification): void {
    const notifier = this.o.notifiers.find((x) => x.channel === sub.channel);
    if (!notifier) return;
    const p = notifier
      .send({ pushJson: sub.pushJson, phone: sub.phone, requestId: `${sub.id}-${n.kind}` }, n)
      .then(async (r) => {
        if (r.ok) {
          this.log.info({ channel: sub.channel, kind: n.kind, attempts: r.value.attempts }, 'patient notified');
          return;
        }
        // The subscription or number can never be reached: forget it now.
        if (r.error.code === 'notify-gone') await this.repo.deleteSubscription(sub.id);
        this.log.warn({ channel: sub.channel, kind: n.kind, err: r.error.code }, 'patient notification failed');
      })
      .catch((e: unknown) => this.log.warn({ channel: sub.channel, err: String(e) }, 'patient notification failed'))
      .finally(() => this.sending.delete(p));
    this.sending.add(p);
  }

  /** Waits for every queued evaluation and send (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.chains.size > 0 || this.sending.size > 0) await Promise.all([...this.chains.values(), ...this.sending]);
  }

  /** The end-of-day sweep: opt-ins (and phone numbers) of past days. */
  async sweep(): Promise<number> {
    return this.repo.deleteBefore(this.today());
  }
}
