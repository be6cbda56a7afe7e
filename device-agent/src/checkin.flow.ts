/**
 * The check-in as the kiosk agent runs it: the server issues the ticket, the printer prints
 * it, and the print outcome is reported back (queued on disk if the link drops). A failed
 * print never counts as printed: the kiosk then shows the ticket on screen.
 */
import { ok, type CheckInOutcome, type CheckInRequest, type Result } from '@kiosk/protocol';
import type { ServerLink } from './server-link/server-link';
import type { ReceiptPrinter } from './devices/receipt-printer.device';
import type { Logger } from './logger';

export async function runCheckIn(
  request: CheckInRequest,
  deps: { link: ServerLink; printer: () => ReceiptPrinter | undefined; log: Logger },
): Promise<Result<CheckInOutcome>> {
  const receipt = await deps.link.submitCheckIn(request);
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
