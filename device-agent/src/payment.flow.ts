/**
 * Booked appointments and fees as the kiosk agent runs them: the server decides (the appointment
 * checked in, the payment paid), the agent prints what follows on its printer and reports the
 * ticket's print like any check-in. A receipt prints only for a payment the server says is paid.
 */
import {
  err,
  ok,
  type Appointment,
  type AppointmentCheckInRequest,
  type CheckInOutcome,
  type PrintReport,
  type Result,
} from '@kiosk/protocol';
import type { ServerLink } from './server-link/server-link';
import type { ReceiptPrinter } from './devices/receipt-printer.device';
import type { Logger } from './logger';
import { layoutPaymentReceipt, layoutVietQrSlip } from './printing';

export interface FlowDeps {
  link: ServerLink;
  printer: () => ReceiptPrinter | undefined;
  log: Logger;
  timeZone?: string;
}

export async function runAppointmentCheckIn(
  request: AppointmentCheckInRequest,
  deps: FlowDeps,
): Promise<Result<CheckInOutcome & { appointment: Appointment }>> {
  const answer = await deps.link.appointmentCheckIn(request);
  if (!answer.ok) {
    deps.log.warn({ code: answer.error.code }, 'appointment check-in refused');
    return answer;
  }
  const { receipt, appointment } = answer.value;
  const printer = deps.printer();
  const print = printer ? await printer.print(receipt.ticket) : { state: 'failed' as const, reason: 'no-printer' };
  deps.link.reportPrint({
    ticketId: receipt.ticketId,
    state: print.state,
    ...(print.reason ? { reason: print.reason } : {}),
  });
  deps.log.info(
    { ticket: receipt.ticket.number, print: print.state, timing: appointment.timing },
    'appointment checked in',
  );
  return ok({ receipt, print, appointment });
}

/** `ticketId` stands for the payment in the report: receipts are not tickets, nothing is sent to the server. */
export async function printPaymentReceipt(paymentId: string, deps: FlowDeps): Promise<Result<PrintReport>> {
  const status = await deps.link.paymentStatus(paymentId);
  if (!status.ok) return status;
  if (status.value.state !== 'paid') return err('payment-not-paid', `the payment is ${status.value.state}`);
  const printer = deps.printer();
  if (!printer) return err('no-printer', 'this kiosk has no printer');
  const outcome = await printer.printItems(
    layoutPaymentReceipt(status.value, deps.timeZone ? { timeZone: deps.timeZone } : {}),
  );
  deps.log.info({ print: outcome.state, reason: outcome.reason }, 'payment receipt');
  return ok({ ticketId: paymentId, state: outcome.state, ...(outcome.reason ? { reason: outcome.reason } : {}) });
}

/** The VietQR of a pending payment on paper, for a patient who pays away from the screen. */
export async function printVietQrSlip(paymentId: string, deps: FlowDeps): Promise<Result<PrintReport>> {
  const status = await deps.link.paymentStatus(paymentId);
  if (!status.ok) return status;
  if (status.value.state !== 'pending') return err('payment-not-pending', `the payment is ${status.value.state}`);
  const printer = deps.printer();
  if (!printer) return err('no-printer', 'this kiosk has no printer');
  const outcome = await printer.printItems(
    layoutVietQrSlip(status.value, deps.timeZone ? { timeZone: deps.timeZone } : {}),
  );
  return ok({ ticketId: paymentId, state: outcome.state, ...(outcome.reason ? { reason: outcome.reason } : {}) });
}
