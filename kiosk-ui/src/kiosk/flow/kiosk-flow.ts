/**
 * The patient kiosk's flow as a plain state machine: the steps, what moves between them, the idle
 * clock with its "still there?" prompt, and the wipe that forgets the patient. No Svelte, no
 * socket: the page renders `state` and forwards agent events and taps; the agent's commands go
 * through the `KioskPort` it is given, so the spec drives the flow with fakes and fake timers.
 */
import type {
  CardAuthenticity,
  CardFailure,
  CardProgress,
  CardReadStep,
  CheckInOutcome,
  CheckInRequest,
  ClassifiedScan,
  Identity,
  IdentificationState,
  InsuranceCheck,
  PatientClass,
  Result,
  ServiceInfo,
  TicketPublicStatus,
} from '@kiosk/protocol';
import type { MessageKey } from '../../lib/messages';

/** Every screen of the kiosk; the id is stable (spoken prompts and catalogues key on it). */
export type StepId =
  | 'attract'
  | 'manual'
  | 'reading'
  | 'confirm'
  | 'consent'
  | 'declined'
  | 'insurance'
  | 'service'
  | 'priority'
  | 'submitting'
  | 'ticket'
  | 'thanks'
  | 'appointments'
  | 'payment'
  | 'need-qr'
  | 'ticket-status';
export type Claim = 'pregnant' | 'disability' | 'meritorious';

/** The step indicator's four stages of a walk-in (kiosk-design.md): 1 identify … 4 number. */
export type Stage = 1 | 2 | 3 | 4;
export const stageOf: Record<StepId, Stage | null> = {
  attract: null,
  thanks: null,
  manual: 1,
  reading: 1,
  'need-qr': 1,
  appointments: 1,
  confirm: 2,
  consent: 2,
  declined: 2,
  insurance: 2,
  service: 3,
  priority: 3,
  payment: 3,
  submitting: 3,
  ticket: 4,
  'ticket-status': null,
};

/** An error belongs to the step it happened on: it is shown there only and dies with it. */
export interface Problem {
  key: MessageKey;
  step: StepId;
}

export interface FlowState {
  step: StepId;
  identity: Identity | null;
  authenticity: CardAuthenticity | null;
  face: string | null;
  readId: string | null;
  readStep: CardReadStep;
  readPercent: number;
  insurance: InsuranceCheck | null;
  services: ServiceInfo[];
  service: ServiceInfo | null;
  claims: Claim[];
  outcome: CheckInOutcome | null;
  problem: Problem | null;
  stillThere: boolean;
  /** When the "still there?" prompt wipes the session (epoch ms), for its countdown. */
  wipeAt: number | null;
  /** A booking QR scanned: its code, for the appointments step (a new object per scan). */
  bookingScan: { code: string } | null;
  payAtCashier: boolean;
  receiptPrinted: boolean;
  /** The agent asked for the QR of the card on the reader, and it was scanned with the card in hand. */
  qrScanned: boolean;
  /** A ticket's QR scanned: its code, and its status as the server last answered (null until then). */
  ticketCode: string | null;
  ticketStatus: TicketPublicStatus | null;
  /** The last update of the status failed (the server out of reach): what is shown may be old. */
  ticketStatusStale: boolean;
  largeText: boolean;
  highContrast: boolean;
}

/** What the flow asks of the agent; each answer is a Result, never a throw. */
export interface KioskPort {
  listServices(): Promise<Result<ServiceInfo[]>>;
  readCard(readId: string): Promise<Result<null>>;
  checkInsurance(identity: Identity): Promise<Result<InsuranceCheck>>;
  submitCheckIn(request: CheckInRequest): Promise<Result<CheckInOutcome>>;
  printReceipt(paymentId: string): Promise<Result<{ state: 'confirmed' | 'failed' }>>;
  /** A scanned ticket's public status, asked of the server through the agent. */
  ticketStatus(code: string): Promise<Result<TicketPublicStatus>>;
  /** The agent forgets the session too (its chip data, its scans). */
  resetSession(): void;
  /** Whether the agent offers the insurance check. */
  hasInsuranceCheck(): boolean;
  newCheckInId(): string;
}

export interface FlowTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export interface FlowOptions {
  port: KioskPort;
  /** Whole idle time before the wipe, the prompt included. */
  idleMs: number;
  /** How long the "still there?" prompt stays before the wipe. */
  promptMs: number;
  thanksMs?: number;
  /** How often a ticket's status is asked again while it is shown (default 5 s). */
  statusPollMs?: number;
  timers?: FlowTimers;
  /** The page forgets what is not in the state: language, storage. */
  onWipe?: () => void;
}

