/**
 * Configuration of the EMR link, the delivery outbox, the BHYT gateway and the Decision 4750
 * check-in record. Spread into the server's config schema; cross-field rules (a FHIR base URL when
 * EMR_MODE=fhir …) are checked by `integrationConfigIssues` at start.
 */
import { z } from 'zod';

const boolish = (fallback: boolean) =>
  z
    .enum(['0', '1', 'true', 'false', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === '1' || v === 'true'));

/** `key:value,key:value` → a record; empty → {}. */
const keyValueList = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const out: Record<string, string> = {};
    for (const part of v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const at = part.indexOf(':');
      if (at <= 0 || at === part.length - 1) {
        ctx.addIssue({ code: 'custom', message: `expected key:value, got "${part}"` });
        return z.NEVER;
      }
      out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    return out;
  });

const optionalUrl = z
  .string()
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));

export const integrationConfigShape = {
  /** Where check-ins are registered: `local` (our database only), `fhir` (FHIR R4 server), `hl7` (ADT over MLLP). */
  EMR_MODE: z.enum(['local', 'fhir', 'hl7']).default('local'),
  /** The hospital's facility code (mã CSKCB): MSH-4, the visit number prefix, `ma_cskcb`. */
  FACILITY_CODE: z
    .string()
    .regex(/^[A-Z0-9]{1,10}$/u)
    .default('00000'),
  /** FHIR base URL, e.g. `https://emr.example.vn/fhir/R4`. */
  FHIR_BASE_URL: optionalUrl,
  /** OAuth2 token endpoint; default `<origin of FHIR_BASE_URL>/oauth2/token`. */
  FHIR_TOKEN_URL: optionalUrl,
  FHIR_CLIENT_ID: z.string().max(256).optional(),
  FHIR_CLIENT_SECRET: z.string().max(1024).optional(),
  FHIR_SCOPE: z.string().max(512).optional(),
  FHIR_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The facility-code system (ambiguous in VN Core: two NamingSystems share a URI), used for serviceProvider. */
  FHIR_FACILITY_SYSTEM: z.string().min(1).max(256).default('urn:kiosk:facility-code'),
  /** CodeSystem of Encounter.serviceType codes (our service ids). */
  FHIR_SERVICE_SYSTEM: z.string().min(1).max(256).default('urn:kiosk:service'),
  /** Encounter.class code (v3 ActCode); validated before sending. */
  FHIR_ENCOUNTER_CLASS: z.string().min(1).max(16).default('AMB'),
  /**
   * Booked appointments: `separate` searches today's booked Appointment of the patient after the
   * transaction; `in-bundle` adds that search to the transaction (servers that resolve urn:uuid
   * placeholders in GET entries); `off` never looks.
   */
  FHIR_APPOINTMENTS: z.enum(['separate', 'in-bundle', 'off']).default('separate'),
  MLLP_HOST: z.string().min(1).max(256).optional(),
  MLLP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  MLLP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Keep one MLLP connection open between messages (otherwise connect per message). */
  MLLP_KEEP_ALIVE: boolish(true),
  HL7_SENDING_APP: z.string().min(1).max(64).default('KIOSK'),
  HL7_RECEIVING_APP: z.string().min(1).max(64).default('HIS'),
  HL7_RECEIVING_FACILITY: z.string().max(64).optional(),
  /** MSH-11: `P` production, `T` training. */
  HL7_PROCESSING_ID: z.enum(['P', 'T', 'D']).default('P'),
  /** How often the outbox worker looks for due deliveries (it is also woken by each check-in). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  OUTBOX_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  /** Deliveries in flight at once (never two of the same patient). */
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  OUTBOX_BACKOFF_MAX_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  /** A claimed delivery whose worker vanished is claimable again after this. */
  OUTBOX_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** Consecutive failed attempts before 'emr-delivery-failing' is raised. */
  EMR_ALERT_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(3),
  /** BHYT eligibility during check-in: `required` (only an eligible card gets an insurance ticket), `advisory`, `off`. */
  BHYT_MODE: z.enum(['required', 'advisory', 'off']).default('off'),
  /** The BHXH gateway, e.g. `https://egw.baohiemxahoi.gov.vn`. */
  BHYT_GATEWAY_URL: optionalUrl,
  BHYT_USERNAME: z.string().max(128).optional(),
  /** Sent as its MD5, as the gateway requires. */
  BHYT_PASSWORD: z.string().max(256).optional(),
  /** Name and CCCD of the staff member on whose behalf look-ups are made (hoTenCb, cccdCb). Server-side only. */
  BHYT_STAFF_NAME: z.string().max(200).optional(),
  BHYT_STAFF_CCCD: z
    .string()
    .regex(/^\d{12}$/u)
    .optional(),
  BHYT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(8_000),
  /** A definitive answer is reused this long (the kiosk's pre-check, then the check-in). */
  BHYT_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /**
   * Each check-in's Decision 4750 record to the social-insurance data portal, through the outbox:
   * `on` or `off` (default). The facility's setting (admin page) overrides it once saved.
   */
  PORTAL_MODE: z.enum(['on', 'off']).default('off'),
  /** The portal's e-gateway, e.g. `https://egw.baohiemxahoi.gov.vn`. */
  PORTAL_URL: optionalUrl,
  PORTAL_USERNAME: z.string().max(128).optional(),
  /** Sent as its MD5, as the e-gateway requires. */
  PORTAL_PASSWORD: z.string().max(256).optional(),
  PORTAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Consecutive failed attempts before the portal's delivery counts as failing. */
  PORTAL_ALERT_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(3),
  /**
   * The hospital's e-invoice provider (Viettel sInvoice, VNPT, MISA meInvoice … behind one
   * create-invoice contract): each paid fee's invoice through the outbox. Off while EINVOICE_URL is unset.
   */
  EINVOICE_URL: optionalUrl,
  EINVOICE_USER: z.string().max(128).optional(),
  EINVOICE_PASSWORD: z.string().max(256).optional(),
  /** Mẫu số: 1 (hóa đơn GTGT) or 2 (hóa đơn bán hàng). */
  EINVOICE_TEMPLATE: z.enum(['1', '2']).default('1'),
  /** Ký hiệu registered with the tax authority, e.g. `C26TBV` (printed as `1C26TBV` with the template). */
  EINVOICE_SERIES: z
    .string()
    .regex(/^[CK]\d{2}[TDLMNBGH][A-Z0-9]{2}$/u)
    .default('C26TBV'),
  /** The hospital's tax code (mã số thuế), the seller on its invoices. */
  EINVOICE_SELLER_TAX_CODE: z
    .string()
    .regex(/^\d{10}(-\d{3})?$/u)
    .optional(),
  /** The hospital's address as registered with the tax authority. */
  EINVOICE_SELLER_ADDRESS: z.string().max(400).optional(),
  EINVOICE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Consecutive failed attempts before 'einvoice-delivery-failing' is raised. */
  EINVOICE_ALERT_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(3),
  /** `ma_doituong_kcb` by case: `registered-here` (ma_dkbd = our facility), `insured`, `fee-paying`. */
  XML4750_OBJECT_CODES: keyValueList,
  /** `ma_dich_vu` per service id (`service-id:code,…`); default: the service id. */
  XML4750_SERVICE_CODES: keyValueList,
};

