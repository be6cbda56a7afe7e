/**
 * The integrations as one unit for the composition root: the EMR port chosen by EMR_MODE, the
 * outbox and its worker, the Decision 4750 check-in record, and the check-in hooks that write
 * them in the check-in's transaction. Built before the services (the check-in service takes the
 * hooks); alerts and metrics are attached once they exist.
 */
import { newRowId } from '../db/row-id';
import type client from 'prom-client';
import { err, ok, type InsuranceCheck, type InsuranceCheckRequest, type Result } from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { CheckinRecordTable, EmrOutboxTable, InsuranceCheckTable } from '../db/schema';
import type { Executor, Repositories } from '../repositories';
import type { NewDelivery, OutboxRepository } from '../repositories/outbox.repository';
import type { PendingTokens } from '../repositories/checkin.repository';
import { newPatientRow } from '../repositories/patient.repository';
import { facilityDay, type Clock } from '../clock';
import type { Logger } from '../logger';
import type { CheckInExtraRows, CheckInHooks, StoredCheckIn } from '../services/checkin.service';
import type { EmrNoShow, EmrPatient, EmrPort } from './emr.port';
import type { NoShow } from '../services/appointment.service';
import { LocalEmrAdapter } from './local-emr.adapter';
import { FhirAdapter } from './fhir.adapter';
import { Hl7v2Adapter } from './hl7v2.adapter';
import { OutboxWorker, type DeliveryError, type OutboxDestination } from './outbox.worker';
import { EINVOICE_KINDS, INSURANCE_KINDS, PORTAL_KINDS } from '../repositories/outbox.repository';
import type { PaymentTable } from '../db/schema';
import type { PaymentInvoiceHooks } from '../services/payment.service';
import { buildInvoice, invoiceIssues, type EInvoiceData } from './einvoice.builder';
import { EINVOICE_REFUSALS, EInvoiceHttpAdapter, einvoiceError, type EInvoiceProvider } from './einvoice.adapter';
import { Portal4750Adapter, PORTAL_REFUSALS, portalError } from './portal-4750.adapter';
import { IntegrationMetrics } from './integration.metrics';
import {
  checkinRecordOf,
  emrCheckInOf,
  patientKeyOf,
  type RecordOptions,
  type SnapshotInput,
} from './checkin-snapshot';
import type { BhytCheck } from './bhyt.types';
import { defaultObjectCodes, integrationConfigIssues, type IntegrationConfig } from './integration.config';
import { utcOffsetOf, visitNumberOf } from './vn-core';
import { BhytGatewayAdapter } from './bhyt-gateway.adapter';
import { InsuranceScreening } from './insurance-screening';
import { checkinRecords4750, toRecord, type Record4750 } from './checkin-record-4750';
import { recheckDecision, recheckIdentityOf, type InsuranceRecheckPayload } from './insurance-recheck';

/** The facility's own switch for the portal (settings table), over PORTAL_MODE once saved. */
export const PORTAL_SETTING_KEY = 'portal-4750.enabled';

export type IntegrationSettings = IntegrationConfig & { FACILITY_TIME_ZONE: string; HOSPITAL_NAME: string };

export interface IntegrationDeps {
  repositories: Pick<Repositories, 'outbox' | 'tickets' | 'visits' | 'patients' | 'catalogue' | 'payments'>;
  /** Units of work outside a check-in (a patient update's delivery, a batch of delivery results). */
  transactions: Committer;
  clock: Clock;
  log: Logger;
  /** Replace the adapter chosen by EMR_MODE (tests). */
  emr?: EmrPort;
  /** Replace the e-invoice provider chosen by EINVOICE_URL (tests). */
  einvoice?: EInvoiceProvider;
}