const browserTimers: FlowTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

const fresh = (): FlowState => ({
  step: 'attract',
  identity: null,
  authenticity: null,
  face: null,
  readId: null,
  readStep: 'detected',
  readPercent: 0,
  insurance: null,
  services: [],
  service: null,
  claims: [],
  outcome: null,
  problem: null,
  stillThere: false,
  wipeAt: null,
  bookingScan: null,
  payAtCashier: false,
  receiptPrinted: false,
  qrScanned: false,
  ticketCode: null,
  ticketStatus: null,
  ticketStatusStale: false,
  largeText: false,
  highContrast: false,
});

/** `idleMs` and `promptMs` from the page's query, bounded: the prompt never outlasts the idle time. */
export function idleSettings(params: URLSearchParams): { idleMs: number; promptMs: number } {
  const idleMs = Math.min(600_000, Math.max(2_000, Number(params.get('idleMs') ?? 60_000) || 60_000));
  const asked = Number(params.get('promptMs'));
  const promptMs =
    Number.isFinite(asked) && asked > 0
      ? Math.min(Math.max(1_000, asked), idleMs - 1_000)
      : Math.min(15_000, idleMs / 4);
  return { idleMs, promptMs };
}

export class KioskFlow {
  state: FlowState = fresh();
  private readonly listeners = new Set<(s: FlowState) => void>();
  private readonly timers: FlowTimers;
  private idleTimer: unknown;
  private promptTimer: unknown;
  private thanksTimer: unknown;
  private statusTimer: unknown;
  /** Bumped by every scanned ticket and every wipe: an answer for an older one is dropped. */
  private statusTurn = 0;
  /** The chip's identity, held until the read (and its verification) is complete. */
  private cardIdentity: Identity | null = null;
  /** The patient agreed to the privacy notice before their chip was read (vietnam.md §6). */
  private chipConsented = false;
  private checkInId = '';
  /** The fee was paid by VietQR (its receipt prints with the ticket). */
  private paidPaymentId: string | null = null;
  /** Paid, nothing to pay, or to be paid at the cashier: the check-in may go ahead. */
  private feeSettled = false;

  constructor(private readonly options: FlowOptions) {
    this.timers = options.timers ?? browserTimers;
  }

