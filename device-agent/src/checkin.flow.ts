/**
 * The check-in as the kiosk agent runs it: the identity is attested first (chip-reads.ts: a chip
 * identity is the agent's own copy, a page's chip claim without a read is 'manual'), the server
 * issues the ticket, the printer prints it, and the print outcome is reported back (queued on disk
 * if the link drops). A failed print never counts as printed: the kiosk then shows the ticket on
 * screen.
 *
 * Offline: when the server does not answer within `offline.afterMs` (down, hung, or the network
 * cut), the kiosk issues the ticket itself from its lease. The check-in is in the journal, fsynced,
 * before the ticket prints; the journal replays it to the server later (offline-sync.ts).
 */
import { ok, type AgentCheckInRequest, type CheckInOutcome, type CheckInRequest, type Result } from '@kiosk/protocol';
import type { ServerLink } from './server-link/server-link';
import type { ReceiptPrinter } from './devices/receipt-printer.device';
import type { Logger } from './logger';
import type { OfflineJournal } from './offline/offline-journal';
import { offlineTicket } from './offline/offline-ticket';
import type { ChipReads } from './devices/chip-reads';

/** Answers that mean the server did not answer (not that it refused). */
const UNANSWERED = new Set(['server-unreachable', 'server-timeout']);

export interface CheckInDeps {
  link: ServerLink;
  printer: () => ReceiptPrinter | undefined;
  log: Logger;
  /** The chip identities this agent read in the session: what a check-in's identity may claim. */
  chipReads: ChipReads;
  offline?: { journal: OfflineJournal; afterMs: number; issued?: () => void };
}

export async function runCheckIn(claimed: CheckInRequest, deps: CheckInDeps): Promise<Result<CheckInOutcome>> {
  const attested = deps.chipReads.attest(claimed.identity, claimed.chipReadId);
  if (!attested.ok) {
    deps.log.warn({ code: attested.error.code }, 'check-in identity refused');
    return attested;
  }
  const { provenance } = attested.value;
  if (provenance.downgradedFrom)
    deps.log.warn({ claimed: provenance.downgradedFrom, recorded: provenance.source }, 'identity claim downgraded');
  const request: CheckInRequest = { ...claimed, identity: attested.value.identity };
  const receipt = await deps.link.submitCheckIn({ ...request, provenance }, deps.offline?.afterMs);
  if (!receipt.ok) {
    if (deps.offline && UNANSWERED.has(receipt.error.code)) {
      // The journal keeps the agent's provenance: a replayed chip check-in is recorded as verified, as online.
      const issued = await runOfflineCheckIn({ ...request, provenance }, { ...deps, offline: deps.offline });
      if (issued) return issued;
    }
    deps.log.warn({ code: receipt.error.code }, 'check-in refused');
    return receipt;
  }
  const printer = deps.printer();
  const print = printer
    ? await printer.print(receipt.value.ticket)
    : { state: 'failed' as const, reason: 'no-printer' };
  deps.link.reportPrint({
    ticketId: receipt.value.ticketId,
    state: print.state,
    ...(print.reason ? { reason: print.reason } : {}),
  });
  deps.log.info({ ticket: receipt.value.ticket.number, print: print.state, reason: print.reason }, 'checked in');
  return ok({ receipt: receipt.value, print });
}

/** The ticket from the kiosk's lease; undefined when no lease of the service has a number left. */
async function runOfflineCheckIn(
  request: AgentCheckInRequest,
  deps: CheckInDeps & { offline: NonNullable<CheckInDeps['offline']> },
): Promise<Result<CheckInOutcome> | undefined> {
  const { journal } = deps.offline;
  let entry;
  try {
    const now = new Date();
    entry = journal.issue(request, now, (lease, seq) => offlineTicket(request, lease, seq, now));
  } catch (e) {
    deps.log.error({ err: String(e) }, 'offline journal write failed');
    return undefined;
  }
  if (!entry) {
    deps.log.warn({ service: request.serviceId }, 'no offline lease left for this service');
    return undefined;
  }
  deps.offline.issued?.();
  const printer = deps.printer();
  const print = printer ? await printer.print(entry.ticket) : { state: 'failed' as const, reason: 'no-printer' };
  journal.markPrinted(request.checkInId, print.state);
  deps.log.info({ ticket: entry.ticket.number, print: print.state, reason: print.reason }, 'checked in offline');
  return ok({
    receipt: {
      checkInId: request.checkInId,
      visitId: `offline:${request.checkInId}`,
      ticketId: `offline:${request.checkInId}`,
      ticket: entry.ticket,
      replayed: false,
    },
    print,
    offline: true,
  });
}
