/**
 * Issuing a ticket, the one way both check-ins and transfers make tickets: its 'issued' event, the
 * next number of the service's daily series, a lookup code, the ticket row.
 */
import { newRowId, pooledRandomBytes } from '../db/row-id';
import type { Executor } from '../repositories';
import type { TicketRepository, TicketRow } from '../repositories/ticket.repository';

export interface NewTicket {
  id?: string;
  visitId: string;
  service: { id: string; prefix: string };
  day: string;
  priority: TicketRow['priority'];
  at: string;
  actor: string | null;
  /** Stored with the 'issued' event (e.g. where a transfer came from). */
  eventDetail?: string | null;
  transferredFrom?: string;
  /** 'pending' when a kiosk prints it now; 'none' when no printer has it yet (counter, transfer). */
  printStatus?: 'pending' | 'none';
}

const LOOKUP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** The same 32 characters in code order, for the part of a lookup code that must sort. */
const SORTED_ALPHABET = [...LOOKUP_ALPHABET].sort().join('');
const MINUTE_MS = 60_000;

/**
 * The code a ticket's QR carries: 12 of 32 letters and digits, no look-alikes. The first four
 * count minutes (they wrap every two years) and sort, so the unique index takes the codes issued
 * together on its last pages instead of one random page each; eight random characters (40 bits)
 * follow. Should a code of the same minute be drawn twice, issueTicket throws TicketCodeTaken and
 * the check-in runs again.
 */
export const lookupCode = (now: number = Date.now()): string => {
  let minutes = Math.floor(now / MINUTE_MS) % 32 ** 4;
  let code = '';
  for (let i = 0; i < 4; i++) {
    code = (SORTED_ALPHABET[minutes % 32] ?? '') + code;
    minutes = Math.floor(minutes / 32);
  }
  for (const b of pooledRandomBytes(8)) code += LOOKUP_ALPHABET[b % LOOKUP_ALPHABET.length];
  return code;
};

/** The drawn lookup code is taken: run the unit of work again (it draws a new one). */
export class TicketCodeTaken extends Error {
  constructor() {
    super('ticket lookup code taken');
  }
}

export const formatNumber = (prefix: string, seq: number) => `${prefix}${String(seq).padStart(3, '0')}`;

/** A new ticket's row: waiting, its print pending (or 'none' without a printer), a fresh lookup code. */
export function newTicketRow(t: NewTicket, id: string, seq: number, number: string): TicketRow {
  return {
    id,
    visit_id: t.visitId,
    service_id: t.service.id,
    day: t.day,
    seq,
    number,
    priority: t.priority,
    status: 'waiting',
    // A kiosk prints what it issued: pending until its printer confirms. A counter's or a
    // transfer's ticket has no printer until staff print it ('none', never "printing" forever).
    print_status: t.printStatus ?? 'pending',
    lookup_code: lookupCode(Date.parse(t.at)),
    issued_at: t.at,
    called_at: null,
    counter: null,
    skip_count: 0,
    completed_at: null,
    transferred_from: t.transferredFrom ?? null,
    transferred_to: null,
  };
}

/**
 * Issues a ticket inside the caller's unit of work: its 'issued' event, the next number of the
 * service's daily series, the ticket row. The event goes first: on PostgreSQL the series row stays
 * locked from the upsert to the commit, so the less that follows it, the more issuers run in
 * parallel. `beforeInsert` runs once the number is known (a check-in stores its visit then).
 */
export async function issueTicket(
  tickets: TicketRepository,
  trx: Executor,
  t: NewTicket,
  beforeInsert?: (ticket: TicketRow) => Promise<void>,
): Promise<TicketRow> {
  const id = t.id ?? newRowId();
  await tickets.addEvent(trx, {
    ticketId: id,
    type: 'issued',
    at: t.at,
    actor: t.actor,
    detail: t.eventDetail ?? null,
  });
  const seq = await tickets.nextSeq(trx, t.service.id, t.day);
  const row = newTicketRow(t, id, seq, formatNumber(t.service.prefix, seq));
  await beforeInsert?.(row);
  // The code may already be printed in what beforeInsert stored: the whole unit runs again.
  if (!(await tickets.insertUnlessCodeTaken(trx, row))) throw new TicketCodeTaken();
  return row;
}
