/**
 * Fee payment at the kiosk: the amount from the price list, a payment intent with its per-visit
 * reference and dynamic VietQR, confirmation by the bank's signed notification (verified, matched
 * by reference, amount and account, idempotent on the bank's transaction id), expiry to the
 * cashier, refunds of cancelled visits, and the day's reconciliation.
 *
 * The webhook signature: header `x-bank-signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256(secret, `${t}.${raw body}`); several `v1=` (a bank rotating its secret) and several
 * configured secrets (ours rotating) are accepted; `t` must be within the tolerance of our clock.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  bankNotificationSchema,
  type BankNotification,
  buildVietQr,
  err,
  findPaymentReference,
  makePaymentReference,
  ok,
  parseWith,
  type CardPaymentReport,
  type NotificationOutcome,
  type PaymentIntent,
  type PaymentQuote,
  type PaymentQuoteRequest,
  type PaymentStartRequest,
  type PaymentUpdate,
  type PriceEntry,
  type ReconciliationRow,
  type Result,
} from '@kiosk/protocol';
import type { Committer } from '../db/group-commit';
import type { PaymentInvoiceTable, PaymentTable } from '../db/schema';
import type { Repositories } from '../repositories';
import { facilityDay, type Clock } from '../clock';
import type { Logger } from '../logger';

export interface BankAccount {
  /** NAPAS BIN of the hospital's bank (6 digits). */
  bin: string;
  accountNumber: string;
  accountName: string;
  bankName: string;
}

export interface PaymentOptions {
  bank: BankAccount;
  /** A pending payment older than this sends the patient to the cashier. */
  timeoutMs: number;
  /** Secrets the bank signs notifications with; none: every notification is refused. */
  webhookSecrets: readonly string[];
  /** How far a signature's timestamp may be from our clock. */
  signatureToleranceMs: number;
  timeZone: string;
  /** A payment changed state: tell the kiosk that started it (null: none did). */
  onUpdate: (agentId: string | null, update: PaymentUpdate) => void;
  random?: (n: number) => Uint8Array;
  /** The e-invoice of each paid fee (absent: e-invoices off). */
  invoices?: PaymentInvoiceHooks;
}

/**
 * Every settlement (any method) calls `queue` in its own unit of work, so a paid fee and its
 * e-invoice's outbox row commit or vanish together; `committed` after the commit.
 */
export interface PaymentInvoiceHooks {
  queue(trx: Parameters<Parameters<Committer['run']>[0]>[0], payment: PaymentTable, paidAt: string): Promise<void>;
  committed(): void;
}

export interface WebhookVerdict {
  outcome: NotificationOutcome;
  /** The payment the notification was matched to, when one was. */
  paymentId?: string;
}

const SIGNATURE_PART = /^(t|v1)=([0-9a-fA-F]{1,128}|\d{1,12})$/u;

