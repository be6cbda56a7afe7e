/**
 * The Personal Data Protection Law (91/2025/QH15) in the server: data-subject requests (an export
 * of everything stored about one patient as JSON; erasure of what no law requires to keep),
 * withdrawal of consent (recorded, and the processing it covered stops at once), the register of
 * processing purposes, retention by data kind, and the breach log with its 72-hour deadline.
 * Every request is audited; nothing here logs personal data.
 */
import {
  BREACH_NOTIFICATION_HOURS,
  dataKindSchema,
  err,
  ok,
  type BreachInput,
  type BreachRecord,
  type ErasureReport,
  type ProcessingRegister,
  type Result,
  type WithdrawablePurpose,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { BreachTable } from '../db/schema';
import { newRowId } from '../db/row-id';
import type { Repositories } from '../repositories';
import { EMR_KINDS, INSURANCE_KINDS } from '../repositories/outbox.repository';
import type { Clock } from '../clock';
import type { AuthService, StaffUser } from './auth.service';
import { processingRegister, type RetentionSettings } from './privacy-register';
import { readStoredList } from './stored-json';

export interface PrivacySettings {
  controller: string;
  privacyNoticeVersion: string;
  retention: Omit<RetentionSettings, 'visitDays'>;
  /** The current patients-and-visits retention (the admin may change it at run time). */
  visitDays: () => Promise<number>;
}

/** snake_case row → camelCase object; `*_json` columns parsed (a column that does not parse is kept as text). */
function exported(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const json = k.endsWith('_json');
    const key = (json ? k.slice(0, -5) : k).replace(/_([a-z0-9])/gu, (_m, c: string) => c.toUpperCase());
    if (json && typeof v === 'string') {
      try {
        out[key] = JSON.parse(v) as unknown;
      } catch {
        out[key] = v;
      }
    } else out[key] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

const toBreach = (b: BreachTable, now: number): BreachRecord => {
  const notifyBy = new Date(Date.parse(b.discovered_at) + BREACH_NOTIFICATION_HOURS * 3600_000).toISOString();
  const kinds = readStoredList(dataKindSchema, b.data_kinds);
  return {
    id: b.id,
    discoveredAt: b.discovered_at,
    occurredAt: b.occurred_at,
    description: b.description,
    dataKinds: kinds,
    subjectsEstimate: b.subjects_estimate === null ? null : Number(b.subjects_estimate),
    measures: b.measures,
    recordedBy: b.recorded_by,
    recordedAt: b.recorded_at,
    notifyBy,
    notifiedAt: b.notified_at,
    notificationRef: b.notification_ref,
    overdue: b.notified_at === null && Date.parse(notifyBy) < now,
    closedAt: b.closed_at,
  };
};

export class PrivacyService {
  constructor(
    private readonly repositories: Pick<Repositories, 'privacy' | 'patients'>,
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly auth: AuthService,
    private readonly settings: PrivacySettings,
  ) {}

  async register(): Promise<ProcessingRegister> {
    return processingRegister(this.settings.controller, {
      ...this.settings.retention,
      visitDays: await this.settings.visitDays(),
    });
  }

  /** Everything stored about one patient, as JSON; audited ('patient-exported') whether or not the patient exists. */
  async exportPatient(patientId: string, actor: StaffUser): Promise<Result<Record<string, unknown>>> {
    await this.auth.audit(actor.username, 'patient-exported', patientId);
    const all = await this.repositories.privacy.everythingAbout(patientId);
    if (!all) return err('unknown-patient', 'no such patient');
    return ok({
      exportedAt: this.clock.now().toISOString(),
      controller: this.settings.controller,
      patient: exported(all.patient),
      consents: all.consents.map(exported),
      visits: all.visits.map(exported),
      tickets: all.tickets.map(exported),
      insuranceChecks: all.insuranceChecks.map(exported),
      checkinRecords: all.checkinRecords.map(exported),
      emrDeliveries: all.emrDeliveries.map(exported),
      appointments: all.appointments.map(exported),
      payments: all.payments.map(exported),
      notifications: all.notifications.map(exported),
      identityConflicts: all.identityConflicts.map(exported),
      recordReads: all.reads.map((r) => ({ at: r.at, actor: r.actor, action: r.action })),
    });
  }

  /** Erases what no law requires to keep (a data-subject request); audited ('patient-erased'). */
  async erasePatient(patientId: string, actor: StaffUser): Promise<Result<ErasureReport>> {
    const r = await this.transactions.run(async (trx) => {
      if (!(await this.repositories.privacy.patientExists(trx, patientId)))
        return err('unknown-patient', 'no such patient');
      return ok(await this.erase(trx, patientId));
    });
    await this.auth.audit(actor.username, r.ok ? 'patient-erased' : 'patient-erase-refused', patientId);
    return r;
  }

  private async erase(trx: Parameters<Parameters<Committer['run']>[0]>[0], patientId: string) {
    const at = this.clock.now().toISOString();
    const keepRecords = this.settings.retention.keepCheckinRecords;
    const removed = await this.repositories.privacy.erasePatient(trx, patientId, at, keepRecords);
    const kept: ErasureReport['kept'] = [
      { kind: 'consent', reason: 'proof of consent and of its withdrawal (Law 91/2025)' },
      { kind: 'access-audit', reason: 'record of who read the record (Law 91/2025 accountability)' },
      { kind: 'ticket', reason: 'queue numbers and times only, no personal data; counted in statistics' },
      { kind: 'payment', reason: 'amount, service and bank reference only, no personal data (accounting records)' },
    ];
    if (keepRecords)
      kept.push({
        kind: 'checkin-record',
        reason: 'Decision 4750 record (and its portal submission, if not yet sent) required for BHYT settlement',
      });
    const report: ErasureReport = { patientId, erasedAt: at, removed: { ...removed }, kept };
    return report;
  }

  /**
   * A patient withdraws consent for a purpose (staff act on their request): the withdrawal is
   * recorded and the processing it covered stops in the same unit of work — for 'check-in' the
   * record is erased (what no law requires to keep: the Decision 4750 record and its portal
   * submission stay when ERASURE_KEEPS_CHECKIN_RECORDS) and notifications to the patient's phone
   * stop; for 'emr-transfer' unsent EMR deliveries are cancelled (the portal's are not: a legal
   * obligation, not consent); for 'insurance-check' the gateway's answers are erased and unsent
   * re-checks cancelled.
   */
  async withdrawConsent(
    patientId: string,
    actor: StaffUser,
    purpose: WithdrawablePurpose,
  ): Promise<Result<{ purpose: WithdrawablePurpose; erasure: ErasureReport | null; cancelledDeliveries: number }>> {
    const { privacy, patients } = this.repositories;
    const r = await this.transactions.run(async (trx) => {
      if (!(await privacy.patientExists(trx, patientId))) return err('unknown-patient', 'no such patient');
      await patients.addConsent(trx, {
        patient_id: patientId,
        visit_id: null,
        kind: 'withdrawn',
        purpose,
        notice_version: this.settings.privacyNoticeVersion,
        at: this.clock.now().toISOString(),
        actor: actor.username,
      });
      if (purpose === 'check-in')
        return ok({ purpose, erasure: await this.erase(trx, patientId), cancelledDeliveries: 0 });
      if (purpose === 'emr-transfer')
        return ok({
          purpose,
          erasure: null,
          cancelledDeliveries: await privacy.cancelPendingDeliveries(trx, patientId, EMR_KINDS),
        });
      await privacy.eraseInsuranceChecks(trx, patientId);
      return ok({
        purpose,
        erasure: null,
        cancelledDeliveries: await privacy.cancelPendingDeliveries(trx, patientId, INSURANCE_KINDS),
      });
    });
    if (r.ok) await this.auth.audit(actor.username, `consent-withdrawn:${purpose}`, patientId);
    return r;
  }

  // ---- breach log ------------------------------------------------------------------------------

  async recordBreach(input: BreachInput, actor: StaffUser): Promise<BreachRecord> {
    const now = this.clock.now();
    const row: BreachTable = {
      id: newRowId(),
      discovered_at: new Date(input.discoveredAt).toISOString(),
      occurred_at: input.occurredAt ? new Date(input.occurredAt).toISOString() : null,
      description: input.description,
      data_kinds: JSON.stringify(input.dataKinds),
      subjects_estimate: input.subjectsEstimate ?? null,
      measures: input.measures ?? null,
      recorded_by: actor.username,
      recorded_at: now.toISOString(),
      notified_at: null,
      notification_ref: null,
      closed_at: null,
    };
    await this.repositories.privacy.insertBreach(row);
    await this.auth.audit(actor.username, 'breach-recorded', row.id);
    return toBreach(row, now.getTime());
  }

  async breaches(limit = 200): Promise<BreachRecord[]> {
    const now = this.clock.now().getTime();
    return (await this.repositories.privacy.breaches(limit)).map((b) => toBreach(b, now));
  }

  async updateBreach(
    id: string,
    patch: {
      notifiedAt?: string | undefined;
      notificationRef?: string | undefined;
      measures?: string | undefined;
      closed?: boolean | undefined;
    },
    actor: StaffUser,
  ): Promise<Result<BreachRecord>> {
    const { privacy } = this.repositories;
    const existing = await privacy.breach(id);
    if (!existing) return err('unknown-breach', 'no such breach');
    const now = this.clock.now();
    await privacy.updateBreach(id, {
      ...(patch.notifiedAt !== undefined ? { notified_at: new Date(patch.notifiedAt).toISOString() } : {}),
      ...(patch.notificationRef !== undefined ? { notification_ref: patch.notificationRef } : {}),
      ...(patch.measures !== undefined ? { measures: patch.measures } : {}),
      ...(patch.closed !== undefined
        ? { closed_at: patch.closed ? (existing.closed_at ?? now.toISOString()) : null }
        : {}),
    });
    await this.auth.audit(actor.username, 'breach-updated', id);
    const updated = await privacy.breach(id);
    return updated ? ok(toBreach(updated, now.getTime())) : err('unknown-breach', 'no such breach');
  }

  // ---- retention by data kind ------------------------------------------------------------------

  /**
   * Deletes what is past its kind's retention (patients and visits, with what hangs on a visit:
   * RetentionService; notification opt-ins also go at the end of their day: TicketStatusService).
   */
  async purgeByKind(): Promise<Record<string, number>> {
    const now = this.clock.now().getTime();
    const before = (days: number) => new Date(now - days * 86_400_000).toISOString();
    const { privacy } = this.repositories;
    const r = this.settings.retention;
    return {
      insuranceChecks: await privacy.deleteInsuranceChecksBefore(before(r.insuranceCheckDays)),
      emrDeliveries: await privacy.deleteDeliveredBefore(before(r.emrDeliveredDays)),
      auditEntries: await privacy.deleteAuditBefore(before(r.auditDays)),
      breaches: await privacy.deleteClosedBreachesBefore(before(r.breachDays)),
      appointments: await privacy.deleteAppointmentsBefore(before(await this.settings.visitDays())),
    };
  }
}
