/**
 * `EMR_MODE=local`: the records stay in our database (the demo, sites without an EMR link yet).
 * Nothing is queued for delivery in this mode (a delivery row per check-in would be work with no
 * receiver); rows left from an earlier FHIR or HL7 configuration still drain, through this no-op
 * that succeeds. Switching a site to FHIR or HL7 later starts from new check-ins.
 */
import type { EmrPort, EmrResult } from './emr.port';

const delivered: EmrResult = {
  ok: true,
  value: { patient: 'accepted', encounter: 'accepted', appointment: 'not-applicable' },
};

export class LocalEmrAdapter implements EmrPort {
  readonly mode = 'local' as const;

  async deliverCheckIn(): Promise<EmrResult> {
    return delivered;
  }

  async updatePatient(): Promise<EmrResult> {
    return delivered;
  }

  async close(): Promise<void> {}
}
