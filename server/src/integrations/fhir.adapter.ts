/**
 * EMR port over FHIR R4 (VN Core identifiers): a check-in is one transaction Bundle (conditional
 * creates on business identifiers, so a resend matches: 200 instead of 201), then today's booked
 * Appointment moves to arrived by a JSON Patch with a `test` op. Outcomes (emr.md):
 * 201/200 delivered · 412 several matches → the counter, never choose · 4xx OperationOutcome →
 * readable message, alert · 5xx, 429, timeouts → retry later · 401 → one fresh token, then retry
 * once. Codes are validated before anything is sent.
 */
import type { Result } from '@kiosk/protocol';
import {
  emrError,
  type AppointmentStep,
  type DeliveryKey,
  type EmrCheckIn,
  type EmrError,
  type EmrNoShow,
  type EmrPatient,
  type EmrPort,
  type EmrResult,
} from './emr.port';
import {
  appointmentArrivedPatch,
  appointmentNoShowPatch,
  appointmentSearchUrl,
  checkInBundle,
  patientIdentifiers,
  patientMatchQuery,
  patientResource,
  type FhirBuildOptions,
} from './fhir-bundle.builder';
import { validateCheckInBundle, validateCheckInData } from './fhir-bundle.validator';
import {
  outcomeDetail,
  parseTransactionResponse,
  readableOutcome,
  refOf,
  type EntryOutcome,
} from './fhir-response.parser';
import { HttpClient, type HttpResponse } from './http.client';
import { ClientCredentialsToken } from './oauth2-client-credentials';

export interface FhirAdapterOptions extends Omit<FhirBuildOptions, 'appointmentSearchInBundle'> {
  baseUrl: string;
  /** Default: `<origin of baseUrl>/oauth2/token`. */
  tokenUrl?: string;
  /** Without client credentials, requests go unauthenticated (a server on a closed network). */
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  timeoutMs: number;
  appointments: 'separate' | 'in-bundle' | 'off';
}