/** What the integrations need from the rest of the server once it is built. */
export interface IntegrationAttachments {
  /** AlertService.setEmrDeliveryFailing. */
  setEmrDeliveryFailing?(failing: boolean, detail: string | null): Promise<void>;
  /** AlertService.setEInvoiceDeliveryFailing. */
  setEInvoiceDeliveryFailing?(failing: boolean, detail: string | null): Promise<void>;
  /** AlertService.setPortalDeliveryFailing. */
  setPortalDeliveryFailing?(failing: boolean, detail: string | null): Promise<void>;
  /** A replayed offline check-in's BHYT card was refused: tell staff (detail: ticket number and reason key). */
  raiseInsuranceRefused?(agentId: string | null, checkInId: string, detail: string): Promise<void>;
  registry?: client.Registry;
}

export function createEmrPort(c: IntegrationSettings): EmrPort {
  if (c.EMR_MODE === 'fhir')
    return new FhirAdapter({
      baseUrl: c.FHIR_BASE_URL ?? '',
      ...(c.FHIR_TOKEN_URL ? { tokenUrl: c.FHIR_TOKEN_URL } : {}),
      ...(c.FHIR_CLIENT_ID ? { clientId: c.FHIR_CLIENT_ID } : {}),
      ...(c.FHIR_CLIENT_SECRET ? { clientSecret: c.FHIR_CLIENT_SECRET } : {}),
      ...(c.FHIR_SCOPE ? { scope: c.FHIR_SCOPE } : {}),
      timeoutMs: c.FHIR_TIMEOUT_MS,
      facilityCode: c.FACILITY_CODE,
      facilitySystem: c.FHIR_FACILITY_SYSTEM,
      facilityName: c.HOSPITAL_NAME,
      serviceSystem: c.FHIR_SERVICE_SYSTEM,
      encounterClass: c.FHIR_ENCOUNTER_CLASS,
      appointments: c.FHIR_APPOINTMENTS,
    });
  if (c.EMR_MODE === 'hl7')
    return new Hl7v2Adapter({
      host: c.MLLP_HOST ?? '',
      port: c.MLLP_PORT ?? 0,
      timeoutMs: c.MLLP_TIMEOUT_MS,
      keepAlive: c.MLLP_KEEP_ALIVE,
      sendingApp: c.HL7_SENDING_APP,
      facilityCode: c.FACILITY_CODE,
      receivingApp: c.HL7_RECEIVING_APP,
      receivingFacility: c.HL7_RECEIVING_FACILITY ?? c.FACILITY_CODE,
      processingId: c.HL7_PROCESSING_ID,
      timeZone: c.FACILITY_TIME_ZONE,
    });
  return new LocalEmrAdapter();
}

/** Polling, batching, leases and backoff: the same for each destination's outbox worker. */
function outboxWorkerOptions(config: IntegrationSettings, alertAfterFailures: number) {
  return {
    pollMs: config.OUTBOX_POLL_MS,
    batch: config.OUTBOX_BATCH,
    concurrency: config.OUTBOX_CONCURRENCY,
    leaseMs: config.OUTBOX_LEASE_MS,
    backoffBaseMs: config.OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: config.OUTBOX_BACKOFF_MAX_MS,
    alertAfterFailures,
  };
}

export class Integrations {
  readonly emr: EmrPort;
  readonly outbox: OutboxRepository;
  readonly worker: OutboxWorker;
  readonly checkInHooks: CheckInHooks;
  /** The social-insurance data portal, when PORTAL_URL and its credentials are configured. */
  readonly portal: Portal4750Adapter | undefined;
  /** Delivers the portal's rows of the outbox (4750 records); absent without a portal. */
  readonly portalWorker: OutboxWorker | undefined;
  /** Whether new check-ins send their record to the portal (PORTAL_MODE, then the facility's setting). */
  portalEnabled: boolean;
  /** BHYT eligibility, unless BHYT_MODE=off. */
  readonly insurance: InsuranceScreening | undefined;
  /** Checks the cards of check-ins a kiosk issued offline, after their replay; absent when BHYT_MODE=off. */
  readonly insuranceWorker: OutboxWorker | undefined;
  /** The e-invoice provider, when EINVOICE_URL and its credentials are configured. */
  readonly einvoice: EInvoiceProvider | undefined;
  /** Delivers each paid fee's e-invoice to the provider; absent when e-invoices are off. */
  readonly einvoiceWorker: OutboxWorker | undefined;
  /** The payment service's settlement hooks: the invoice queued in the settlement's unit of work. */
  readonly paymentInvoices: PaymentInvoiceHooks | undefined;
  metrics: IntegrationMetrics | undefined;
  private attached: IntegrationAttachments = {};
  private readonly recordOptions: RecordOptions;
  /** EMR_MODE=local: our database is the record, so nothing is queued for delivery. */
  private readonly delivers: boolean;

