/**
 * The check-in as the kiosk agent runs it: the identity is attested first (chip-reads.ts: a chip
 * identity is the agent's own copy, a page's chip claim without a read is 'manual'), the server
 * issues the ticket, the printer prints it, and the print outcome is reported back (queued on disk
 * if the link drops). A failed print never counts as printed: the kiosk then shows the ticket on
 * screen.
 */
import { ok, type CheckInOutcome, type CheckInRequest, type Result } from '@kiosk/protocol';
import type { ServerLink } from './server-link/server-link';
import type { ReceiptPrinter } from './devices/receipt-printer.device';
import type { Logger } from './logger';
import type { ChipReads } from './devices/chip-reads';

export async function runCheckIn(
  request: CheckInRequest,
  deps: { link: ServerLink; printer: () => ReceiptPrinter | undefined; log: Logger; chipReads: ChipReads },
): Promise<Result<CheckInOutcome>> {
  const attested = deps.chipReads.attest(request.identity, request.chipReadId);
  if (!attested.ok) {
    deps.log.warn({ code: attested.error.code }, 'check-in identity refused');
    return attested;
  }
  const { provenance } = attested.value;
  if (provenance.downgradedFrom)
    deps.log.warn({ claimed: provenance.downgradedFrom, recorded: provenance.source }, 'identity claim downgraded');
  const receipt = await deps.link.submitCheckIn({ ...request, identity: attested.value.identity, provenance });
  if (!receipt.ok) {
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
