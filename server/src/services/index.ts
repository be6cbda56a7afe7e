import type { Db } from '../db/database';
import type { AuthService } from './auth.service';
import type { CheckInService } from './checkin.service';
import type { FacilityService } from './facility.service';
import type { FleetService } from './fleet.service';
import type { QueueService } from './queue.service';
import type { PatientService } from './patient.service';
import type { RetentionService } from './retention.service';
import type { AlertService } from './alert.service';
import type { StatsService } from './stats.service';
import type { PrivacyService } from './privacy.service';
import type { DisplayService } from './display.service';
import type { ReportService } from './report.service';
import type { PaymentService } from './payment.service';
import type { AppointmentService } from './appointment.service';
import type { FleetManagementService } from './fleet-management.service';
import type { TicketStatusService } from './ticket-status.service';
import type { OfflineService } from './offline.service';
import type { IdentityConflictService } from './identity-conflict.service';
import type { TrustStoreService } from './trust-store.service';

export interface Services {
  db: Db;
  auth: AuthService;
  facility: FacilityService;
  checkIn: CheckInService;
  queue: QueueService;
  fleet: FleetService;
  patients: PatientService;
  retention: RetentionService;
  alerts: AlertService;
  stats: StatsService;
  privacy: PrivacyService;
  displays: DisplayService;
  reports: ReportService;
  payments: PaymentService;
  appointments: AppointmentService;
  /** Restart, configuration, diagnostics and software rollouts of kiosks. */
  fleetManagement: FleetManagementService;
  /** The ticket's public status page and the patient's phone notifications. */
  ticketStatus: TicketStatusService;
  offline: OfflineService;
  identityConflicts: IdentityConflictService;
  /** The CSCA trust store: imported master lists, certificates and CRLs pushed to the kiosks. */
  trustStore: TrustStoreService;
}
