/** Table shapes shared by SQLite and PostgreSQL. Times are ISO-8601 text; booleans are 0/1. */
import type { Generated } from 'kysely';

export interface DepartmentTable {
  id: string;
  name_vi: string;
  name_en: string;
}
export interface ServiceTable {
  id: string;
  department_id: string;
  prefix: string;
  name_vi: string;
  name_en: string;
  room: string;
  floor: number;
  sort: number;
  /** insurance-eligible service: `1` when BHYT patients may use it. */
  active: number;
}
export interface PatientTable {
  id: string;
  id_number: string | null;
  old_id_number: string | null;
  insurance_number: string | null;
  full_name: string;
  date_of_birth: string;
  sex: string | null;
  address: string | null;
  /** Manually entered details that staff must confirm. */
  needs_review: number;
  created_at: string;
  updated_at: string;
  /** Keyed hashes of the ID numbers (or the numbers themselves with encryption off): matching and uniqueness. */
  id_number_hmac?: string | null;
  insurance_number_hmac?: string | null;
  /** Set when the patient's personal data was erased (a data-subject request, a withdrawal); the row stays as a tombstone. */
  erased_at?: string | null;
}
export interface VisitTable {
  id: string;
  check_in_id: string;
  patient_id: string;
  service_id: string;
  agent_id: string | null;
  identity_source: string;
  /** How the identity was attested (identity.migration.ts); null on visits stored before. */
  identity_check?: string | null;
  service_type: string;
  priority: string;
  priority_claims: string;
  /** The receipt as first acknowledged, replayed verbatim on a retry. */
  receipt_json: string;
  created_at: string;
}
export interface TicketTable {
  id: string;
  visit_id: string;
  service_id: string;
  day: string;
  seq: number;
  number: string;
  priority: string;
  status: string;
  print_status: string;
  lookup_code: string;
  issued_at: string;
  called_at: string | null;
  counter: string | null;
  skip_count: number;
  completed_at: string | null;
  /** The ticket this one was transferred from (same visit, earlier service). */
  transferred_from: string | null;
  transferred_to: string | null;
}
export interface TicketSeriesTable {
  service_id: string;
  day: string;
  last_seq: number;
}
export interface QueueStateTable {
  service_id: string;
  day: string;
  priority_streak: number;
}
/** A service's waiting tickets of a day per priority, kept by triggers on tickets (ticket-line.migration.ts). */
export interface QueueWaitingTable {
  service_id: string;
  day: string;
  priority: string;
  waiting: number;
}
export interface TicketEventTable {
  id: Generated<number>;
  ticket_id: string;
  type: string;
  at: string;
  actor: string | null;
  detail: string | null;
}
export interface AgentTable {
  id: string;
  name: string;
  credential_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  software_version: string | null;
  health_json: string | null;
}
export interface PairingCodeTable {
  code_hash: string;
  expires_at: string;
  used_at: string | null;
  created_by: string | null;
}
export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: string;
  disabled_at: string | null;
}
export interface SessionTable {
  token_hash: string;
  user_id: string;
  expires_at: string;
}
export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string | null;
}

export interface OpeningHoursTable {
  service_id: string;
  /** 0 = Sunday … 6 = Saturday, facility time. */
  weekday: number;
  /** HH:MM, facility time. */
  opens: string;
  closes: string;
}
export interface ConsentEventTable {
  id: Generated<number>;
  patient_id: string;
  visit_id: string | null;
  /** 'given' | 'withdrawn' */
  kind: string;
  purpose: string;
  notice_version: string;
  at: string;
  /** The agent (kiosk) or staff member that recorded it. */
  actor: string | null;
}
export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}
/** The kiosk's look (one row, id 'site'). */
export interface KioskBrandingTable {
  id: string;
  hospital_name_vi: string;
  hospital_name_en: string;
  primary_color: string;
  logo_mime: string | null;
  logo_base64: string | null;
  updated_at: string;
  updated_by: string;
}
/** Per service and day, kept after patients and visits are purged. Counts are integers; PostgreSQL returns the bigint total as a string. */
export interface KpiDailyTable {
  day: string;
  service_id: string;
  tickets: number;
  called: number;
  completed: number;
  no_shows: number;
  transferred: number;
  printed: number;
  print_failed: number;
  wait_ms_total: number | string;
  wait_count: number;
}

export interface AlertTable {
  id: string;
  kind: string;
  /** Agent id, or 'server'. */
  subject: string;
  /** '' when the alert is about the whole subject. */
  device_id: string;
  severity: string;
  since: string;
  resolved_at: string | null;
  detail: string | null;
}