  constructor(
    readonly config: IntegrationSettings,
    private readonly deps: IntegrationDeps,
  ) {
    const issues = integrationConfigIssues(config);
    if (issues.length > 0) throw new Error(`Invalid configuration:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.emr = deps.emr ?? createEmrPort(config);
    this.delivers = this.emr.mode !== 'local';
    this.outbox = deps.repositories.outbox;
    this.recordOptions = {
      facilityCode: config.FACILITY_CODE,
      objectCodes: { ...defaultObjectCodes, ...config.XML4750_OBJECT_CODES },
      serviceCodes: config.XML4750_SERVICE_CODES,
    };
    this.worker = new OutboxWorker(
      { outbox: this.outbox, transactions: deps.transactions },
      this.emr,
      deps.clock,
      deps.log,
      outboxWorkerOptions(config, config.EMR_ALERT_AFTER_FAILURES),
      {
        onHealth: (failing, detail) => {
          deps.log[failing ? 'warn' : 'info']({ failing, detail }, 'EMR delivery health');
          this.attached
            .setEmrDeliveryFailing?.(failing, detail)
            .catch((e: unknown) => deps.log.warn({ err: String(e) }, 'EMR alert update failed'));
        },
        onCounter: (row, error) => {
          this.noteForCounter(row, error).catch((e: unknown) =>
            deps.log.warn({ err: String(e) }, 'counter note failed'),
          );
        },
        onAttempt: (outcome, attemptMs, sinceStoredMs) => {
          this.metrics?.attempts.observe({ outcome }, attemptMs / 1000);
          if (sinceStoredMs !== undefined) this.metrics?.deliveryLatency.observe(sinceStoredMs / 1000);
        },
      },
    );
    if (config.PORTAL_URL && config.PORTAL_USERNAME && config.PORTAL_PASSWORD) {
      const portal = new Portal4750Adapter({
        baseUrl: config.PORTAL_URL,
        username: config.PORTAL_USERNAME,
        password: config.PORTAL_PASSWORD,
        facilityCode: config.FACILITY_CODE,
        timeoutMs: config.PORTAL_TIMEOUT_MS,
      });
      this.portal = portal;
      this.portalWorker = new OutboxWorker(
        { outbox: this.outbox, transactions: deps.transactions },
        this.portalDestination(portal),
        deps.clock,
        deps.log,
        outboxWorkerOptions(config, config.PORTAL_ALERT_AFTER_FAILURES),
        {
          onHealth: (failing, detail) => {
            deps.log[failing ? 'warn' : 'info']({ failing, detail }, 'portal delivery health');
            this.attached
              .setPortalDeliveryFailing?.(failing, detail)
              .catch((e: unknown) => deps.log.warn({ err: String(e) }, 'portal alert update failed'));
          },
          onAttempt: (outcome) => this.metrics?.portalAttempts.inc({ outcome }),
        },
      );
    }
    this.portalEnabled = this.portal !== undefined && config.PORTAL_MODE === 'on';
    this.einvoice =
      deps.einvoice ??
      (config.EINVOICE_URL
        ? new EInvoiceHttpAdapter({
            baseUrl: config.EINVOICE_URL,
            username: config.EINVOICE_USER ?? '',
            password: config.EINVOICE_PASSWORD ?? '',
            timeoutMs: config.EINVOICE_TIMEOUT_MS,
          })
        : undefined);
    const einvoice = this.einvoice;
    this.einvoiceWorker = einvoice
      ? new OutboxWorker(
          { outbox: this.outbox, transactions: deps.transactions },
          this.einvoiceDestination(einvoice),
          deps.clock,
          deps.log,
          outboxWorkerOptions(config, config.EINVOICE_ALERT_AFTER_FAILURES),
          {
            onHealth: (failing, detail) => {
              deps.log[failing ? 'warn' : 'info']({ failing, detail }, 'e-invoice delivery health');
              this.attached
                .setEInvoiceDeliveryFailing?.(failing, detail)
                .catch((e: unknown) => deps.log.warn({ err: String(e) }, 'e-invoice alert update failed'));
            },
          },
        )
      : undefined;
    const einvoiceWorker = this.einvoiceWorker;
    this.paymentInvoices = einvoiceWorker
      ? {
          queue: (trx, payment, paidAt) => this.queueInvoice(trx, payment, paidAt),
          committed: () => einvoiceWorker.nudge(),
        }
      : undefined;
    if (config.BHYT_MODE !== 'off')
      this.insurance = new InsuranceScreening(
        new BhytGatewayAdapter({
          baseUrl: config.BHYT_GATEWAY_URL ?? '',
          username: config.BHYT_USERNAME ?? '',
          password: config.BHYT_PASSWORD ?? '',
          staffName: config.BHYT_STAFF_NAME ?? '',
          staffId: config.BHYT_STAFF_CCCD ?? '',
          timeoutMs: config.BHYT_TIMEOUT_MS,
        }),
        {
          mode: config.BHYT_MODE,
          cacheSeconds: config.BHYT_CACHE_SECONDS,
          onResult: (c) => {
            this.metrics?.bhytChecks.inc({ routing: c.routing });
            this.metrics?.bhytSeconds.observe(c.durationMs / 1000);
            // No fleet alert kind exists for the gateway: the error log and the routing metric carry it.
            if (c.routing === 'alert-admin')
              deps.log.error({ resultCode: c.resultCode ?? null }, 'BHYT gateway refused us: an admin must look');
          },
        },
      );
    const insurance = this.insurance;
    this.insuranceWorker = insurance
      ? new OutboxWorker(
          { outbox: this.outbox, transactions: deps.transactions },
          this.insuranceDestination(insurance),
          deps.clock,
          deps.log,
          outboxWorkerOptions(config, config.EMR_ALERT_AFTER_FAILURES),
          {
            // No fleet alert kind exists for the gateway (as for the online check): the log carries it.
            onHealth: (failing, detail) =>
              deps.log[failing ? 'warn' : 'info']({ failing, detail }, 'BHYT recheck of offline check-ins'),
          },
        )
      : undefined;
    this.checkInHooks = {
      ...(insurance ? { screen: (request) => insurance.screen(request) } : {}),
      stored: (trx, stored) => this.stored(trx, stored),
      rows: (stored, tokens) => this.rows(stored, tokens),
      committed: () => {
        if (this.delivers) this.worker.nudge();
        if (this.portalEnabled) this.portalWorker?.nudge();
        this.insuranceWorker?.nudge();
      },
    };
  }

  /** A portal row carries only its visit id: the record itself is read from checkin_records when sent. */
  private portalDestination(portal: Portal4750Adapter): OutboxDestination {
    const visits = this.deps.repositories.visits;
    return {
      kinds: PORTAL_KINDS,
      refusalCodes: PORTAL_REFUSALS,
      deliver: async (row) => {
        const row4750 = row.visit_id ? await visits.checkinRecord(row.visit_id) : undefined;
        if (!row4750) return portalError('portal-no-record', 'the check-in record is gone', 'no-record');
        return portal.send(toRecord(row4750, 1));
      },
    };
  }

  /**
   * A recheck row: the gateway asked through InsuranceScreening (its cache and metrics), the
   * answer stored as the visit's insurance check once (a repeated delivery finds it there).
   */
  private insuranceDestination(insurance: InsuranceScreening): OutboxDestination {
    const { visits } = this.deps.repositories;
    return {
      kinds: INSURANCE_KINDS,
      refusalCodes: [],
      deliver: async (row) => {
        const payload = JSON.parse(row.payload_json) as InsuranceRecheckPayload;
        const check = await insurance.check(payload.identity);
        const decision = recheckDecision(check, payload);
        if (decision.action === 'retry') return { ok: false, error: decision.error };
        const at = this.deps.clock.now().toISOString();
        const stored = await this.deps.transactions.run((trx) =>
          visits.insertFirstInsuranceCheck(trx, this.bhytRow(payload.visitId, at, check)),
        );
        // Raised again after a repeated delivery is harmless: one open alert per check-in.
        if (decision.alert)
          await this.attached.raiseInsuranceRefused?.(payload.agentId, payload.checkInId, decision.alert);
        return ok({ verdict: check.verdict, resultCode: check.resultCode ?? null, stored });
      },
    };
  }

  /**
   * In the settlement's unit of work: the paid fee's invoice as an outbox row (sealed at rest like
   * every payload). Its control id is the payment reference: a second row for one payment is
   * refused by the database, and the provider is keyed by the same reference.
   */
  private async queueInvoice(trx: Executor, payment: PaymentTable, paidAt: string): Promise<void> {
    const c = this.config;
    // A priced service missing from the catalogue must not undo the settlement: the line is named generically.
    const serviceName = await this.deps.repositories.catalogue
      .serviceForRecord(trx, payment.service_id)
      .then((s) => s.name_vi)
      .catch(() => 'Khám bệnh');
    const invoice = buildInvoice(
      {
        reference: payment.reference,
        method: payment.method,
        amountVnd: Number(payment.amount_vnd),
        serviceName,
        day: facilityDay(new Date(paidAt), c.FACILITY_TIME_ZONE),
      },
      {
        seller: {
          name: c.HOSPITAL_NAME,
          taxCode: c.EINVOICE_SELLER_TAX_CODE ?? '',
          address: c.EINVOICE_SELLER_ADDRESS ?? '',
        },
        template: c.EINVOICE_TEMPLATE,
        series: c.EINVOICE_SERIES,
      },
    );
    await this.outbox.enqueue(trx, {
      kind: 'e-invoice',
      visitId: null,
      patientId: null,
      // Its own key: an invoice never waits for another delivery.
      patientKey: `einvoice:${payment.id}`,
      payload: { paymentId: payment.id, invoice },
      controlId: payment.reference,
    });
  }

  /** An e-invoice row: checked, sent (keyed by the payment reference), the issued invoice kept with the payment. */
  private einvoiceDestination(provider: EInvoiceProvider): OutboxDestination {
    const { payments } = this.deps.repositories;
    return {
      kinds: EINVOICE_KINDS,
      refusalCodes: EINVOICE_REFUSALS,
      deliver: async (row) => {
        const { paymentId, invoice } = JSON.parse(row.payload_json) as { paymentId: string; invoice: EInvoiceData };
        const issues = invoiceIssues(invoice);
        if (issues.length > 0) return einvoiceError('einvoice-invalid', `fields:${issues.join(',').slice(0, 160)}`);
        const issued = await provider.issue(invoice);
        if (!issued.ok) return issued;
        const at = this.deps.clock.now().toISOString();
        await this.deps.transactions.run((trx) =>
          payments.recordInvoice(trx, {
            payment_id: paymentId,
            invoice_number: issued.value.invoiceNumber,
            lookup_code: issued.value.lookupCode,
            lookup_url: issued.value.lookupUrl,
            issued_at: at,
          }),
        );
        return ok(issued.value);
      },
    };
  }

  /** Reads the facility's portal switch (it overrides PORTAL_MODE once saved). */
  async loadSettings(): Promise<void> {
    const saved = await this.deps.repositories.catalogue.setting(PORTAL_SETTING_KEY);
    if (saved !== undefined) this.portalEnabled = this.portal !== undefined && saved === '1';
  }

  /** The admin turns the portal on or off for this facility; on needs a configured portal. */
  async setPortalEnabled(enabled: boolean): Promise<Result<{ enabled: boolean }>> {
    if (enabled && !this.portal)
      return err('portal-not-configured', 'PORTAL_URL, PORTAL_USERNAME and PORTAL_PASSWORD must be set first');
    await this.deps.repositories.catalogue.saveSetting(
      PORTAL_SETTING_KEY,
      enabled ? '1' : '0',
      this.deps.clock.now().toISOString(),
    );
    this.portalEnabled = enabled;
    return ok({ enabled });
  }

  /** A kiosk's BHYT pre-check (`insurance:check` on /agent), in the form the kiosk page shows. */
  async checkInsuranceForKiosk(request: InsuranceCheckRequest): Promise<Result<InsuranceCheck>> {
    if (!this.insurance) return err('insurance-check-off', 'this site does not check BHYT cards at the kiosk');
    return ok(InsuranceScreening.forKiosk(await this.insurance.check(request.identity)));
  }

  attach(a: IntegrationAttachments): void {
    this.attached = a;
    if (a.registry && !this.metrics) this.metrics = new IntegrationMetrics(a.registry, this.outbox);
  }

  start(): void {
    this.worker.start();
    this.portalWorker?.start();
    this.insuranceWorker?.start();
    this.einvoiceWorker?.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.portalWorker?.stop();
    await this.insuranceWorker?.stop();
    await this.einvoiceWorker?.stop();
    this.einvoice?.close();
    this.portal?.close();
    await this.emr.close();
    this.insurance?.close();
  }

  /** Inside the check-in's transaction: the 4750 record, the BHYT answer, the EMR delivery. */
  private async stored(trx: Executor, s: StoredCheckIn): Promise<void> {
    const { FACILITY_CODE: facility, FACILITY_TIME_ZONE: timeZone } = this.config;
    const { catalogue, visits } = this.deps.repositories;
    const service = await catalogue.serviceForRecord(trx, s.request.serviceId);
    const day = facilityDay(new Date(s.receipt.ticket.issuedAt), timeZone);
    let visitNumber = visitNumberOf(facility, day, s.receipt.ticket.number);
    // Two services with the same ticket prefix: the service id keeps visit numbers apart.
    if (await visits.visitNumberTaken(trx, visitNumber))
      visitNumber = visitNumberOf(facility, day, s.receipt.ticket.number, service.id);
    const rows = this.rowsOf(s, service, visitNumber);
    await visits.insertCheckinRecord(trx, rows.record);
    if (rows.insuranceCheck) await visits.insertInsuranceCheck(trx, rows.insuranceCheck);
    if (rows.delivery) await this.outbox.enqueue(trx, rows.delivery);
    if (rows.portal) await this.outbox.enqueue(trx, rows.portal);
    const recheck = this.recheckOf(s);
    if (recheck) await this.outbox.enqueue(trx, recheck);
  }

  /**
   * A check-in the kiosk issued offline had no BHYT check: one is queued with its replay (after
   * it, never holding it up); none when the site does not check cards, or there is nothing to ask.
   */
  private recheckOf(s: StoredCheckIn): NewDelivery | undefined {
    if (!this.insurance || s.receipt.ticket.offline !== true) return undefined;
    const identity = recheckIdentityOf(s.request.identity);
    if (!identity) return undefined;
    const payload: InsuranceRecheckPayload = {
      visitId: s.receipt.visitId,
      checkInId: s.receipt.checkInId,
      agentId: s.agentId,
      ticketNumber: s.receipt.ticket.number,
      identity,
    };
    return {
      kind: 'insurance-recheck',
      visitId: s.receipt.visitId,
      patientId: s.patientId,
      // Its own key: a recheck never waits for the patient's EMR deliveries.
      patientKey: `bhyt:${s.receipt.visitId}`,
      payload,
    };
  }

  /**
   * The same rows for PostgreSQL's one-statement check-in, written with its tokens: the statement
   * picks the visit number (the service id joins it when the plain one is taken, as above).
   */
  private rows(s: StoredCheckIn, tokens: PendingTokens): CheckInExtraRows {
    const day = facilityDay(new Date(s.receipt.ticket.issuedAt), this.config.FACILITY_TIME_ZONE);
    const rows = this.rowsOf(s, s.service, tokens.visitNumber);
    const number = s.receipt.ticket.number;
    return {
      record: {
        row: rows.record,
        visitNumbers: {
          first: visitNumberOf(this.config.FACILITY_CODE, day, number),
          otherwise: visitNumberOf(this.config.FACILITY_CODE, day, number, s.service.id),
        },
      },
      ...(rows.insuranceCheck ? { insuranceCheck: rows.insuranceCheck } : {}),
      ...(rows.delivery ? { delivery: this.outbox.deliveryRow(rows.delivery) } : {}),
      ...(rows.portal ? { portalDelivery: this.outbox.deliveryRow(rows.portal) } : {}),
    };
  }

  private rowsOf(
    s: StoredCheckIn,
    service: { id: string; name_vi: string; dept_vi: string; room: string },
    visitNumber: string,
  ): {
    record: CheckinRecordTable;
    insuranceCheck?: InsuranceCheckTable;
    delivery?: NewDelivery;
    portal?: NewDelivery;
  } {
    const at = s.receipt.ticket.issuedAt;
    const instant = new Date(at);
    const day = facilityDay(instant, this.config.FACILITY_TIME_ZONE);
    const bhyt = s.screening.context as BhytCheck | undefined;
    const snapshot: SnapshotInput = {
      identity: s.request.identity,
      patientId: s.patientId,
      visitId: s.receipt.visitId,
      checkInId: s.receipt.checkInId,
      visitNumber,
      ticketNumber: s.receipt.ticket.number,
      serviceType: s.receipt.ticket.serviceType,
      service: { id: service.id, name: service.name_vi, department: service.dept_vi, room: service.room },
      at,
      day,
      utcOffset: utcOffsetOf(instant, this.config.FACILITY_TIME_ZONE),
      ...(bhyt ? { bhyt } : {}),
    };
    return {
      record: checkinRecordOf(snapshot, this.recordOptions),
      ...(bhyt ? { insuranceCheck: this.bhytRow(s.receipt.visitId, at, bhyt) } : {}),
      ...(this.delivers
        ? {
            delivery: {
              kind: 'check-in' as const,
              visitId: s.receipt.visitId,
              patientId: s.patientId,
              patientKey: patientKeyOf(s.request.identity, s.patientId),
              payload: emrCheckInOf(snapshot),
            },
          }
        : {}),
      ...(this.portalEnabled
        ? {
            portal: {
              kind: 'portal-4750' as const,
              visitId: s.receipt.visitId,
              patientId: s.patientId,
              // Its own key: a portal delivery never waits for the patient's EMR deliveries.
              patientKey: `portal:${s.receipt.visitId}`,
              payload: { visitId: s.receipt.visitId },
            },
          }
        : {}),
    };
  }

  private bhytRow(visitId: string, at: string, c: BhytCheck): InsuranceCheckTable {
    return {
      id: newRowId(),
      visit_id: visitId,
      at,
      mode: this.config.BHYT_MODE,
      result_code: c.resultCode ?? null,
      routing: c.routing,
      verdict: c.verdict,
      message_key: c.messageKey,
      staff_note: c.staffNote ?? null,
      card_number: c.card?.cardNumber ?? null,
      new_card_number: c.card?.newCardNumber ?? null,
      primary_care_facility: c.card?.primaryCareFacility ?? null,
      valid_from: c.card?.validFrom ?? null,
      valid_to: c.card?.validTo ?? null,
      duration_ms: Math.round(c.durationMs),
    };
  }

  /** The BHYT gateway's answers used for a visit, oldest first, with its note for staff. */
  async insuranceChecksOf(visitId: string) {
    const rows = await this.deps.repositories.visits.insuranceChecks(visitId);
    return rows.map((r) => ({
      at: r.at,
      mode: r.mode,
      resultCode: r.result_code,
      routing: r.routing,
      verdict: r.verdict,
      messageKey: r.message_key,
      staffNote: r.staff_note,
      cardNumber: r.card_number,
      newCardNumber: r.new_card_number,
      primaryCareFacility: r.primary_care_facility,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    }));
  }

  /** Decision 4750 check-in records of a range of facility days (inclusive). */
  async checkinRecords(fromDay: string, toDay: string): Promise<Record4750[]> {
    return checkinRecords4750(this.deps.repositories.visits, fromDay, toDay, this.config.FACILITY_TIME_ZONE);
  }

  /**
   * In the day-closing unit of work: each no-show reported to the EMR (FHIR Appointment noshow).
   * The delivery hangs off a patient row: the one matching the booked identity, or one stored
   * from it (as a check-in would); a booking with neither identity nor matching patient is left
   * out (nothing identifies it to the EMR).
   */
  async enqueueNoShows(trx: Executor, noShows: readonly NoShow[]): Promise<number> {
    if (!this.delivers || this.emr.markNoShow === undefined) return 0;
    const { patients } = this.deps.repositories;
    const at = this.deps.clock.now().toISOString();
    let queued = 0;
    for (const { appointment: a, identity } of noShows) {
      if (!identity && !a.external_id) continue;
      let patientId =
        (identity?.idNumber ? await patients.idByIdNumber(trx, identity.idNumber) : undefined) ??
        (identity?.insuranceNumber ? await patients.idByInsuranceNumber(trx, identity.insuranceNumber) : undefined);
      if (!patientId && identity) {
        patientId = newRowId();
        await patients.insert(trx, newPatientRow(identity, patientId, at));
      }
      if (!patientId) continue;
      const startsAt = new Date(a.starts_at);
      const payload: EmrNoShow = {
        ...(a.external_id ? { appointmentId: a.external_id } : {}),
        ...(identity?.idNumber ? { nationalId: identity.idNumber } : {}),
        ...(identity?.insuranceNumber ? { insuranceNumber: identity.insuranceNumber } : {}),
        startsAt: startsAt.toISOString(),
        day: a.day,
        utcOffset: utcOffsetOf(startsAt, this.config.FACILITY_TIME_ZONE),
      };
      await this.outbox.enqueue(trx, {
        kind: 'appointment-noshow',
        visitId: null,
        patientId,
        patientKey: patientKeyOf(identity ?? {}, patientId),
        payload,
      });
      queued += 1;
    }
    return queued;
  }

  /** A patient-update (A08 / FHIR update) of a stored patient, e.g. after staff corrected details. */
  async enqueuePatientUpdate(patientId: string): Promise<boolean> {
    const p = await this.deps.repositories.patients.byId(patientId);
    if (!p) return false;
    if (!this.delivers) return true;
    const patient: EmrPatient = {
      patientId: p.id,
      ...(p.id_number ? { nationalId: p.id_number } : {}),
      ...(p.old_id_number ? { oldId: p.old_id_number } : {}),
      ...(p.insurance_number ? { insuranceNumber: p.insurance_number } : {}),
      fullName: p.full_name,
      dateOfBirth: p.date_of_birth,
      ...(p.sex === 'male' || p.sex === 'female' || p.sex === 'other' ? { sex: p.sex } : {}),
      ...(p.address ? { address: p.address } : {}),
    };
    const key = patientKeyOf(
      {
        ...(p.id_number ? { idNumber: p.id_number } : {}),
        ...(p.insurance_number ? { insuranceNumber: p.insurance_number } : {}),
        ...(p.old_id_number ? { oldIdNumber: p.old_id_number } : {}),
      },
      p.id,
    );
    await this.deps.transactions.run((trx) =>
      this.outbox.enqueue(trx, {
        kind: 'patient-update',
        visitId: null,
        patientId,
        patientKey: key,
        payload: patient,
      }),
    );
    this.worker.nudge();
    return true;
  }

  /** The counter sees it in the visit's history: this registration must be finished by hand. */
  private async noteForCounter(row: EmrOutboxTable, error: DeliveryError): Promise<void> {
    if (!row.visit_id) return;
    const { tickets } = this.deps.repositories;
    const ticketId = await tickets.firstOfVisit(row.visit_id);
    if (!ticketId) return;
    await tickets.recordEvent({
      ticketId,
      type: 'emr-counter',
      at: this.deps.clock.now().toISOString(),
      actor: 'emr-outbox',
      detail: error.code,
    });
  }
}
