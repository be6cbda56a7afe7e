/**
 * Staff reads of patient records (each one written to the audit log before the data is
 * returned). Consent withdrawal and erasure: privacy.service.ts.
 */
import { err, ok, type Result } from '@kiosk/protocol';
import type { Repositories } from '../repositories';
import type { Clock } from '../clock';
import type { AuthService, StaffUser } from './auth.service';

export interface PatientRecord {
  id: string;
  idNumber: string | null;
  oldIdNumber: string | null;
  insuranceNumber: string | null;
  fullName: string;
  dateOfBirth: string;
  sex: string | null;
  address: string | null;
  needsReview: boolean;
  createdAt: string;
  updatedAt: string;
  consents: { kind: string; purpose: string; noticeVersion: string; at: string; visitId: string | null }[];
  /** `identityCheck`: how the identity was attested ('verified' … for a chip the agent read, 'claimed', 'unattested'). */
  visits: {
    visitId: string;
    serviceId: string;
    createdAt: string;
    identitySource: string;
    identityCheck: string | null;
  }[];
}

export class PatientService {
  constructor(
    private readonly repositories: Pick<Repositories, 'patients' | 'visits'>,
    private readonly clock: Clock,
    private readonly auth: AuthService,
    private readonly privacyNoticeVersion: string,
  ) {}

  /** The full record; the read is audited whether or not the patient exists. */
  async read(patientId: string, reader: StaffUser, via: string): Promise<Result<PatientRecord>> {
    await this.auth.audit(reader.username, `patient-read:${via}`, patientId);
    const { patients } = this.repositories;
    const p = await patients.byId(patientId);
    if (!p) return err('unknown-patient', 'no such patient');
    const consents = await patients.consentsOf(patientId);
    const visits = await this.repositories.visits.ofPatient(patientId, 50);
    return ok({
      id: p.id,
      idNumber: p.id_number,
      oldIdNumber: p.old_id_number,
      insuranceNumber: p.insurance_number,
      fullName: p.full_name,
      dateOfBirth: p.date_of_birth,
      sex: p.sex,
      address: p.address,
      needsReview: Number(p.needs_review) === 1,
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      consents: consents.map((c) => ({
        kind: c.kind,
        purpose: c.purpose,
        noticeVersion: c.notice_version,
        at: c.at,
        visitId: c.visit_id,
      })),
      visits: visits.map((v) => ({
        visitId: v.id,
        serviceId: v.service_id,
        createdAt: v.created_at,
        identitySource: v.identity_source,
        identityCheck: v.identity_check ?? null,
      })),
    });
  }

  /** The patient behind a ticket, for the counter's "open record" action (audited as a read). */
  async readByTicket(ticketId: string, reader: StaffUser): Promise<Result<PatientRecord>> {
    const patientId = await this.repositories.visits.patientOfTicket(ticketId);
    if (patientId === undefined) {
      await this.auth.audit(reader.username, 'patient-read:ticket', null);
      return err('unknown-ticket', 'no such ticket');
    }
    return this.read(patientId, reader, 'ticket');
  }
}
