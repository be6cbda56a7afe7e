/**
 * The ticket a kiosk issues from its lease while the server does not answer: what the server would
 * have printed (the lease carries the service's department, room and floor), the number of the
 * leased seq, a lookup code of the server's format, and the offline mark.
 */
import { randomBytes } from 'node:crypto';
import {
  maskName,
  priorityClassOf,
  publicBaseUrlOf,
  ticketStatusUrl,
  type CheckInRequest,
  type OfflineLease,
  type Ticket,
} from '@kiosk/protocol';

const LOOKUP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const SORTED_ALPHABET = [...LOOKUP_ALPHABET].sort().join('');

/** The server's lookup-code format (ticket-issue.ts): four sorted minute characters, eight random. */
export function offlineLookupCode(now: number): string {
  let minutes = Math.floor(now / 60_000) % 32 ** 4;
  let code = '';
  for (let i = 0; i < 4; i++) {
    code = (SORTED_ALPHABET[minutes % 32] ?? '') + code;
    minutes = Math.floor(minutes / 32);
  }
  for (const b of randomBytes(8)) code += LOOKUP_ALPHABET[b % LOOKUP_ALPHABET.length];
  return code;
}

/** The server's display number: the prefix and the seq on at least three digits. */
export const offlineNumber = (prefix: string, seq: number): string => `${prefix}${String(seq).padStart(3, '0')}`;

export function offlineTicket(request: CheckInRequest, lease: OfflineLease, seq: number, now: Date): Ticket {
  const lookupCode = offlineLookupCode(now.getTime());
  // The lease's public URL, read again as the server would have it (a lease from the journal is old input).
  const publicUrl = lease.publicUrl === undefined ? undefined : publicBaseUrlOf(lease.publicUrl);
  return {
    hospitalName: lease.hospitalName,
    department: lease.department,
    room: lease.room,
    floor: lease.floor,
    number: offlineNumber(lease.prefix, seq),
    serviceType: request.identity.insuranceNumber ? 'insurance' : 'fee-paying',
    priority: priorityClassOf(request.identity, request.priorityClaims, now),
    issuedAt: now.toISOString(),
    lookupCode,
    maskedName: maskName(request.identity.fullName),
    offline: true,
    ...(publicUrl ? { statusUrl: ticketStatusUrl(publicUrl, lookupCode) } : {}),
  };
}