/** Splits `t=…,v1=…[,v1=…]`; undefined when malformed. */
export function parseSignatureHeader(header: string | undefined): { t: number; v1: string[] } | undefined {
  if (header === undefined || header.length > 1024) return undefined;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const m = SIGNATURE_PART.exec(part.trim());
    if (!m) return undefined;
    if (m[1] === 't') t = Number(m[2]);
    else v1.push((m[2] ?? '').toLowerCase());
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

/** What a bank (and the contract simulator) sends: the header value for `rawBody` at `unixSeconds`. */
export function signBankNotification(secret: string, rawBody: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

const invoiceFields = (i: PaymentInvoiceTable | undefined) =>
  i ? { invoiceNumber: i.invoice_number, invoiceLookupCode: i.lookup_code, invoiceLookupUrl: i.lookup_url } : {};

export class PaymentService {
  private readonly random: (n: number) => Uint8Array;

  constructor(
    private readonly repositories: Pick<Repositories, 'payments' | 'catalogue'>,
    private readonly transactions: Committer,
    private readonly clock: Clock,
    private readonly options: PaymentOptions,
    private readonly log: Logger,
  ) {
    this.random = options.random ?? ((n) => randomBytes(n));
  }

  private get repo() {
    return this.repositories.payments;
  }

  async prices(): Promise<PriceEntry[]> {
    const rows = await this.repo.prices();
    return rows.map((r) => ({
      serviceId: r.service_id,
      patientClass: r.patient_class as PriceEntry['patientClass'],
      amountVnd: Number(r.amount_vnd),
    }));
  }

  async replacePrices(entries: readonly PriceEntry[]): Promise<Result<PriceEntry[]>> {
    const seen = new Set<string>();
    for (const e of entries) {
      const key = `${e.serviceId} ${e.patientClass}`;
      if (seen.has(key)) return err('validation-failed', `price for ${key} given twice`);
      seen.add(key);
    }
    await this.transactions.run((trx) =>
      this.repo.replacePrices(
        trx,
        entries.map((e) => ({ service_id: e.serviceId, patient_class: e.patientClass, amount_vnd: e.amountVnd })),
      ),
    );
    return ok(await this.prices());
  }

  /** The amount due; a service without a price for the class is `unknown-price` (ask at the counter). */
  async quote(req: PaymentQuoteRequest): Promise<Result<PaymentQuote>> {
    const amount = await this.repo.price(req.serviceId, req.patientClass);
    if (amount === undefined) return err('unknown-price', 'no price for this service and patient class');
    return ok({ serviceId: req.serviceId, patientClass: req.patientClass, amountVnd: Number(amount) });
  }

  /** A payment intent with its VietQR; a retry with the same id from the same kiosk returns it again. */
  async start(req: PaymentStartRequest, agentId: string | null): Promise<Result<PaymentIntent>> {
    const existing = await this.repo.byId(req.paymentId);
    if (existing) {
      if (existing.agent_id !== agentId) return err('conflict', 'this payment id belongs to another kiosk');
      return ok(this.intentOf(existing));
    }
    const quote = await this.quote(req);
    if (!quote.ok) return quote;
    if (quote.value.amountVnd === 0) return err('nothing-to-pay', 'nothing to pay for this service and class');
    const reference = makePaymentReference(this.random);
    const method = req.method ?? 'vietqr';
    const qr =
      method === 'card'
        ? ok('')
        : buildVietQr({
            dynamic: true,
            bankBin: this.options.bank.bin,
            accountNumber: this.options.bank.accountNumber,
            service: 'QRIBFTTA',
            amountVnd: quote.value.amountVnd,
            reference,
          });
    if (!qr.ok) return err('payment-misconfigured', `the hospital's bank account is not usable: ${qr.error.message}`);
    const now = this.clock.now();
    const row: PaymentTable = {
      id: req.paymentId,
      reference,
      service_id: req.serviceId,
      patient_class: req.patientClass,
      amount_vnd: quote.value.amountVnd,
      method,
      state: 'pending',
      agent_id: agentId,
      visit_id: null,
      qr_payload: qr.value,
      day: facilityDay(now, this.options.timeZone),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.options.timeoutMs).toISOString(),
      paid_at: null,
      bank_transaction_id: null,
      refunded_at: null,
      refunded_by: null,
    };
    if (!(await this.repo.insert(row))) return this.start(req, agentId);
    return ok(this.intentOf(row));
  }

  async status(paymentId: string, agentId: string | null): Promise<Result<PaymentIntent>> {
    const row = await this.repo.byId(paymentId);
    if (!row || (agentId !== null && row.agent_id !== agentId)) return err('unknown-payment', 'no such payment');
    const card = row.method === 'card' && row.state === 'paid' ? await this.repo.cardOf(row.id) : undefined;
    const invoice = row.state === 'paid' ? await this.repo.invoiceOf(row.id) : undefined;
    return ok({
      ...this.intentOf(row),
      ...(card
        ? { card: { scheme: card.scheme, last4: card.last4, approvalCode: card.approval_code, rrn: card.rrn } }
        : {}),
      ...(invoice
        ? {
            invoice: { number: invoice.invoice_number, lookupCode: invoice.lookup_code, lookupUrl: invoice.lookup_url },
          }
        : {}),
    });
  }

  /**
   * The kiosk's card terminal approved a card payment. Stored once per terminal id + RRN (a
   * repeated report — a retry, a recovery after an agent restart — answers the payment as it is
   * now and changes nothing); it pays the payment when the reference, amount and kiosk match and
   * the payment is pending. Only the scheme and last 4 digits of the card are kept.
   */
  async cardApproved(report: CardPaymentReport, agentId: string | null): Promise<Result<PaymentIntent>> {
    const payment = await this.repo.byId(report.paymentId);
    if (!payment || payment.agent_id !== agentId) return err('unknown-payment', 'no such payment');
    if (payment.method !== 'card') return err('invalid-transition', 'this payment is not a card payment');
    if (payment.reference !== report.reference) return err('reference-mismatch', 'the terminal paid another reference');
    const now = this.clock.now().toISOString();
    const settled = await this.transactions.run(async (trx) => {
      const current = (await this.repo.byReference(trx, payment.reference)) ?? payment;
      const stored = await this.repo.recordCardTransaction(trx, {
        terminal_id: report.terminalId,
        rrn: report.rrn,
        payment_id: payment.id,
        agent_id: agentId,
        amount_vnd: report.amountVnd,
        approval_code: report.approvalCode,
        scheme: report.scheme,
        last4: report.last4,
        outcome: 'late',
        received_at: now,
      });
      if (!stored) return 'duplicate' as const;
      const outcome =
        Number(payment.amount_vnd) !== report.amountVnd
          ? 'amount-mismatch'
          : current.state === 'paid'
            ? 'already-paid'
            : (await this.repo.markPaid(trx, payment.id, now, `card:${report.terminalId}:${report.rrn}`))
              ? 'paid'
              : 'late';
      if (outcome === 'paid') await this.options.invoices?.queue(trx, payment, now);
      await this.repo.setCardOutcome(trx, report.terminalId, report.rrn, outcome);
      return outcome;
    });
    this.log.info({ outcome: settled, amountVnd: report.amountVnd, scheme: report.scheme }, 'card payment reported');
    if (settled === 'paid') {
      this.options.invoices?.committed();
      this.notify({ ...payment, paid_at: now }, 'paid');
    }
    if (settled === 'amount-mismatch') return err('amount-mismatch', 'the terminal charged another amount');
    return this.status(payment.id, agentId);
  }

  /** The patient gave up on the QR (or chose the cashier): a pending intent is cancelled. */
  async cancel(paymentId: string, agentId: string | null): Promise<Result<PaymentIntent>> {
    const row = await this.repo.byId(paymentId);
    if (!row || (agentId !== null && row.agent_id !== agentId)) return err('unknown-payment', 'no such payment');
    if (await this.repo.cancel(paymentId)) this.notify(row, 'cancelled');
    return this.status(paymentId, agentId);
  }

  /** The ticket issued after payment: the payment now belongs to that visit (refunds follow it). */
  async attachVisit(paymentId: string, visitId: string): Promise<void> {
    await this.repo.attachVisit(paymentId, visitId);
  }

  /** Whether the signature header is ours for this exact body and recent enough. */
  verifySignature(rawBody: string, header: string | undefined): boolean {
    const parsed = parseSignatureHeader(header);
    if (!parsed) return false;
    if (Math.abs(this.clock.now().getTime() - parsed.t * 1000) > this.options.signatureToleranceMs) return false;
    for (const secret of this.options.webhookSecrets) {
      const expected = createHmac('sha256', secret).update(`${parsed.t}.${rawBody}`).digest();
      for (const given of parsed.v1) {
        const bytes = Buffer.from(given, 'hex');
        if (bytes.length === expected.length && timingSafeEqual(bytes, expected)) return true;
      }
    }
    return false;
  }

  /**
   * The bank's notification webhook. A bad signature is `bad-signature` and nothing is stored;
   * a verified notification is stored once per transaction id and judged: matched (the payment is
   * paid and its kiosk told), or kept for reconciliation with the reason it settled nothing.
   */
  async receiveNotification(rawBody: string, signature: string | undefined): Promise<Result<WebhookVerdict>> {
    if (!this.verifySignature(rawBody, signature))
      return err('bad-signature', 'the notification signature does not verify');
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return err('validation-failed', 'the notification is not JSON');
    }
    const parsed = parseWith(bankNotificationSchema, json);
    if (!parsed.ok) return parsed;
    return ok(await this.settleCredit(parsed.value, 'webhook'));
  }

  /**
   * One credit to the hospital's account, however the bank told us of it (its signed webhook, or a
   * line of its statement): stored once per transaction id and judged by the one matcher — matched
   * (the payment is paid and its kiosk told), or kept for reconciliation with the reason it settled
   * nothing. A credit heard both ways settles once; the second is a `duplicate`.
   */
  async settleCredit(note: BankNotification, via: 'webhook' | 'statement'): Promise<WebhookVerdict> {
    const now = this.clock.now();
    const reference = findPaymentReference(note.content) ?? null;
    const settled = await this.transactions.run(async (trx) => {
      const stored = await this.repo.recordNotification(trx, {
        transaction_id: note.transactionId,
        received_at: now.toISOString(),
        booked_at: note.bookedAt,
        account_number: note.accountNumber,
        amount_vnd: note.amountVnd,
        reference,
        payment_id: null,
        outcome: 'unknown-reference',
        day: facilityDay(now, this.options.timeZone),
      });
      if (!stored) return { verdict: { outcome: 'duplicate' as const }, paid: undefined };
      const judged = await this.judge(trx, note.accountNumber, note.amountVnd, reference, note.transactionId, now);
      await this.repo.setOutcome(trx, note.transactionId, judged.verdict.outcome, judged.verdict.paymentId ?? null);
      return judged;
    });
    this.log.info(
      {
        via,
        outcome: settled.verdict.outcome,
        amountVnd: note.amountVnd,
        matched: settled.verdict.paymentId !== undefined,
      },
      'bank credit',
    );
    if (settled.paid) {
      this.options.invoices?.committed();
      this.notify({ ...settled.paid, paid_at: now.toISOString() }, 'paid');
    }
    return settled.verdict;
  }

  private async judge(
    trx: Parameters<Parameters<Committer['run']>[0]>[0],
    accountNumber: string,
    amountVnd: number,
    reference: string | null,
    transactionId: string,
    now: Date,
  ): Promise<{ verdict: WebhookVerdict; paid: PaymentTable | undefined }> {
    if (accountNumber !== this.options.bank.accountNumber)
      return { verdict: { outcome: 'wrong-account' }, paid: undefined };
    const payment = reference === null ? undefined : await this.repo.byReference(trx, reference);
    if (!payment) return { verdict: { outcome: 'unknown-reference' }, paid: undefined };
    const verdict = (outcome: NotificationOutcome) => ({
      verdict: { outcome, paymentId: payment.id },
      paid: undefined,
    });
    if (Number(payment.amount_vnd) !== amountVnd) return verdict('amount-mismatch');
    if (payment.state !== 'pending') return verdict(payment.state === 'paid' ? 'already-paid' : 'late');
    if (!(await this.repo.markPaid(trx, payment.id, now.toISOString(), transactionId))) return verdict('late');
    await this.options.invoices?.queue(trx, payment, now.toISOString());
    return { verdict: { outcome: 'matched', paymentId: payment.id }, paid: payment };
  }

  /** Pending payments past their time: expired, their kiosks told (→ cashier). */
  async expireDue(): Promise<number> {
    const expired = await this.repo.expireDue(this.clock.now().toISOString());
    for (const row of expired) this.notify(row, 'expired');
    return expired.length;
  }

  /** A cancelled visit's paid fee is refunded (recorded; the money goes back at the cashier or by the bank). */
  async refund(paymentId: string, by: string): Promise<Result<PaymentIntent>> {
    const row = await this.repo.byId(paymentId);
    if (!row) return err('unknown-payment', 'no such payment');
    const done = await this.transactions.run((trx) =>
      this.repo.refund(trx, paymentId, this.clock.now().toISOString(), by),
    );
    if (!done) return err('invalid-transition', `a ${row.state} payment cannot be refunded`);
    this.notify(row, 'refunded');
    return this.status(paymentId, null);
  }

  /** Refunds every paid payment of a visit being cancelled; returns how many. */
  async refundVisit(visitId: string, by: string): Promise<number> {
    let count = 0;
    for (const p of await this.repo.byVisit(visitId))
      if (p.state === 'paid' && (await this.refund(p.id, by)).ok) count++;
    return count;
  }

  async reconciliation(day: string): Promise<{ payments: ReconciliationRow[]; unmatched: UnmatchedNotification[] }> {
    const lines = await this.repo.reconciliation(day);
    const notes = await this.repo.notificationsOf(day);
    const invoices = await this.repo.invoicesOf(day);
    return {
      payments: lines.map(({ payment: p, notification: n }) => ({
        paymentId: p.id,
        reference: p.reference,
        serviceId: p.service_id,
        method: p.method as ReconciliationRow['method'],
        state: p.state as ReconciliationRow['state'],
        amountVnd: Number(p.amount_vnd),
        createdAt: p.created_at,
        paidAt: p.paid_at,
        bankTransactionId: n?.transaction_id ?? p.bank_transaction_id,
        bankAmountVnd: n ? Number(n.amount_vnd) : null,
        refundedAt: p.refunded_at,
        visitId: p.visit_id,
        refundedBy: p.refunded_by,
        ...invoiceFields(invoices.get(p.id)),
      })),
      unmatched: notes
        .filter((n) => n.outcome !== 'matched')
        .map((n) => ({
          transactionId: n.transaction_id,
          receivedAt: n.received_at,
          amountVnd: Number(n.amount_vnd),
          reference: n.reference,
          paymentId: n.payment_id,
          outcome: n.outcome as NotificationOutcome,
        })),
    };
  }

  private intentOf(row: PaymentTable): PaymentIntent {
    const { bank } = this.options;
    return {
      paymentId: row.id,
      reference: row.reference,
      serviceId: row.service_id,
      patientClass: row.patient_class as PaymentIntent['patientClass'],
      amountVnd: Number(row.amount_vnd),
      method: row.method as PaymentIntent['method'],
      state: row.state as PaymentIntent['state'],
      qrPayload: row.qr_payload,
      beneficiary: { bankName: bank.bankName, accountNumber: bank.accountNumber, accountName: bank.accountName },
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      ...(row.paid_at ? { paidAt: row.paid_at } : {}),
    };
  }

  private notify(row: PaymentTable, state: PaymentUpdate['state']): void {
    this.options.onUpdate(row.agent_id, {
      paymentId: row.id,
      state,
      amountVnd: Number(row.amount_vnd),
      at: this.clock.now().toISOString(),
    });
  }
}

export interface UnmatchedNotification {
  transactionId: string;
  receivedAt: string;
  amountVnd: number;
  reference: string | null;
  paymentId: string | null;
  outcome: NotificationOutcome;
}