const FHIR_JSON = 'application/fhir+json';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class FhirAdapter implements EmrPort {
  readonly mode = 'fhir' as const;
  readonly token: ClientCredentialsToken | undefined;
  private readonly http = new HttpClient();
  private readonly base: string;
  private readonly buildOptions: FhirBuildOptions;
  /** Problems of the configured codes and of the Bundle's structure, found once at start. */
  readonly configIssues: string[];

  constructor(private readonly o: FhirAdapterOptions) {
    this.base = o.baseUrl.replace(/\/+$/u, '');
    this.buildOptions = { ...o, appointmentSearchInBundle: o.appointments === 'in-bundle' };
    this.configIssues = probeIssues(this.buildOptions, [o.facilitySystem, o.serviceSystem]);
    if (o.clientId && o.clientSecret)
      this.token = new ClientCredentialsToken(this.http, {
        tokenUrl: o.tokenUrl ?? `${new URL(o.baseUrl).origin}/oauth2/token`,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        ...(o.scope ? { scope: o.scope } : {}),
        timeoutMs: o.timeoutMs,
      });
  }

  async deliverCheckIn(c: EmrCheckIn, key: DeliveryKey): Promise<EmrResult> {
    const issues = this.configIssues.length > 0 ? this.configIssues : validateCheckInData(c);
    if (issues.length > 0)
      return emrError('emr-invalid-content', `not sent, failed our validation: ${issues.slice(0, 3).join('; ')}`, {
        retriable: false,
        route: 'counter',
        detail: this.configIssues.length > 0 ? 'validation-config' : 'validation',
      });
    const built = checkInBundle(c, this.buildOptions);

    const sent = await this.send('POST', '', key, built.bundle, FHIR_JSON);
    if (!sent.ok) return sent;
    const failure = this.failureOf(sent.value, 'the transaction');
    if (failure) return failure;
    if (sent.value.status !== 200)
      return emrError('emr-bad-response', `transaction answered ${sent.value.status}`, {
        detail: `http-${sent.value.status}`,
      });
    const entries = parseTransactionResponse(sent.value.body, built.bundle.entry.length);
    if (!entries) return emrError('emr-bad-response', 'not a transaction-response of this Bundle', { detail: 'shape' });

    // Some engines answer 200 with a failed entry instead of failing the whole transaction.
    for (const e of entries) {
      const f = this.entryFailure(e);
      if (f) return f;
    }
    const patient = entries[built.index.patient];
    const encounter = entries[built.index.encounter];
    if (!patient?.ref || !encounter?.ref)
      return emrError('emr-bad-response', 'the response does not say where Patient and Encounter are', {
        detail: 'no-location',
      });

    const appointment = await this.arriveAppointment(c, key, patient.ref, encounter.ref, entries, built.index);
    if (!appointment.ok) return appointment;
    return {
      ok: true,
      value: {
        patient: patient.status === 201 ? 'created' : 'matched',
        encounter: encounter.status === 201 ? 'created' : 'matched',
        appointment: appointment.value,
        patientRef: patient.ref,
        encounterRef: encounter.ref,
      },
    };
  }

  /** Demographics into the one matching Patient (read, merge, update with If-Match); none → create. */
  async updatePatient(p: EmrPatient, key: DeliveryKey): Promise<EmrResult> {
    const found = await this.send('GET', `Patient?${patientMatchQuery(p)}&_count=2`, key);
    if (!found.ok) return found;
    const failure = this.failureOf(found.value, 'the patient search');
    if (failure) return failure;
    const matches = searchResources(found.value.body, 'Patient');
    if (matches.length > 1)
      return emrError('emr-ambiguous-patient', 'several EMR patients share these identifiers: staff must decide', {
        retriable: false,
        route: 'counter',
        detail: 'multiple-matches',
      });
    const ours = patientResource(p);
    if (matches.length === 0) {
      const created = await this.send('POST', 'Patient', key, ours, FHIR_JSON, {
        'if-none-exist': patientMatchQuery(p),
      });
      if (!created.ok) return created;
      const f = this.failureOf(created.value, 'the patient create');
      if (f) return f;
      const ref = refOf(created.value.headers.location) ?? resourceRef(created.value.body);
      return {
        ok: true,
        value: {
          patient: created.value.status === 201 ? 'created' : 'matched',
          encounter: 'matched',
          appointment: 'not-applicable',
          ...(ref ? { patientRef: ref } : {}),
        },
      };
    }
    const current = matches[0] as Record<string, unknown>;
    const known = Array.isArray(current['identifier']) ? (current['identifier'] as unknown[]) : [];
    const identifier = [...known];
    for (const id of patientIdentifiers(p))
      if (!known.some((k) => isObj(k) && k['system'] === id.system && k['value'] === id.value)) identifier.push(id);
    const merged: Record<string, unknown> = {
      ...current,
      identifier,
      name: ours['name'],
      birthDate: ours['birthDate'],
    };
    if (ours['gender']) merged['gender'] = ours['gender'];
    if (ours['address']) merged['address'] = ours['address'];
    const version = isObj(current['meta']) ? current['meta']['versionId'] : undefined;
    const id = String(current['id']);
    const updated = await this.send(
      'PUT',
      `Patient/${encodeURIComponent(id)}`,
      key,
      merged,
      FHIR_JSON,
      typeof version === 'string' ? { 'if-match': `W/"${version}"` } : {},
    );
    if (!updated.ok) return updated;
    const f = this.failureOf(updated.value, 'the patient update');
    if (f) return f;
    return {
      ok: true,
      value: { patient: 'matched', encounter: 'matched', appointment: 'not-applicable', patientRef: `Patient/${id}` },
    };
  }

  /**
   * A booked appointment nobody came for → noshow: by the EMR's id, or found as the patient's
   * booked Appointment of that day (the one at the booked time when there are several). Left
   * alone when staff moved it past booked, when the patient or a booking is not in the EMR, and
   * never guessed between several.
   */
  async markNoShow(n: EmrNoShow, key: DeliveryKey): Promise<EmrResult> {
    const step = (appointment: AppointmentStep): EmrResult => ({
      ok: true,
      value: { patient: 'matched', encounter: 'accepted', appointment },
    });
    let appointmentId = n.appointmentId;
    if (!appointmentId) {
      if (this.o.appointments === 'off') return step('not-applicable');
      if (!n.nationalId && !n.insuranceNumber) return step('none');
      const identifiers = patientMatchQuery({
        patientId: '',
        fullName: '',
        dateOfBirth: '',
        ...(n.nationalId ? { nationalId: n.nationalId } : {}),
        ...(n.insuranceNumber ? { insuranceNumber: n.insuranceNumber } : {}),
      });
      const found = await this.send('GET', `Patient?${identifiers}&_count=2`, key);
      if (!found.ok) return found;
      const failure = this.failureOf(found.value, 'the patient search');
      if (failure) return failure;
      const patients = searchResources(found.value.body, 'Patient');
      if (patients.length === 0) return step('none');
      if (patients.length > 1) return step('ambiguous');
      const search = await this.send(
        'GET',
        appointmentSearchUrl(`Patient/${String(patients[0]?.['id'])}`, n.day, n.utcOffset),
        key,
      );
      if (!search.ok) return search;
      const f = this.failureOf(search.value, 'the appointment search');
      if (f) return f;
      const booked = searchResources(search.value.body, 'Appointment').filter((a) => a['status'] === 'booked');
      const atTime = booked.filter((a) => Date.parse(String(a['start'])) === Date.parse(n.startsAt));
      const chosen = booked.length === 1 ? booked : atTime;
      if (chosen.length === 0) return step('none');
      if (chosen.length > 1) return step('ambiguous');
      appointmentId = String(chosen[0]?.['id']);
    }
    const patched = await this.send(
      'PATCH',
      `Appointment/${encodeURIComponent(appointmentId)}`,
      key,
      appointmentNoShowPatch,
      'application/json-patch+json',
    );
    if (!patched.ok) return patched;
    const { status } = patched.value;
    if (status >= 500 || status === 429 || status === 408)
      return emrError('emr-unavailable', `appointment update answered ${status}`, { detail: `http-${status}` });
    return step(status >= 400 ? 'left-as-is' : 'noshow');
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async arriveAppointment(
    c: EmrCheckIn,
    key: DeliveryKey,
    patientRef: string,
    encounterRef: string,
    entries: EntryOutcome[],
    index: { appointments?: number },
  ): Promise<Result<AppointmentStep, EmrError>> {
    let appointmentId = c.appointmentId;
    if (!appointmentId) {
      if (this.o.appointments === 'off') return { ok: true, value: 'not-applicable' };
      let found: unknown;
      if (index.appointments !== undefined) {
        found = entries[index.appointments]?.resource;
      } else {
        const search = await this.send('GET', appointmentSearchUrl(patientRef, c.visit.day, c.visit.utcOffset), key);
        if (!search.ok) return search;
        const f = this.failureOf(search.value, 'the appointment search');
        if (f) return f;
        found = search.value.body;
      }
      const today = searchResources(found, 'Appointment');
      const booked = today.filter((a) => a['status'] === 'booked');
      if (booked.length > 1) return { ok: true, value: 'ambiguous' };
      if (booked.length === 0) {
        const moved = today.some((a) => ['arrived', 'checked-in', 'fulfilled'].includes(String(a['status'])));
        return { ok: true, value: moved ? 'left-as-is' : 'none' };
      }
      appointmentId = String(booked[0]?.['id']);
    }
    const patched = await this.send(
      'PATCH',
      `Appointment/${encodeURIComponent(appointmentId)}`,
      key,
      appointmentArrivedPatch,
      'application/json-patch+json',
    );
    if (!patched.ok) return patched;
    const { status } = patched.value;
    if (status >= 500 || status === 429 || status === 408)
      return emrError('emr-unavailable', `appointment update answered ${status}`, { detail: `http-${status}` });
    // The test op failed (or the appointment is gone): staff moved it past booked; leave it alone.
    if (status >= 400) return { ok: true, value: 'left-as-is' };
    if (!c.appointmentId) {
      // Link the visit to its appointment; a failure here loses nothing the EMR needs to act on.
      await this.send(
        'PATCH',
        encounterRef,
        key,
        [{ op: 'add', path: '/appointment', value: [{ reference: `Appointment/${appointmentId}` }] }],
        'application/json-patch+json',
      );
    }
    return { ok: true, value: 'arrived' };
  }

  /** 412, 4xx with OperationOutcome, 5xx … as an EmrError; undefined for 2xx. */
  private failureOf(res: HttpResponse, what: string): { ok: false; error: EmrError } | undefined {
    const { status, body } = res;
    if (status >= 200 && status < 300) return undefined;
    if (status === 412)
      return emrError('emr-ambiguous-patient', 'several EMR patients match these identifiers: the counter registers', {
        retriable: false,
        route: 'counter',
        detail: 'multiple-matches',
      });
    if (status >= 500 || status === 429 || status === 408)
      return emrError('emr-unavailable', `${what} answered ${status}`, { detail: `http-${status}` });
    return emrError('emr-rejected', `the EMR refused ${what} (${status}): ${readableOutcome(body)}`, {
      retriable: false,
      route: 'counter',
      detail: `http-${status}:${outcomeDetail(body)}`,
    });
  }

  private entryFailure(e: EntryOutcome): { ok: false; error: EmrError } | undefined {
    if (e.status >= 200 && e.status < 300) return undefined;
    if (e.status === 0) return emrError('emr-bad-response', 'an entry without a status', { detail: 'entry-status' });
    return this.failureOf({ status: e.status, headers: {}, body: e.outcome, text: '' }, 'an entry of the transaction');
  }

  private async send(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    path: string,
    key: DeliveryKey,
    body?: unknown,
    contentType?: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<Result<HttpResponse, EmrError>> {
    const url = path === '' ? this.base : `${this.base}/${path.replace(/^\/+/u, '')}`;
    for (let attempt = 0; ; attempt++) {
      let bearer: string | undefined;
      if (this.token) {
        const fresh = this.token.current();
        const t = fresh ? { ok: true as const, value: fresh } : await this.token.get();
        if (!t.ok)
          return t.error.code === 'token-refused'
            ? emrError('emr-auth-failed', 'the EMR refused our client credentials', {
                retriable: true,
                detail: t.error.code,
              })
            : emrError('emr-unavailable', `no token: ${t.error.message}`, { detail: t.error.code });
        bearer = t.value;
      }
      const r = await this.http.request({
        method,
        url,
        headers: {
          accept: FHIR_JSON,
          'x-request-id': key.controlId,
          ...(contentType ? { 'content-type': contentType } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...extraHeaders,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        timeoutMs: this.o.timeoutMs,
      });
      if (!r.ok) return emrError('emr-unavailable', `EMR not reachable: ${r.error.message}`, { detail: r.error.code });
      if (r.value.status === 401 && bearer && this.token && attempt === 0) {
        this.token.invalidate(bearer);
        continue;
      }
      if (r.value.status === 401)
        return emrError('emr-auth-failed', 'the EMR refused our token', { retriable: true, detail: 'http-401' });
      return { ok: true, value: r.value };
    }
  }
}

/** Whole Bundles of probe check-ins (with and without coverage and appointment), validated once. */
function probeIssues(o: FhirBuildOptions, extraSystems: string[]): string[] {
  const probe: EmrCheckIn = {
    patient: {
      patientId: 'probe',
      nationalId: '000000000000',
      oldId: '000000000',
      insuranceNumber: 'GD0000000000000',
      fullName: 'Probe Patient',
      dateOfBirth: '2000-01-01',
      sex: 'other',
      address: 'probe',
    },
    coverage: { cardNumber: 'GD0000000000000', validFrom: '2026-01-01', validTo: '2026-12-31' },
    visit: {
      visitNumber: 'probe-visit',
      visitId: 'probe',
      checkInId: 'probe',
      ticketNumber: 'A000',
      serviceId: 'probe',
      serviceName: 'probe',
      department: 'probe',
      room: '0',
      arrivedAt: '2026-01-01T00:00:00.000Z',
      day: '2026-01-01',
      utcOffset: '+07:00',
    },
  };
  const { coverage: _coverage, ...uninsured } = probe;
  const ctx = { extraSystems, encounterStatus: 'arrived' as const };
  const issues = [
    ...validateCheckInBundle(checkInBundle(probe, o).bundle, ctx),
    ...validateCheckInBundle(checkInBundle({ ...uninsured, appointmentId: 'probe' }, o).bundle, ctx),
  ];
  return [...new Set(issues)];
}

function searchResources(bundle: unknown, type: string): Record<string, unknown>[] {
  if (!isObj(bundle) || !Array.isArray(bundle['entry'])) return [];
  return bundle['entry']
    .map((e) => (isObj(e) && isObj(e['resource']) ? e['resource'] : undefined))
    .filter((r): r is Record<string, unknown> => r !== undefined && r['resourceType'] === type);
}

function resourceRef(body: unknown): string | undefined {
  return isObj(body) && typeof body['resourceType'] === 'string' && typeof body['id'] === 'string'
    ? `${body['resourceType']}/${body['id']}`
    : undefined;
}
