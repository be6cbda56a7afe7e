/**
 * Every query of the server lives in this folder, one repository per aggregate, for SQLite and
 * PostgreSQL alike. How they take part in transactions: see executor.ts.
 */
import type { Db } from '../db/database';
import { systemClock, type Clock } from '../clock';
import { AgentRepository } from './agent.repository';
import { AlertRepository } from './alert.repository';
import { CatalogueRepository } from './catalogue.repository';
import { CheckInRepository } from './checkin.repository';
import { DisplayRepository } from './display.repository';
import { KpiRepository } from './kpi.repository';
import { OutboxRepository } from './outbox.repository';
import { PartitionRepository } from './partition.repository';
import { PatientRepository } from './patient.repository';
import { PaymentRepository } from './payment.repository';
import { AppointmentRepository } from './appointment.repository';
import { PrivacyRepository } from './privacy.repository';
import { StaffRepository } from './staff.repository';
import { TicketRepository } from './ticket.repository';
import { VisitRepository } from './visit.repository';
import { ColumnCipher } from './column-cipher';
import { FleetManagementRepository } from './fleet-management.repository';
import { TicketStatusRepository } from './ticket-status.repository';
import { OfflineLeaseRepository } from './offline-lease.repository';
import { IdentityConflictRepository } from './identity-conflict.repository';
import { TrustStoreRepository } from './trust-store.repository';

export type { Executor } from './executor';

export interface Repositories {
  /** Tickets, ticket events, daily number series, the queue's priority streak. */
  tickets: TicketRepository;
  /** Visits with their receipts, Decision 4750 records and BHYT answers. */
  visits: VisitRepository;
  /** Patients and consent events. */
  patients: PatientRepository;
  /** Departments, services, opening hours, settings. */
  catalogue: CatalogueRepository;
  /** Staff accounts, sessions, the audit log. */
  staff: StaffRepository;
  /** Kiosk agents, pairing codes, heartbeats. */
  agents: AgentRepository;
  /** Waiting-room displays and their pairing codes. */
  displays: DisplayRepository;
  alerts: AlertRepository;
  /** Statistics, kept daily KPIs, the retention purge. */
  kpi: KpiRepository;
  /** EMR deliveries. */
  outbox: OutboxRepository;
  /** PostgreSQL: a whole check-in as one statement. */
  checkIns: CheckInRepository;
  /** PostgreSQL: the day partitions of tickets and their events. */
  partitions: PartitionRepository;
  /** Data-subject exports and erasure, the breach log, retention by data kind. */
  privacy: PrivacyRepository;
  /** The price list, payment intents, bank notifications. */
  payments: PaymentRepository;
  /** Booked appointments (from the EMR or booked here). */
  appointments: AppointmentRepository;
  /** Kiosk configuration revisions, sites, signed bundles, rollouts. */
  fleetManagement: FleetManagementRepository;
  /** The ticket's public status (by lookup code) and the patient's opt-ins to be told. */
  ticketStatus: TicketStatusRepository;
  /** Offline check-in: leases of numbers granted to kiosks, kiosks' journal backlogs. */
  offlineLeases: OfflineLeaseRepository;
  /** Check-ins whose identity disagrees with the stored patient, for staff review. */
  identityConflicts: IdentityConflictRepository;
  /** The CSCA trust store: imported files, what each kiosk applied. */
  trustStore: TrustStoreRepository;
}

/** `clock` stamps the outbox's own bookkeeping (claims, leases, retries). */
export function createRepositories(
  db: Db,
  clock: Clock = systemClock,
  cipher: ColumnCipher = ColumnCipher.off(),
): Repositories {
  return {
    tickets: new TicketRepository(db),
    visits: new VisitRepository(db, cipher),
    patients: new PatientRepository(db, cipher),
    catalogue: new CatalogueRepository(db),
    staff: new StaffRepository(db),
    agents: new AgentRepository(db),
    displays: new DisplayRepository(db),
    alerts: new AlertRepository(db),
    kpi: new KpiRepository(db),
    outbox: new OutboxRepository(db, clock, cipher),
    checkIns: new CheckInRepository(db, cipher),
    partitions: new PartitionRepository(db),
    privacy: new PrivacyRepository(db, cipher),
    payments: new PaymentRepository(db),
    appointments: new AppointmentRepository(db, cipher),
    fleetManagement: new FleetManagementRepository(db),
    ticketStatus: new TicketStatusRepository(db, cipher),
    offlineLeases: new OfflineLeaseRepository(db),
    identityConflicts: new IdentityConflictRepository(db, cipher),
    trustStore: new TrustStoreRepository(db),
  };
}