/** EMR deliveries written with each check-in and sent by the outbox worker (integrations/). */
export interface EmrOutboxTable {
  id: string;
  /** 'check-in' | 'patient-update' */
  kind: string;
  visit_id: string | null;
  /** Null for a paid fee's e-invoice (paid before its visit and patient exist). */
  patient_id: string | null;
  /** Business identifier of the patient: deliveries with the same key never run concurrently. */
  patient_key: string;
  /** HL7 MSH-10 and the idempotency key of every attempt. */
  control_id: string;
  /** The EMR-bound snapshot of the check-in (personal data: never logged). */
  payload_json: string;
  /** 'pending' | 'delivering' | 'delivered' | 'failed' */
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  claim_token: string | null;
  /** 'counter' when staff must finish the registration by hand. */
  route: string | null;
  last_error_code: string | null;
  last_error: string | null;
  result_json: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}
/** The BHYT gateway's answer used for a check-in. */
export interface InsuranceCheckTable {
  id: string;
  visit_id: string;
  at: string;
  mode: string;
  result_code: string | null;
  routing: string;
  verdict: string;
  message_key: string;
  /** The gateway's ghiChu, for staff only. */
  staff_note: string | null;
  card_number: string | null;
  new_card_number: string | null;
  primary_care_facility: string | null;
  valid_from: string | null;
  valid_to: string | null;
  duration_ms: number | null;
}
/** Decision 4750 check-in table, one row per visit, in the table's own formats. */
export interface CheckinRecordTable {
  visit_id: string;
  ma_lk: string;
  ma_bn: string;
  ho_ten: string;
  so_cccd: string | null;
  ngay_sinh: string;
  gioi_tinh: number;
  ma_the_bhyt: string | null;
  ma_dkbd: string | null;
  gt_the_tu: string | null;
  gt_the_den: string | null;
  ma_doituong_kcb: string;
  ngay_vao: string;
  ma_loai_kcb: string;
  ma_cskcb: string;
  ma_dich_vu: string;
  ten_dich_vu: string;
  ngay_yl: string;
  checked_in_at: string;
}

/** Personal-data breaches (Law 91/2025): recorded by admins, notified within 72 hours of discovery. */
export interface BreachTable {
  id: string;
  discovered_at: string;
  occurred_at: string | null;
  description: string;
  /** JSON array of data kinds affected. */
  data_kinds: string;
  subjects_estimate: number | null;
  measures: string | null;
  recorded_by: string;
  recorded_at: string;
  notified_at: string | null;
  notification_ref: string | null;
  closed_at: string | null;
}

/** A kiosk's heartbeats, sampled (one a minute at most, or when its devices change) and bounded per kiosk. */
export interface AgentHeartbeatTable {
  id: Generated<number>;
  agent_id: string;
  at: string;
  software_version: string;
  ready: number;
  total: number;
  /** JSON array of `class:state(:reason)` for each device not ready. */
  problems: string;
}
/** A waiting-room screen paired with a single-use code; only its credential's hash is stored. */
export interface DisplayTable {
  id: string;
  name: string;
  credential_hash: string;
  /** JSON array of service ids; empty: every service. */
  service_ids: string;
  created_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
}

