/**
 * Reading what a FHIR server answers: transaction-response entries (status, location), and
 * OperationOutcome turned into a readable message for staff (digits masked, bounded) and a
 * machine detail for alerts (issue codes and paths only, no text that could hold personal data).
 * Everything here faces outside input: it never throws.
 */
import { cleanText } from '@kiosk/protocol';
import { maskDigits } from './emr.port';

export interface EntryOutcome {
  status: number;
  /** `Patient/123` (history suffix and base URL stripped). */
  ref?: string;
  resource?: Record<string, unknown>;
  outcome?: unknown;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "201 Created" → 201; 0 when unreadable. */
export function statusCodeOf(status: unknown): number {
  if (typeof status === 'number') return status;
  if (typeof status !== 'string') return 0;
  const m = /^\s*(\d{3})/u.exec(status);
  return m ? Number(m[1]) : 0;
}

/** `https://x/fhir/Patient/123/_history/2` → `Patient/123`. */
export function refOf(location: unknown): string | undefined {
  if (typeof location !== 'string') return undefined;
  const m = /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]*)?\/?$/u.exec(location);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

export function isOperationOutcome(v: unknown): boolean {
  return isObj(v) && v['resourceType'] === 'OperationOutcome';
}

export function parseTransactionResponse(body: unknown, expectedEntries: number): EntryOutcome[] | undefined {
  if (!isObj(body) || body['resourceType'] !== 'Bundle') return undefined;
  const type = body['type'];
  if (type !== 'transaction-response' && type !== 'batch-response') return undefined;
  const entries = Array.isArray(body['entry']) ? body['entry'] : [];
  if (entries.length !== expectedEntries) return undefined;
  return entries.map((e) => {
    const entry = isObj(e) ? e : {};
    const response = isObj(entry['response']) ? entry['response'] : {};
    const resource = isObj(entry['resource']) ? entry['resource'] : undefined;
    const fromResource =
      resource && typeof resource['resourceType'] === 'string' && typeof resource['id'] === 'string'
        ? `${resource['resourceType']}/${resource['id']}`
        : undefined;
    const ref = refOf(response['location']) ?? fromResource;
    return {
      status: statusCodeOf(response['status']),
      ...(ref ? { ref } : {}),
      ...(resource ? { resource } : {}),
      ...(response['outcome'] !== undefined ? { outcome: response['outcome'] } : {}),
    };
  });
}

function issuesOf(oo: unknown): Record<string, unknown>[] {
  if (!isObj(oo) || !Array.isArray(oo['issue'])) return [];
  return oo['issue'].filter(isObj).slice(0, 10);
}

function pathsOf(issue: Record<string, unknown>): string[] {
  const paths = [issue['expression'], issue['location']].flatMap((v) => (Array.isArray(v) ? v : []));
  return paths.filter((p): p is string => typeof p === 'string').map((p) => p.slice(0, 80));
}

/** For staff: "error invalid (Encounter.status): Value not in value set" — digits masked, ≤ 300 chars. */
export function readableOutcome(oo: unknown): string {
  const parts = issuesOf(oo).map((issue) => {
    const severity = typeof issue['severity'] === 'string' ? issue['severity'] : 'error';
    const code = typeof issue['code'] === 'string' ? issue['code'] : 'unknown';
    const details = isObj(issue['details']) ? issue['details'] : {};
    const text =
      typeof details['text'] === 'string'
        ? details['text']
        : typeof issue['diagnostics'] === 'string'
          ? issue['diagnostics']
          : '';
    const paths = pathsOf(issue);
    return `${severity} ${code}${paths.length ? ` (${paths.join(', ')})` : ''}${text ? `: ${text}` : ''}`;
  });
  const message = parts.length > 0 ? parts.join('; ') : 'the EMR refused the request without an OperationOutcome';
  return maskDigits(cleanText(message, 300));
}

/** For alerts and metrics: issue codes and paths only, e.g. `invalid@Encounter.status`. */
export function outcomeDetail(oo: unknown): string {
  const codes = issuesOf(oo).map((issue) => {
    const code = typeof issue['code'] === 'string' && /^[a-z-]{1,40}$/u.test(issue['code']) ? issue['code'] : 'unknown';
    const path = pathsOf(issue)[0]?.replace(/[^A-Za-z0-9.[\]_-]/gu, '');
    return path ? `${code}@${path}` : code;
  });
  return codes.length > 0 ? codes.join(',').slice(0, 200) : 'no-outcome';
}