  subscribe(listener: (s: FlowState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<FlowState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** The problem shown now: only the current step's. */
  get problem(): MessageKey | null {
    const p = this.state.problem;
    return p && p.step === this.state.step ? p.key : null;
  }

  /** The patient read the problem panel and tapped its button. */
  dismissProblem(): void {
    // A ticket that cannot be shown: nothing is left on its step but the way back to the start.
    if (this.state.step === 'ticket-status' && !this.state.ticketStatus) return this.wipe();
    this.set({ problem: null });
    this.touch();
  }

  private fail(key: MessageKey): void {
    this.set({ problem: { key, step: this.state.step } });
  }

  private clearTimers(): void {
    this.timers.clear(this.idleTimer);
    this.timers.clear(this.promptTimer);
    this.timers.clear(this.thanksTimer);
    this.timers.clear(this.statusTimer);
    this.statusTurn += 1;
  }

  /** Forget everything about the patient: state, screen, storage, and the agent's session. */
  wipe(): void {
    this.forget(false);
  }

  /**
   * `sameAct`: a card placed after its QR (or another card): the agent's identification session
   * tells the same person from another, so its session (the QR's key) is kept, and so are the
   * patient's display choices.
   */
  private forget(sameAct: boolean): void {
    this.clearTimers();
    this.cardIdentity = null;
    this.chipConsented = false;
    this.checkInId = '';
    this.paidPaymentId = null;
    this.feeSettled = false;
    const { largeText, highContrast } = this.state;
    this.state = sameAct ? { ...fresh(), largeText, highContrast } : fresh();
    if (!sameAct) {
      this.options.onWipe?.();
      this.options.port.resetSession();
    }
    this.set({});
  }

  /** Any touch restarts the idle clock; the attract and thank-you screens have none. */
  touch(): void {
    this.timers.clear(this.idleTimer);
    this.timers.clear(this.promptTimer);
    if (this.state.stillThere) this.set({ stillThere: false, wipeAt: null });
    const { step } = this.state;
    if (step === 'attract' || step === 'thanks') return;
    const { idleMs, promptMs } = this.options;
    this.idleTimer = this.timers.set(() => {
      this.set({ stillThere: true, wipeAt: this.timers.now() + promptMs });
      this.promptTimer = this.timers.set(() => this.wipe(), promptMs);
    }, idleMs - promptMs);
  }

  /** To another step: the previous step's problem goes with it. */
  go(step: StepId, patch: Partial<FlowState> = {}): void {
    this.set({ ...patch, step, problem: null });
    this.touch();
  }

  /** "Back": one step back along the walk-in; from its first step, the start. */
  back(): void {
    const { step, identity } = this.state;
    if (step === 'priority') return this.go('service');
    if (step === 'service' || step === 'insurance' || step === 'payment')
      return this.go('confirm', { service: null, insurance: null });
    if (step === 'consent' && identity) return this.go('confirm');
    this.wipe();
  }

  setLargeText(on: boolean): void {
    this.set({ largeText: on });
  }
  setHighContrast(on: boolean): void {
    this.set({ highContrast: on });
  }

  private async loadServices(): Promise<void> {
    const r = await this.options.port.listServices();
    if (r.ok) this.set({ services: r.value });
    else this.fail('kiosk.no-services');
  }

  /** Reloads the tiles' waiting counts (the service step opens with fresh numbers). */
  refreshServices(): void {
    void this.loadServices();
  }

  /** The patient is known (scan, chip or manual entry): a fresh check-in starts. */
  identified(who: Identity, keep: Pick<FlowState, 'authenticity' | 'face'> = { authenticity: null, face: null }): void {
    this.checkInId = this.options.port.newCheckInId();
    this.go('confirm', { identity: who, ...keep });
    void this.loadServices();
  }

  /** The chip read is complete: confirm what it says (the face may still follow). */
  private finishRead(): void {
    if (this.state.step !== 'reading' || !this.cardIdentity) return;
    this.identified(this.cardIdentity, { authenticity: this.state.authenticity, face: this.state.face });
  }

  scanned(scan: ClassifiedScan): void {
    const { step, outcome } = this.state;
    if (step === 'submitting') return;
    // An on-screen ticket (the print failed) stays until its owner taps "done" or walks away.
    if (step === 'ticket' && outcome?.print.state !== 'confirmed') return;
    if (scan.kind === 'cccd-qr' || scan.kind === 'bhyt-qr') {
      // "Tôi đã đặt lịch" open: the card finds the patient's appointments.
      if (step === 'appointments') return this.set({ identity: scan.identity });
      // The card waits for its QR: the agent keeps the key, and the chip (not the QR) says who this is.
      if (step === 'need-qr' || step === 'reading') {
        if (scan.kind === 'cccd-qr') this.set({ qrScanned: true });
        return this.touch();
      }
      if (step !== 'attract' && step !== 'manual') this.wipe();
      this.identified(scan.identity);
    } else if (scan.kind === 'booking-qr') {
      if (step !== 'attract' && step !== 'appointments') this.wipe();
      const bookingScan = { code: scan.bookingCode };
      if (this.state.step === 'appointments') this.set({ bookingScan });
      else this.go('appointments', { bookingScan });
    } else if (scan.kind === 'ticket-qr') {
      // Like a booking QR: it starts a new session, except over the status of another ticket.
      if (step !== 'attract' && step !== 'ticket-status') this.wipe();
      this.showTicket(scan.lookupCode);
    }
    // Verified online by the identity service only: the counter checks it.
    else if (scan.kind === 'vneid-qr') this.fail('hint.go-to-counter');
    else this.fail('hint.scan-qr-instead');
  }

  /** A ticket's QR: its status (from the server, through the agent), kept up to date while shown. */
  private showTicket(code: string): void {
    this.timers.clear(this.statusTimer);
    this.statusTurn += 1;
    this.go('ticket-status', { ticketCode: code, ticketStatus: null, ticketStatusStale: false });
    void this.refreshTicket(code, this.statusTurn);
  }

  private async refreshTicket(code: string, turn: number): Promise<void> {
    const r = await this.options.port.ticketStatus(code);
    if (turn !== this.statusTurn || this.state.step !== 'ticket-status' || this.state.ticketCode !== code) return;
    if (r.ok) this.set({ ticketStatus: r.value, ticketStatusStale: false });
    else {
      const gone =
        r.error.code === 'expired' || r.error.code === 'unknown-code' || r.error.code === 'validation-failed';
      // A status already shown stays (marked old) through a passing fault; an ended visit ends it.
      if (!gone && this.state.ticketStatus) this.set({ ticketStatusStale: true });
      else {
        this.set({ ticketStatus: null, ticketStatusStale: false });
        return this.fail(
          r.error.code === 'expired'
            ? 'kiosk.ticket-status.expired'
            : gone
              ? 'kiosk.ticket-status.unknown'
              : r.error.code === 'rate-limited'
                ? 'kiosk.ticket-status.limited'
                : 'kiosk.ticket-status.unavailable',
        );
      }
    }
    this.statusTimer = this.timers.set(() => void this.refreshTicket(code, turn), this.options.statusPollMs ?? 5_000);
  }

  /** A card was placed: the privacy notice comes first, nothing is read from it yet. */
  cardPresented(readId: string): void {
    const { step } = this.state;
    if (step === 'submitting' || step === 'ticket' || readId === this.state.readId) return;
    // Put back after its QR was scanned: the patient already agreed to the read.
    const consented = step === 'need-qr' && this.chipConsented;
    // The card after its QR, or another card: the agent's identification session tells the same
    // person from another one, so its session (the QR's key) is not reset here.
    if (step !== 'attract' && step !== 'manual') this.forget(true);
    this.cardIdentity = null;
    const patch = { readId, readPercent: 0, readStep: 'detected' as const, authenticity: null, face: null };
    if (consented) {
      this.set(patch);
      void this.agreeToChipRead();
    } else this.go('consent', patch);
  }

  /** The agent's identification session: the card needs its QR, or the QR and card are two people. */
  identificationChanged(s: IdentificationState): void {
    const { step } = this.state;
    if (step === 'submitting' || step === 'ticket') return;
    if (s.state === 'need-qr') {
      if (s.readId !== undefined && s.readId !== this.state.readId) return;
      return this.go('need-qr', { qrScanned: false });
    }
    this.wipe();
    this.fail(s.reason === 'other-card' ? 'id.start-over.other-card' : 'id.start-over.qr-other-person');
  }

  /** The patient agreed before the read: the agent reads the card now. */
  private async agreeToChipRead(): Promise<void> {
    const id = this.state.readId;
    if (!id) return;
    this.chipConsented = true;
    this.go('reading');
    const r = await this.options.port.readCard(id);
    if (r.ok || this.state.readId !== id || this.state.step !== 'reading') return;
    this.wipe();
    this.fail(r.error.code === 'no-card' ? 'hint.card-removed' : 'kiosk.card.failed');
  }

  /** Consent: before a chip read (no identity yet), or after a QR or typed identity was confirmed. */
  agree(): void {
    if (this.state.identity === null) void this.agreeToChipRead();
    else void this.checkInsurance();
  }

  /** Declining before a chip read returns to the start with nothing read. */
  decline(): void {
    if (this.state.identity === null) this.wipe();
    else this.go('declined');
  }

  /** "Yes, this is me": the notice, unless it was agreed before the chip read. */
  confirm(): void {
    if (this.chipConsented) void this.checkInsurance();
    else this.go('consent');
  }

  private async checkInsurance(): Promise<void> {
    const { identity } = this.state;
    if (!identity) return;
    // Only a BHYT card number can be looked up; the site may also not check cards at the kiosk.
    if (!this.options.port.hasInsuranceCheck() || !identity.insuranceNumber) return this.go('service');
    this.go('insurance', { insurance: null });
    const r = await this.options.port.checkInsurance(identity);
    if (this.state.step !== 'insurance') return;
    if (!r.ok && r.error.code === 'insurance-check-off') return this.go('service');
    this.set({ insurance: r.ok ? r.value : { verdict: 'unavailable' } });
  }

  chooseService(service: ServiceInfo): void {
    this.go('priority', { service });
  }

  toggleClaim(c: Claim): void {
    const { claims } = this.state;
    this.set({ claims: claims.includes(c) ? claims.filter((x) => x !== c) : [...claims, c] });
  }

  /** Insured (the card checked or not checked at the kiosk) or fee-paying, for the price list. */
  patientClass(): PatientClass {
    const { identity, insurance } = this.state;
    return identity?.insuranceNumber && (!insurance || insurance.verdict === 'eligible') ? 'insured' : 'fee-paying';
  }

  /** The fee comes first when the price list asks for one (the payment step decides). */
  submit(): void {
    if (!this.state.identity || !this.state.service) return;
    if (!this.feeSettled) return this.go('payment');
    void this.submitCheckIn();
  }

  paid(paymentId: string): void {
    this.paidPaymentId = paymentId;
    this.feeSettled = true;
    void this.submitCheckIn();
  }
  payAtCashier(): void {
    this.feeSettled = true;
    this.set({ payAtCashier: true });
    void this.submitCheckIn();
  }
  nothingToPay(): void {
    this.feeSettled = true;
    void this.submitCheckIn();
  }

  private async submitCheckIn(): Promise<void> {
    const { identity, service, claims } = this.state;
    if (!identity || !service) return;
    this.set({ step: 'submitting', problem: null });
    const r = await this.options.port.submitCheckIn({
      checkInId: this.checkInId,
      identity,
      serviceId: service.id,
      priorityClaims: [...claims],
      consent: true,
    });
    if (this.state.step !== 'submitting') return;
    if (!r.ok) {
      this.go('priority');
      return this.fail(r.error.hint === 'go-to-counter' ? 'hint.go-to-counter' : 'kiosk.checkin-failed');
    }
    this.go('ticket', { outcome: r.value });
    const paid = this.paidPaymentId;
    if (paid) {
      const printed = await this.options.port.printReceipt(paid);
      this.set({ receiptPrinted: printed.ok && printed.value.state === 'confirmed' });
    }
  }

  /** A booked patient checked in on the appointments step. */
  appointmentTicket(outcome: CheckInOutcome): void {
    this.go('ticket', { outcome });
  }

  /** Patient data leaves the screen and memory now; the thank-you screen shows none. */
  finish(keepLanguage: () => void = () => undefined): void {
    this.wipe();
    keepLanguage();
    this.set({ step: 'thanks' });
    this.thanksTimer = this.timers.set(() => this.wipe(), this.options.thanksMs ?? 4_000);
  }

  // ---- the chip read, as the agent reports it ----

  cardProgressed(p: CardProgress): void {
    const { step } = this.state;
    if (step === 'submitting' || step === 'ticket') return;
    if (p.readId !== this.state.readId) {
      // A read this page did not start (a staff key opened a card consented to earlier): the
      // agent reads only with the holder's consent.
      if (step !== 'attract' && step !== 'manual' && step !== 'reading') this.wipe();
      this.chipConsented = true;
      this.cardIdentity = null;
      this.go('reading', { readId: p.readId, readPercent: 0, authenticity: null, face: null });
    }
    // The QR arrived while the card stayed on the reader: the agent reads it now.
    if (this.state.step === 'need-qr') this.go('reading');
    if (this.state.step !== 'reading') return;
    this.set({ readStep: p.step, readPercent: Math.max(this.state.readPercent, p.percent) });
    if (p.percent >= 100) this.finishRead();
  }

  cardIdentified(c: { readId: string; identity: Identity; authenticity: CardAuthenticity }): void {
    if (c.readId !== this.state.readId || this.state.step !== 'reading') return;
    this.cardIdentity = c.identity;
    this.set({ authenticity: c.authenticity });
    // Agents that verify before sending the identity are done here.
    if (c.authenticity.passive !== 'not-checked') this.finishRead();
  }

  cardVerified(e: { readId: string; authenticity: CardAuthenticity }): void {
    if (e.readId !== this.state.readId) return;
    this.set({ authenticity: e.authenticity });
    this.finishRead();
  }

  cardFaceRead(readId: string, dataUrl: string): void {
    if (readId === this.state.readId) this.set({ face: dataUrl });
  }

  cardFailed(f: CardFailure): void {
    const { step, identity } = this.state;
    // 'consent' without an identity: the card was removed before the patient answered.
    if (
      f.readId !== this.state.readId ||
      (step !== 'reading' && step !== 'confirm' && !(step === 'consent' && !identity))
    )
      return;
    this.wipe();
    this.fail(
      f.code === 'not-authentic'
        ? 'kiosk.auth.invalid'
        : f.hint === 'card-removed' || f.code === 'card-removed'
          ? 'hint.card-removed'
          : 'kiosk.card.failed',
    );
  }

  /** The page goes away: no timer outlives it. */
  destroy(): void {
    this.clearTimers();
    this.listeners.clear();
  }
}