/** The amount a patient class pays for a service (integer VND). */
export interface PriceListTable {
  service_id: string;
  patient_class: string;
  amount_vnd: number;
}
/** A payment intent: pending → paid | expired | cancelled; paid → refunded. */
export interface PaymentTable {
  id: string;
  /** The per-visit reference in the VietQR and in the bank's transfer content. */
  reference: string;
  service_id: string;
  patient_class: string;
  amount_vnd: number;
  method: string;
  state: string;
  agent_id: string | null;
  visit_id: string | null;
  qr_payload: string;
  /** Facility day of `created_at`, for the reconciliation view. */
  day: string;
  created_at: string;
  expires_at: string;
  paid_at: string | null;
  bank_transaction_id: string | null;
  refunded_at: string | null;
  refunded_by: string | null;
}
/** The e-invoice the provider issued for a paid fee. */
export interface PaymentInvoiceTable {
  payment_id: string;
  invoice_number: string;
  /** Mã tra cứu: the patient looks the invoice up with it. */
  lookup_code: string;
  lookup_url: string;
  issued_at: string;
}
/** Every bank notification as verified and judged; the transaction id makes a repeat a no-op. */
export interface BankNotificationTable {
  transaction_id: string;
  received_at: string;
  booked_at: string;
  account_number: string;
  amount_vnd: number;
  reference: string | null;
  payment_id: string | null;
  outcome: string;
  day: string;
}
/** A card terminal's approved transaction, keyed by terminal id + RRN; the card as scheme and last 4 only. */
export interface CardTransactionTable {
  terminal_id: string;
  rrn: string;
  payment_id: string;
  agent_id: string | null;
  amount_vnd: number;
  approval_code: string;
  scheme: string;
  last4: string;
  outcome: string;
  received_at: string;
}
/** Appointments from the EMR or booked here; the patient is matched by the keyed hash of an ID number. */
export interface AppointmentTable {
  id: string;
  source: string;
  /** The EMR's `Appointment.id` (source `emr`). */
  external_id: string | null;
  booking_code: string;
  patient_key_hmac: string;
  /** The identity given at booking (JSON, sealed): what a check-in by booking code registers. */
  identity_sealed: string | null;
  service_id: string;
  doctor: string | null;
  starts_at: string;
  day: string;
  status: string;
  visit_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A configuration revision pushed to one kiosk, and what the kiosk said of it. */
export interface AgentConfigTable {
  agent_id: string;
  revision: number;
  config_json: string;
  created_at: string;
  created_by: string;
  /** The agent's ConfigApplyReport (JSON); null until it acknowledged. */
  report_json: string | null;
  acknowledged_at: string | null;
}
/** Which site (building, campus) a kiosk stands at, for staged rollouts. */
export interface AgentSiteTable {
  agent_id: string;
  site: string;
}
/** A signed agent bundle as uploaded: the manifest's exact text, its signature, the tarball (base64). */
export interface AgentBundleTable {
  version: string;
  manifest: string;
  signature: string;
  sha256: string;
  size_bytes: number;
  tarball_base64: string;
  uploaded_at: string;
  uploaded_by: string;
}
export interface RolloutTable {
  id: string;
  version: string;
  percent: number | null;
  /** JSON array of site names, or null: every site. */
  sites_json: string | null;
  created_at: string;
  created_by: string;
}
/** A kiosk chosen by a rollout, and where it is in it. */
export interface RolloutTargetTable {
  rollout_id: string;
  agent_id: string;
  state: string;
  reason: string | null;
  updated_at: string;
}

export interface TrustFileTable {
  id: string;
  name: string;
  kind: string;
  sha256: string;
  content: string;
  trust_json: string;
  summary_json: string;
  uploaded_by: string;
  uploaded_at: string;
}
export interface AgentTrustStateTable {
  agent_id: string;
  revision: string;
  anchors: number;
  crls: number;
  local_anchors: number;
  reported_at: string;
}
export interface Database {
  trust_files: TrustFileTable;
  agent_trust_states: AgentTrustStateTable;
  departments: DepartmentTable;
  services: ServiceTable;
  patients: PatientTable;
  visits: VisitTable;
  tickets: TicketTable;
  ticket_series: TicketSeriesTable;
  queue_state: QueueStateTable;
  queue_waiting: QueueWaitingTable;
  ticket_events: TicketEventTable;
  agents: AgentTable;
  pairing_codes: PairingCodeTable;
  users: UserTable;
  sessions: SessionTable;
  audit_log: AuditTable;
  opening_hours: OpeningHoursTable;
  consent_events: ConsentEventTable;
  settings: SettingTable;
  kiosk_branding: KioskBrandingTable;
  kpi_daily: KpiDailyTable;
  alerts: AlertTable;
  emr_outbox: EmrOutboxTable;
  insurance_checks: InsuranceCheckTable;
  checkin_records: CheckinRecordTable;
  breaches: BreachTable;
  agent_heartbeats: AgentHeartbeatTable;
  displays: DisplayTable;
  display_pairing_codes: PairingCodeTable;
  price_list: PriceListTable;
  payments: PaymentTable;
  payment_invoices: PaymentInvoiceTable;
  bank_notifications: BankNotificationTable;
  card_transactions: CardTransactionTable;
  appointments: AppointmentTable;
  agent_configs: AgentConfigTable;
  agent_sites: AgentSiteTable;
  agent_bundles: AgentBundleTable;
  rollouts: RolloutTable;
  rollout_targets: RolloutTargetTable;
  notify_subscriptions: NotifySubscriptionTable;
  offline_leases: OfflineLeaseTable;
  agent_offline_backlog: AgentOfflineBacklogTable;
  identity_conflicts: IdentityConflictTable;
}

/** An opt-in to be told about one ticket, kept only for its visit (see ticket-status.migration.ts). */
export interface NotifySubscriptionTable {
  id: string;
  ticket_id: string;
  visit_id: string;
  service_id: string;
  day: string;
  channel: string;
  push_json: string | null;
  /** Sealed (ColumnCipher) phone number for ZNS / SMS. */
  phone: string | null;
  near_sent_at: string | null;
  called_sent_at: string | null;
  created_at: string;
}

/** A block `first_seq..last_seq` of a service's daily series granted to one kiosk for offline check-in. */
export interface OfflineLeaseTable {
  id: string;
  agent_id: string;
  service_id: string;
  day: string;
  first_seq: number;
  last_seq: number;
  granted_at: string;
}
/** Offline check-ins a kiosk holds, not yet replayed, as its latest heartbeat said. */
export interface AgentOfflineBacklogTable {
  agent_id: string;
  backlog: number;
  oldest_at: string | null;
  updated_at: string;
}

/** A check-in whose ID number matched a patient stored with another name or birth date (identity.migration.ts). */
export interface IdentityConflictTable {
  id: string;
  patient_id: string;
  visit_id: string;
  agent_id: string | null;
  identity_source: string;
  identity_check: string;
  fields: string;
  /** Sealed (`identity_conflicts.*_full_name`). */
  stored_full_name: string;
  stored_date_of_birth: string;
  incoming_full_name: string;
  incoming_date_of_birth: string;
  incoming_sex: string | null;
  status: string;
  created_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
}
