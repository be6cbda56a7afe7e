/**
 * A fee paid by card at the kiosk: the server makes a card intent (same amount, from the price
 * list), the terminal runs the SALE, and an approval is reported to the server, which marks the
 * payment paid once (terminal id + RRN). Nothing is lost and nothing charged twice:
 *
 * - Before the SALE the payment is written to a small file in the agent's data directory; it is
 *   removed once the outcome is settled with the server. An agent that stops in between (or a
 *   sale whose answer never came) asks the terminal for its LAST transaction and reports it when
 *   it is this payment's approval.
 * - An approval the server will not take (the payment was cancelled or expired on the kiosk
 *   meanwhile) is VOIDed at the terminal.
 * - A payment the kiosk cancels while its SALE runs (the patient tapped "start over") has the
 *   SALE stopped at the terminal (ABORT).
 *
 * Only the reference, amount and ids are in the file and the logs: never card data.
 */
import fs from 'node:fs';
import {
  err,
  ok,
  type CardPaymentOutcome,
  type EcrTransactionResult,
  type PaymentIntent,
  type PaymentStartRequest,
  type Result,
} from '@kiosk/protocol';
import type { Logger } from '../logger';
import type { CardTerminal } from './card-terminal.device';

export interface CardPaymentLink {
  paymentStart(request: PaymentStartRequest): Promise<Result<PaymentIntent>>;
  paymentCancel(paymentId: string): Promise<Result<PaymentIntent>>;
  cardApproved(report: {
    paymentId: string;
    reference: string;
    amountVnd: number;
    terminalId: string;
    rrn: string;
    approvalCode: string;
    scheme: NonNullable<EcrTransactionResult['scheme']>;
    last4: string;
  }): Promise<Result<PaymentIntent>>;
}

export interface CardPaymentDeps {
  link: CardPaymentLink;
  terminal: () => CardTerminal | undefined;
  /** Where the sale in progress is kept across a restart. */
  pendingFile: string;
  log: Logger;
}

/**
 * The sales this process is running now (pending file → payment id): recovery leaves such a sale to its
 * own flow (its file exists from before the SALE until its outcome is settled with the server).
 */
const running = new Map<string, string>();

interface PendingSale {
  paymentId: string;
  reference: string;
  amountVnd: number;
}

function readPending(file: string): PendingSale | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PendingSale>;
    return typeof parsed.paymentId === 'string' &&
      typeof parsed.reference === 'string' &&
      typeof parsed.amountVnd === 'number'
      ? { paymentId: parsed.paymentId, reference: parsed.reference, amountVnd: parsed.amountVnd }
      : undefined;
  } catch {
    return undefined;
  }
}
function writePending(file: string, sale: PendingSale): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(sale));
  fs.renameSync(`${file}.tmp`, file);
}
function clearPending(file: string): void {
  fs.rmSync(file, { force: true });
}

/** This sale's approval, as the terminal answered it (to SALE or to LAST). */
function approvalOf(result: EcrTransactionResult, sale: PendingSale): EcrTransactionResult | undefined {
  return result.outcome === 'approved' &&
    result.reference === sale.reference &&
    result.rrn &&
    result.approvalCode &&
    result.scheme &&
    result.last4
    ? result
    : undefined;
}

/**
 * Reports an approval; a server that no longer wants it (cancelled, expired) gets it voided.
 * Undefined: the server could not be asked (the pending file stays, recovery reports it later).
 */
async function settleApproval(
  sale: PendingSale,
  approval: EcrTransactionResult,
  terminal: CardTerminal,
  deps: CardPaymentDeps,
): Promise<Result<PaymentIntent> | undefined> {
  const reported = await deps.link.cardApproved({
    paymentId: sale.paymentId,
    reference: sale.reference,
    amountVnd: approval.amountVnd ?? sale.amountVnd,
    terminalId: approval.terminalId,
    rrn: approval.rrn ?? '',
    approvalCode: approval.approvalCode ?? '',
    scheme: approval.scheme ?? 'OTHER',
    last4: approval.last4 ?? '',
  });
  if (!reported.ok && ['server-unreachable', 'server-timeout'].includes(reported.error.code)) return undefined;
  if (!reported.ok || reported.value.state !== 'paid') {
    const voided = approval.rrn ? await terminal.void(approval.rrn) : err('no-rrn', 'no RRN to void');
    deps.log.warn(
      {
        payment: sale.paymentId,
        refused: reported.ok ? reported.value.state : reported.error.code,
        voided: voided.ok && voided.value.outcome === 'approved',
      },
      'card approval not taken by the server: voided at the terminal',
    );
  }
  clearPending(deps.pendingFile);
  return reported;
}

