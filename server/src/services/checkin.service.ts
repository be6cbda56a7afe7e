/**
 * Check-in: one command from a kiosk agent → patient matched or created, visit, ticket with the
 * next number of the service's daily series — all in one transaction. The client-generated
 * check-in id makes retries return the first receipt verbatim.
 */
import { newRowId } from '../db/row-id';
import {
  checkInReceiptSchema,
  maskName,
  type AgentCheckInRequest,
  type CheckInReceipt,
  type CheckInRequest,
  type Identity,
  type IdentityConflictField,
  type InsuranceCheck,
  priorityClassOf,
  type PriorityClass,
  type Result,
  type Ticket,
  err,
  ok,
  type QueueEntry,
  type OfflineCheckIn,
  ticketStatusUrl,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { Executor, Repositories } from '../repositories';
import type { WeeklyHours } from '../repositories/catalogue.repository';
import { newPatientRow } from '../repositories/patient.repository';
import type { TicketPlaceCounts } from '../repositories/ticket-status.repository';
import {
  classifyFailure,
  newPendingTokens,
  type CheckInRepository,
  type CheckInStatement,
  type PendingTokens,
} from '../repositories/checkin.repository';
import { facilityDay, localWeekTime, type Clock } from '../clock';
import type { Logger } from '../logger';
import { TicketCodeTaken, issueTicket, lookupCode, newTicketRow } from './ticket-issue';
import { readStoredJson } from './stored-json';
import { identityDifferences } from './identity-match';
import { KeptFor } from './kept-for';

/** A kiosk prints the ticket it issued; a counter's registration (`counter:<user>`) has no printer yet. */
const printStatusAt = (agentId: string | null): 'pending' | 'none' =>
  agentId === null || agentId.startsWith('counter:') ? 'none' : 'pending';

export interface CheckInDeps {
  repositories: Pick<Repositories, 'tickets' | 'visits' | 'patients' | 'catalogue' | 'identityConflicts'>;
  /** Runs each check-in's writes in a transaction (grouped with concurrent ones, or alone). */
  committer: Committer;
  clock: Clock;
  timeZone: string;
  hospitalName: string;
  /** Version of the privacy notice the kiosk shows; stored with each consent event. */
  privacyNoticeVersion: string;
  log: Logger;
  onIssued: (entry: QueueEntry) => void;
  /** How long a service and its opening hours are cached (default 2 s). */
  serviceCacheMs?: number;
  /**
   * What the ticket's screen and paper add after the commit (never stored with the receipt): the
   * clinic's names in both languages, people ahead and the estimated wait. A failure leaves them out.
   * `line` is the line as the unit of work that issued the ticket saw it (absent: read it now).
   */
  describeTicket?: (serviceId: string, ticketId: string, line?: TicketPlaceCounts) => Promise<Partial<Ticket>>;
  /** The public base URL for patients' phones (PUBLIC_URL): the ticket's QR opens its status page. */
  publicUrl?: string;
  /** Every answered command: 'issued', 'replayed' or the error code, with its duration. */
  onOutcome?: (outcome: string, ms: number) => void;
  /** Extension points of the integrations (insurance screening, the EMR outbox). */
  hooks?: CheckInHooks;
  /**
   * PostgreSQL without group commit: each check-in as one statement (checkin.repository.ts) instead
   * of a unit of work through the committer. Used when the hooks can give their rows (`rows`).
   */
  oneStatement?: CheckInRepository;
}

/** What a screening before the transaction decided about the ticket. */
export interface CheckInScreening {
  serviceType?: 'insurance' | 'fee-paying';
  insurance?: InsuranceCheck;
  /**
   * The BHYT card number the gateway vouched for in this screening (its answer for the card
   * brought, or for the CCCD number): the only way a check-in replaces a stored card number.
   */
  insuranceCard?: string;
  /** Carried to `stored` untouched. */
  context?: unknown;
}
export interface StoredCheckIn {
  receipt: CheckInReceipt;
  request: CheckInRequest;
  patientId: string;
  agentId: string | null;
  screening: CheckInScreening;
  /** The service as the catalogue had it when the check-in began. */
  service: { id: string; name_vi: string; room: string; dept_vi: string };
}

/** What the integrations store with a one-statement check-in (see `CheckInHooks.rows`). */
export type CheckInExtraRows = Pick<CheckInStatement, 'record' | 'insuranceCheck' | 'delivery' | 'portalDelivery'>;
export interface CheckInHooks {
  /** Before the transaction (after a replay check): refuse the check-in, or decide its insurance status. */
  screen?(request: CheckInRequest, agentId: string | null): Promise<Result<CheckInScreening>>;
  /** Inside the check-in's transaction, after its rows: whatever must commit or roll back with it. */
  stored?(trx: Executor, stored: StoredCheckIn): Promise<void>;
  /**
   * The rows `stored` would write, for the one-statement check-in on PostgreSQL: `stored` carries
   * the statement's tokens as its ticket number and patient id (`tokens` says which).
   */
  rows?(stored: StoredCheckIn, tokens: PendingTokens): CheckInExtraRows;
  /** After the commit (never for a replay). */
  committed?(receipt: CheckInReceipt): void;
}

/**
 * How a check-in's identity was attested, as the visit records it: the source the agent vouches
 * for and, for a chip it read, the outcome of passive authentication. Without the agent's word (a
 * counter registration, an agent from before provenance) a chip claim is 'unattested'.
 */
export function identityProvenanceOf(request: AgentCheckInRequest): { source: string; check: string } {
  const p = request.provenance;
  if (p) return { source: p.source, check: p.source === 'chip' ? (p.passiveAuth ?? 'not-checked') : 'claimed' };
  return { source: request.identity.source, check: request.identity.source === 'chip' ? 'unattested' : 'claimed' };
}

interface CataloguedService {
  id: string;
  prefix: string;
  name_vi: string;
  room: string;
  floor: number;
  dept_vi: string;
}

/** The service as the integrations' hooks are given it (`StoredCheckIn.service`). */
const hookService = (s: CataloguedService): StoredCheckIn['service'] => ({
  id: s.id,
  name_vi: s.name_vi,
  room: s.room,
  dept_vi: s.dept_vi,
});

/** A receipt answered without a unit of this check-in (a replay): its line is read when described. */
const alone = (r: Result<CheckInReceipt>): Result<{ receipt: CheckInReceipt }> => (r.ok ? ok({ receipt: r.value }) : r);

export class CheckInService {
  /** Services with their opening hours, kept for `serviceCacheMs`. */
  private readonly services: KeptFor<{ service: CataloguedService | undefined; hours: WeeklyHours[] }>;

  constructor(private readonly deps: CheckInDeps) {
    this.services = new KeptFor(deps.serviceCacheMs ?? 2000);
  }

  async checkIn(request: AgentCheckInRequest, agentId: string | null): Promise<Result<CheckInReceipt>> {
    const started = performance.now();
    const result = await this.checkInOnce(request, agentId);
    const outcome = result.ok ? (result.value.receipt.replayed ? 'replayed' : 'issued') : result.error.code;
    this.deps.onOutcome?.(outcome, performance.now() - started);
    if (!result.ok) return result;
    const { receipt, line } = result.value;
    // The status URL is made here, never stored: a replay or a changed PUBLIC_URL gives the current one.
    const { publicUrl } = this.deps;
    const statusUrl = publicUrl ? { statusUrl: ticketStatusUrl(publicUrl, receipt.ticket.lookupCode) } : {};
    const extra = this.deps.describeTicket
      ? await this.deps.describeTicket(request.serviceId, receipt.ticketId, line).catch(() => ({}))
      : {};
    return ok({ ...receipt, ticket: { ...receipt.ticket, ...extra, ...statusUrl } });
  }

  /** The receipt, and the ticket's line as the unit or statement that issued it saw it (not for a replay). */
  private async checkInOnce(
    checkInRequest: AgentCheckInRequest,
    agentId: string | null,
  ): Promise<Result<{ receipt: CheckInReceipt; line?: TicketPlaceCounts }>> {
    const hooks = this.deps.hooks;
    const statement = this.deps.oneStatement && (!hooks?.stored || hooks.rows) ? this.deps.oneStatement : undefined;
    // The one statement finds a replay by its own conflict on the check-in id; a screening (a call
    // to the BHYT gateway) is not spent on a replay.
    if (!statement || hooks?.screen) {
      const replay = await this.findReceipt(checkInRequest.checkInId);
      if (replay) return alone(replay);
    }
    const service = await this.openService(checkInRequest.serviceId);
    if (!service.ok) return service;
    const screened = hooks?.screen ? await hooks.screen(checkInRequest, agentId) : ok<CheckInScreening>({});
    if (!screened.ok) return screened;
    // The card the gateway found (a CCCD-only patient's, a renewed card's) is the visit's card.
    const card = screened.value.insuranceCard;
    const request =
      card !== undefined && card !== checkInRequest.identity.insuranceNumber
        ? { ...checkInRequest, identity: { ...checkInRequest.identity, insuranceNumber: card } }
        : checkInRequest;
    try {
      // The one statement stores nothing when the patient it matches is not written exactly as
      // this identity: such a check-in takes the unit of work, which compares as staff would.
      const { receipt, entry, line } =
        (statement && (await this.storeAtOnce(statement, request, agentId, screened.value, service.value))) ||
        (await this.runRetrying((trx) => this.issue(trx, request, agentId, screened.value, service.value)));
      const provenance = identityProvenanceOf(request);
      this.deps.onIssued({ ...entry, identity: { source: provenance.source, check: provenance.check } });
      this.deps.hooks?.committed?.(receipt);
      return ok(line ? { receipt, line } : { receipt });
    } catch (e) {
      // A concurrent retry of the same check-in may have won the race on the unique check-in id.
      const raced = await this.findReceipt(request.checkInId);
      if (raced) return alone(raced);
      this.deps.log.error({ err: String(e) }, 'check-in failed');
      return err('check-in-failed', 'the check-in could not be stored', 'go-to-counter');
    }
  }

  /** Forgets cached services and opening hours (an admin changed them on this instance). */
  invalidateServices(): void {
    this.services.clear();
  }

  /**
   * The service with its opening hours, cached for `serviceCacheMs` (other instances see an
   * admin's change within that time): read outside the check-in transaction, which stays short.
   */
  private async openService(serviceId: string): Promise<Result<CataloguedService>> {
    const now = this.deps.clock.now();
    const { service, hours } = await this.services.get(serviceId, async () => {
      const { catalogue } = this.deps.repositories;
      const row = await catalogue.activeService(serviceId);
      const hours = row ? await catalogue.hoursOf(row.id) : [];
      return { service: row ? { ...row, floor: Number(row.floor) } : undefined, hours };
    });
    if (!service) return err('unknown-service', `no active service ${serviceId}`, 'go-to-counter');
    if (hours.length > 0) {
      const local = localWeekTime(now, this.deps.timeZone);
      const open = hours.some((h) => h.weekday === local.weekday && h.opens <= local.hhmm && local.hhmm < h.closes);
      if (!open) return err('service-closed', `service ${service.id} is closed now`, 'go-to-counter');
    }
    return ok(service);
  }

  /**
   * PostgreSQL may abort a unit as a deadlock victim or on serialization, and a ticket's lookup code
   * may be drawn twice: such a unit is retried.
   */
  private async runRetrying<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.committer.run(work);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        const again = code === '40P01' || code === '40001' || e instanceof TicketCodeTaken;
        if (attempt >= 3 || !again) throw e;
      }
    }
  }

  /**
   * The check-in as one statement. A deadlock victim, a lookup code or visit number drawn twice
   * runs again with fresh values; a conflict on the check-in id (a concurrent retry won) throws
   * to the caller, which answers with the stored receipt. Undefined, nothing stored, when the
   * patient it matched is not written exactly as this identity.
   */
  private async storeAtOnce(
    statement: CheckInRepository,
    request: CheckInRequest,
    agentId: string | null,
    screening: CheckInScreening,
    service: CataloguedService,
  ) {
    for (let attempt = 1; ; attempt++) {
      const now = this.deps.clock.now();
      const iso = now.toISOString();
      const day = facilityDay(now, this.deps.timeZone);
      const tokens = newPendingTokens();
      const priority = priorityClassOf(request.identity, request.priorityClaims, now);
      const visitId = newRowId();
      const ticketId = newRowId();
      const ticket = newTicketRow(
        { visitId, service, day, priority, at: iso, actor: agentId, printStatus: printStatusAt(agentId) },
        ticketId,
        0,
        tokens.number,
      );
      const receipt = this.receiptOf(request, { visitId, ticketId, priority, iso, screening, service }, ticket);
      const patient = newPatientRow(request.identity, newRowId(), iso);
      const extra = this.deps.hooks?.rows?.(
        { receipt, request, patientId: tokens.patientId, agentId, screening, service: hookService(service) },
        tokens,
      );
      const { seq: _seq, ...unnumbered } = ticket;
      try {
        const stored = await statement.storeAtOnce({
          tokens,
          patient,
          match: request.identity.idNumber && !request.identity.insuranceNumber ? 'id-number' : 'identifiers',
          consent: this.consentOf(tokens.patientId, visitId, agentId, iso),
          event: { ticket_id: ticketId, type: 'issued', at: iso, actor: agentId, detail: null },
          series: { serviceId: service.id, day, prefix: service.prefix },
          visit: this.visitOf(
            request,
            { visitId, patientId: tokens.patientId, agentId, priority, iso, service },
            receipt,
          ),
          ticket: unnumbered,
          ...extra,
        });
        const numbered: CheckInReceipt = { ...receipt, ticket: { ...receipt.ticket, number: stored.number } };
        return {
          receipt: numbered,
          entry: this.entryOf(numbered, service.id, printStatusAt(agentId)),
          line: stored.line,
        };
      } catch (e) {
        const failure = classifyFailure(e);
        if (failure === 'identity-differs') return undefined;
        if (attempt >= 3 || failure !== 'run-again') throw e;
      }
    }
  }

  /**
   * The receipt of a check-in already stored, marked as a replay; a stored receipt that does not
   * read as one is 'check-in-failed' (the kiosk sends the patient to the counter).
   */
  private async findReceipt(checkInId: string): Promise<Result<CheckInReceipt> | undefined> {
    const json = await this.deps.repositories.visits.receiptByCheckIn(checkInId);
    if (json === undefined) return undefined;
    const stored = readStoredJson(checkInReceiptSchema, json);
    if (stored.ok) return ok({ ...stored.value, replayed: true });
    this.deps.log.error({ code: stored.error.code, reason: stored.error.message }, 'stored check-in unreadable');
    return err('check-in-failed', 'the stored check-in could not be read', 'go-to-counter');
  }

  private async issue(
    trx: Executor,
    request: CheckInRequest,
    agentId: string | null,
    screening: CheckInScreening,
    service: CataloguedService,
  ) {
    const now = this.deps.clock.now();
    const iso = now.toISOString();
    const day = facilityDay(now, this.deps.timeZone);
    const { patientId, conflict } = await this.matchOrCreatePatient(trx, request.identity, iso, screening);
    const priority = priorityClassOf(request.identity, request.priorityClaims, now);
    const visitId = newRowId();
    const ticketId = newRowId();
    const { tickets, patients, visits } = this.deps.repositories;
    if (conflict) await this.recordConflict(trx, request, { patientId, visitId, agentId, iso }, conflict);
    // The request schema admits only consent === true: every stored check-in has its consent event.
    await patients.addConsent(trx, this.consentOf(patientId, visitId, agentId, iso));
    let receipt: CheckInReceipt | undefined;
    const ticket = await issueTicket(
      tickets,
      trx,
      { id: ticketId, visitId, service, day, priority, at: iso, actor: agentId, printStatus: printStatusAt(agentId) },
      // The visit (which the ticket references) stores the receipt, which carries the number.
      async (t) => {
        receipt = this.receiptOf(request, { visitId, ticketId, priority, iso, screening, service }, t);
        await visits.insert(
          trx,
          this.visitOf(request, { visitId, patientId, agentId, priority, iso, service }, receipt),
        );
      },
    );
    if (!receipt) throw new Error('the visit was not stored');
    // Where the new ticket stands, read while this unit holds its series: it is the newest ticket.
    const line = await tickets.lineAtIssue(trx, service.id, day, priority);
    const told: StoredCheckIn = { receipt, request, patientId, agentId, screening, service: hookService(service) };
    await this.deps.hooks?.stored?.(trx, told);
    return { receipt, entry: this.entryOf(receipt, service.id, printStatusAt(agentId), ticket.number), line };
  }

  /**
   * Stores a check-in a kiosk issued offline, as it printed it: its number and seq (from the
   * kiosk's lease), its issue time (the queue orders by it), its lookup code, identity and consent,
   * the Decision 4750 record and the EMR delivery through the same hooks as online. Idempotent on
   * the check-in id: a check-in already stored answers 'already', or 'conflict' when the stored
   * ticket has another number (the check-in reached the server online after the kiosk gave up).
   * A number outside the kiosk's leases or already held by another ticket is stored all the same
   * (the patient holds that ticket) and answered 'conflict' for staff to settle.
   */
  async storeOffline(
    item: OfflineCheckIn,
    agentId: string,
    check: {
      covers: (trx: Executor) => Promise<boolean>;
      numberTaken: (trx: Executor) => Promise<boolean>;
      /** Gives a waiting online ticket of this check-in the offline one's number; its ticket id, or undefined. */
      adopt?: (trx: Executor, receipt: (ticketId: string) => CheckInReceipt) => Promise<string | undefined>;
    },
  ): Promise<Result<{ receipt: CheckInReceipt; state: 'stored' | 'already' | 'conflict'; reason?: string }>> {
    const { request } = item;
    const found = await this.findReceipt(request.checkInId);
    if (found) {
      if (!found.ok) return found;
      if (found.value.ticket.number === item.ticket.number) return ok({ receipt: found.value, state: 'already' });
      // The server stored it online after the kiosk had given up waiting: nobody printed that
      // ticket, the patient holds the offline one. A still-waiting ticket takes the offline number.
      const adopted = check.adopt ? await this.adoptOnline(item, agentId, found.value, check.adopt) : undefined;
      if (adopted) return ok({ receipt: adopted, state: 'stored' });
      return ok({ receipt: found.value, state: 'conflict', reason: 'checked-in-online' });
    }
    const row = await this.deps.repositories.catalogue.activeService(item.serviceId);
    if (!row) return err('unknown-service', `no active service ${item.serviceId}`);
    const service: CataloguedService = { ...row, floor: Number(row.floor) };
    const printStatus = item.print === 'confirmed' ? 'printed' : item.print === 'failed' ? 'failed' : 'pending';
    try {
      const stored = await this.runRetrying(async (trx) => {
        const iso = item.ticket.issuedAt;
        const reasons: string[] = [];
        if (!(await check.covers(trx))) reasons.push('outside-lease');
        if (await check.numberTaken(trx)) reasons.push('number-taken');
        const { patientId, conflict } = await this.matchOrCreatePatient(trx, request.identity, iso, {});
        const priority = priorityClassOf(request.identity, request.priorityClaims, new Date(iso));
        const visitId = newRowId();
        const ticketId = newRowId();
        const { tickets, patients, visits } = this.deps.repositories;
        if (conflict) await this.recordConflict(trx, request, { patientId, visitId, agentId, iso }, conflict);
        await patients.addConsent(trx, this.consentOf(patientId, visitId, agentId, iso));
        await tickets.addEvent(trx, { ticketId, type: 'issued', at: iso, actor: agentId, detail: 'offline' });
        const ticket = {
          ...newTicketRow(
            { visitId, service, day: item.day, priority, at: iso, actor: agentId },
            ticketId,
            item.seq,
            item.ticket.number,
          ),
          lookup_code: item.ticket.lookupCode,
          print_status: printStatus,
        };
        const screening: CheckInScreening = { serviceType: item.ticket.serviceType };
        const base = this.receiptOf(request, { visitId, ticketId, priority, iso, screening, service }, ticket);
        const receipt: CheckInReceipt = { ...base, ticket: { ...base.ticket, offline: true } };
        await visits.insert(
          trx,
          this.visitOf(request, { visitId, patientId, agentId, priority, iso, service }, receipt),
        );
        if (!(await tickets.insertUnlessCodeTaken(trx, ticket))) {
          // The printed QR's code is another ticket's: this one gets a fresh code, staff are told.
          reasons.push('lookup-code-taken');
          if (!(await tickets.insertUnlessCodeTaken(trx, { ...ticket, lookup_code: lookupCode(Date.parse(iso)) })))
            throw new TicketCodeTaken();
        }
        const told: StoredCheckIn = { receipt, request, patientId, agentId, screening, service: hookService(service) };
        await this.deps.hooks?.stored?.(trx, told);
        return { receipt, entry: this.entryOf(receipt, service.id, printStatus), reasons };
      });
      const provenance = identityProvenanceOf(request);
      this.deps.onIssued({ ...stored.entry, identity: { source: provenance.source, check: provenance.check } });
      this.deps.hooks?.committed?.(stored.receipt);
      return ok({
        receipt: stored.receipt,
        state: stored.reasons.length > 0 ? 'conflict' : 'stored',
        ...(stored.reasons.length > 0 ? { reason: stored.reasons.join(',') } : {}),
      });
    } catch (e) {
      // The online check-in of the same id, arriving late, committed first.
      const raced = await this.findReceipt(request.checkInId);
      if (raced?.ok) {
        if (raced.value.ticket.number === item.ticket.number) return ok({ receipt: raced.value, state: 'already' });
        const adopted = check.adopt ? await this.adoptOnline(item, agentId, raced.value, check.adopt) : undefined;
        if (adopted) return ok({ receipt: adopted, state: 'stored' });
        return ok({ receipt: raced.value, state: 'conflict', reason: 'checked-in-online' });
      }
      this.deps.log.error({ err: String(e) }, 'offline check-in not stored');
      return err('check-in-failed', 'the offline check-in could not be stored');
    }
  }

  private async adoptOnline(
    item: OfflineCheckIn,
    agentId: string,
    online: CheckInReceipt,
    adopt: (trx: Executor, receipt: (ticketId: string) => CheckInReceipt) => Promise<string | undefined>,
  ): Promise<CheckInReceipt | undefined> {
    const receiptFor = (ticketId: string): CheckInReceipt => ({
      ...online,
      ticketId,
      replayed: false,
      ticket: {
        ...online.ticket,
        number: item.ticket.number,
        issuedAt: item.ticket.issuedAt,
        lookupCode: item.ticket.lookupCode,
        offline: true,
      },
    });
    const ticketId = await this.deps.committer.run((trx) => adopt(trx, receiptFor));
    if (!ticketId) return undefined;
    const receipt = receiptFor(ticketId);
    const printStatus = item.print === 'confirmed' ? 'printed' : item.print === 'failed' ? 'failed' : 'pending';
    this.deps.onIssued(this.entryOf(receipt, item.serviceId, printStatus));
    this.deps.log.info({ agent: agentId, ticket: item.ticket.number }, 'online ticket took the offline number');
    return receipt;
  }

  /** Both versions of a check-in that disagrees with its matched patient, for staff review. */
  private async recordConflict(
    trx: Executor,
    request: AgentCheckInRequest,
    c: { patientId: string; visitId: string; agentId: string | null; iso: string },
    conflict: { fields: IdentityConflictField[]; stored: { full_name: string; date_of_birth: string } },
  ): Promise<void> {
    const { patientId, visitId, agentId, iso } = c;
    const provenance = identityProvenanceOf(request);
    await this.deps.repositories.identityConflicts.insert(trx, {
      id: newRowId(),
      patient_id: patientId,
      visit_id: visitId,
      agent_id: agentId,
      identity_source: provenance.source,
      identity_check: provenance.check,
      fields: JSON.stringify(conflict.fields),
      stored_full_name: conflict.stored.full_name,
      stored_date_of_birth: conflict.stored.date_of_birth,
      incoming_full_name: request.identity.fullName,
      incoming_date_of_birth: request.identity.dateOfBirth,
      incoming_sex: request.identity.sex ?? null,
      status: 'open',
      created_at: iso,
      resolved_by: null,
      resolved_at: null,
    });
    this.deps.log.warn({ fields: conflict.fields, source: provenance.source }, 'identity conflict for staff review');
  }

  private consentOf(patientId: string, visitId: string, agentId: string | null, iso: string) {
    return {
      patient_id: patientId,
      visit_id: visitId,
      kind: 'given',
      purpose: 'check-in',
      notice_version: this.deps.privacyNoticeVersion,
      at: iso,
      actor: agentId,
    };
  }

  private receiptOf(
    request: CheckInRequest,
    c: {
      visitId: string;
      ticketId: string;
      priority: PriorityClass;
      iso: string;
      screening: CheckInScreening;
      service: CataloguedService;
    },
    t: { number: string; lookup_code: string },
  ): CheckInReceipt {
    return {
      checkInId: request.checkInId,
      visitId: c.visitId,
      ticketId: c.ticketId,
      replayed: false,
      ticket: {
        hospitalName: this.deps.hospitalName,
        department: c.service.dept_vi,
        room: c.service.room,
        floor: c.service.floor,
        number: t.number,
        serviceType: c.screening.serviceType ?? (request.identity.insuranceNumber ? 'insurance' : 'fee-paying'),
        priority: c.priority,
        issuedAt: c.iso,
        lookupCode: t.lookup_code,
        maskedName: maskName(request.identity.fullName),
      },
      ...(c.screening.insurance ? { insurance: c.screening.insurance } : {}),
    };
  }

  private visitOf(
    request: AgentCheckInRequest,
    c: {
      visitId: string;
      patientId: string;
      agentId: string | null;
      priority: PriorityClass;
      iso: string;
      service: CataloguedService;
    },
    receipt: CheckInReceipt,
  ) {
    const provenance = identityProvenanceOf(request);
    return {
      id: c.visitId,
      check_in_id: request.checkInId,
      patient_id: c.patientId,
      service_id: c.service.id,
      agent_id: c.agentId,
      identity_source: provenance.source,
      identity_check: provenance.check,
      service_type: receipt.ticket.serviceType,
      priority: c.priority,
      priority_claims: JSON.stringify(request.priorityClaims),
      receipt_json: JSON.stringify(receipt),
      created_at: c.iso,
    };
  }

  private entryOf(
    receipt: CheckInReceipt,
    serviceId: string,
    printStatus: QueueEntry['printStatus'],
    number = receipt.ticket.number,
  ): QueueEntry {
    return {
      ticketId: receipt.ticketId,
      number,
      serviceId,
      status: 'waiting',
      priority: receipt.ticket.priority,
      issuedAt: receipt.ticket.issuedAt,
      maskedName: receipt.ticket.maskedName,
      printStatus,
    };
  }

  /**
   * The patient of a check-in: matched by ID number, else by BHYT number, or created. A match whose
   * name or birth date differs is not merged: the visit goes to the stored patient, nothing of it
   * is changed, and the two versions become a conflict for staff. A stored BHYT number is replaced
   * only when the gateway answered for the new card before this check-in; blanks are filled.
   */
  private async matchOrCreatePatient(
    trx: Executor,
    identity: Identity,
    iso: string,
    screening: CheckInScreening,
  ): Promise<{
    patientId: string;
    conflict?: { fields: IdentityConflictField[]; stored: { full_name: string; date_of_birth: string } };
  }> {
    const { patients } = this.deps.repositories;
    // The common chip or CCCD-QR case (an ID number, no insurance number): match or create in one
    // statement, then compare with the patient it matched.
    if (identity.idNumber && !identity.insuranceNumber) {
      const candidate = newPatientRow(identity, newRowId(), iso);
      const patientId = await patients.upsertByIdNumber(trx, candidate, iso);
      if (patientId === candidate.id) return { patientId };
      const stored = await patients.matchView(trx, patientId);
      const fields = stored ? identityDifferences(stored, identity) : [];
      return stored && fields.length > 0 ? { patientId, conflict: { fields, stored } } : { patientId };
    }
    const byId = identity.idNumber ? await patients.idByIdNumber(trx, identity.idNumber) : undefined;
    const byInsurance =
      !byId && identity.insuranceNumber ? await patients.idByInsuranceNumber(trx, identity.insuranceNumber) : undefined;
    const found = byId ?? byInsurance;
    if (found) {
      const stored = await patients.matchView(trx, found);
      const fields = stored ? identityDifferences(stored, identity) : [];
      if (stored && fields.length > 0) {
        await patients.update(trx, found, { updated_at: iso });
        return { patientId: found, conflict: { fields, stored } };
      }
      const newCard =
        identity.insuranceNumber !== undefined &&
        identity.insuranceNumber !== stored?.insurance_number &&
        (!stored?.insurance_number || screening.insuranceCard === identity.insuranceNumber);
      if (identity.insuranceNumber && stored?.insurance_number && !newCard)
        this.deps.log.info('stored BHYT number kept: no gateway answer for the card brought');
      await patients.update(trx, found, {
        ...(newCard && identity.insuranceNumber ? { insurance_number: identity.insuranceNumber } : {}),
        ...(identity.idNumber && !stored?.id_number ? { id_number: identity.idNumber } : {}),
        updated_at: iso,
      });
      return { patientId: found };
    }
    const values = newPatientRow(identity, newRowId(), iso);
    await patients.insert(trx, values);
    return { patientId: values.id };
  }
}