export const integrationConfigSchema = z.object(integrationConfigShape);
export type IntegrationConfig = z.infer<typeof integrationConfigSchema>;

/** Cross-field rules; each issue names the variable. */
export function integrationConfigIssues(c: IntegrationConfig): string[] {
  const issues: string[] = [];
  if (c.EMR_MODE === 'fhir' && !c.FHIR_BASE_URL) issues.push('FHIR_BASE_URL: required when EMR_MODE=fhir');
  if (c.EMR_MODE === 'fhir' && c.FHIR_CLIENT_ID && !c.FHIR_CLIENT_SECRET)
    issues.push('FHIR_CLIENT_SECRET: required with FHIR_CLIENT_ID');
  if (c.EMR_MODE === 'hl7' && (!c.MLLP_HOST || !c.MLLP_PORT))
    issues.push('MLLP_HOST/MLLP_PORT: required when EMR_MODE=hl7');
  if (c.BHYT_MODE !== 'off')
    for (const key of [
      'BHYT_GATEWAY_URL',
      'BHYT_USERNAME',
      'BHYT_PASSWORD',
      'BHYT_STAFF_NAME',
      'BHYT_STAFF_CCCD',
    ] as const)
      if (!c[key]) issues.push(`${key}: required when BHYT_MODE=${c.BHYT_MODE}`);
  if (c.PORTAL_MODE === 'on')
    for (const key of ['PORTAL_URL', 'PORTAL_USERNAME', 'PORTAL_PASSWORD'] as const)
      if (!c[key]) issues.push(`${key}: required when PORTAL_MODE=on`);
  if (c.EINVOICE_URL)
    for (const key of [
      'EINVOICE_USER',
      'EINVOICE_PASSWORD',
      'EINVOICE_SELLER_TAX_CODE',
      'EINVOICE_SELLER_ADDRESS',
    ] as const)
      if (!c[key]) issues.push(`${key}: required when EINVOICE_URL is set`);
  for (const k of Object.keys(c.XML4750_OBJECT_CODES))
    if (!['registered-here', 'insured', 'fee-paying'].includes(k))
      issues.push(`XML4750_OBJECT_CODES: unknown case "${k}" (registered-here, insured, fee-paying)`);
  return issues;
}

/** Defaults for `ma_doituong_kcb` (unconfirmed beyond 1.1 = registered at this facility: sites set theirs). */
export const defaultObjectCodes = { 'registered-here': '1.1', insured: '3', 'fee-paying': '9' } as const;