export async function runCardPayment(
  request: PaymentStartRequest,
  deps: CardPaymentDeps,
): Promise<Result<CardPaymentOutcome>> {
  const terminal = deps.terminal();
  if (!terminal?.ready) return err('no-terminal', 'the card terminal is not ready', 'go-to-counter');
  const started = await deps.link.paymentStart({ ...request, method: 'card' });
  if (!started.ok) return started;
  const intent = started.value;
  if (intent.state === 'paid') return ok({ outcome: 'paid', intent });
  const sale: PendingSale = { paymentId: intent.paymentId, reference: intent.reference, amountVnd: intent.amountVnd };
  running.set(deps.pendingFile, sale.paymentId);
  try {
    writePending(deps.pendingFile, sale);
    return await runSale(sale, terminal, deps);
  } finally {
    running.delete(deps.pendingFile);
  }
}

async function runSale(
  sale: PendingSale,
  terminal: CardTerminal,
  deps: CardPaymentDeps,
): Promise<Result<CardPaymentOutcome>> {
  let answer = await terminal.sale(sale.amountVnd, sale.reference);
  // No answer (the patient walked off, or the answer was lost on the line): the terminal's LAST
  // says whether this sale went through.
  if (!answer.ok && answer.error.code !== 'link-lost') {
    const last = await terminal.last();
    if (last.ok && approvalOf(last.value, sale)) answer = last;
    else if (!last.ok) return unknownOutcome(sale, deps);
  } else if (!answer.ok) return unknownOutcome(sale, deps);
  const approval = answer.ok ? approvalOf(answer.value, sale) : undefined;
  deps.log.info(
    { payment: sale.paymentId, outcome: answer.ok ? answer.value.outcome : answer.error.code },
    'card sale',
  );
  if (approval) {
    const settled = await settleApproval(sale, approval, terminal, deps);
    if (!settled) return err('server-unreachable', 'the payment is approved and will be reported', 'go-to-counter');
    if (!settled.ok) return settled;
    if (settled.value.state === 'paid') return ok({ outcome: 'paid', intent: settled.value });
    // Approved too late: the kiosk had cancelled the payment, so the approval was VOIDed.
    return ok({ outcome: settled.value.state === 'cancelled' ? 'cancelled' : 'terminal-error' });
  }
  await deps.link.paymentCancel(sale.paymentId);
  clearPending(deps.pendingFile);
  if (!answer.ok) return ok({ outcome: answer.error.code === 'timeout' ? 'timeout' : 'terminal-error' });
  const { outcome, declineReason } = answer.value;
  switch (outcome) {
    case 'declined':
      return ok({ outcome: 'declined', ...(declineReason ? { reason: declineReason } : {}) });
    case 'cancelled':
    case 'timeout':
    case 'busy':
      return ok({ outcome });
    default:
      return ok({ outcome: 'terminal-error' });
  }
}

/**
 * The kiosk cancels a payment (the patient left the fee screen): when the terminal is running that
 * payment's SALE, it is told to stop, so the next patient does not meet the last one's amount on
 * the terminal. The SALE then ends as cancelled — or approved, when the card was already through,
 * and the server, which has cancelled the payment meanwhile, refuses it and it is VOIDed.
 */
export async function abortCardSale(paymentId: string, deps: CardPaymentDeps): Promise<boolean> {
  const terminal = deps.terminal();
  if (running.get(deps.pendingFile) !== paymentId || !terminal) return false;
  const aborted = await terminal.abort();
  if (aborted) deps.log.info({ payment: paymentId }, 'card sale stopped at the terminal');
  return aborted;
}

/** The terminal cannot say how the sale ended: the payment stays pending, recovery asks LAST later. */
function unknownOutcome(sale: PendingSale, deps: CardPaymentDeps): Result<CardPaymentOutcome> {
  deps.log.warn({ payment: sale.paymentId }, 'card sale outcome unknown: recovered from the terminal later');
  return ok({ outcome: 'terminal-error' });
}

/**
 * At start (and whenever the terminal comes back): a sale left without a settled outcome is
 * looked up by LAST and reported if approved, else its payment is cancelled.
 */
export async function recoverCardSale(deps: CardPaymentDeps): Promise<'none' | 'reported' | 'cancelled' | 'later'> {
  if (running.has(deps.pendingFile)) return 'later';
  const sale = readPending(deps.pendingFile);
  if (!sale) return 'none';
  const terminal = deps.terminal();
  if (!terminal?.ready) return 'later';
  const last = await terminal.last();
  if (!last.ok) return 'later';
  const approval = approvalOf(last.value, sale);
  if (approval) {
    const settled = await settleApproval(sale, approval, terminal, deps);
    deps.log.info({ payment: sale.paymentId, reported: settled !== undefined }, 'card sale recovered');
    return settled ? 'reported' : 'later';
  }
  const cancelled = await deps.link.paymentCancel(sale.paymentId);
  if (!cancelled.ok && ['server-unreachable', 'server-timeout'].includes(cancelled.error.code)) return 'later';
  clearPending(deps.pendingFile);
  return 'cancelled';
}
