/**
 * One identification act at the kiosk: the QR on the front of the CCCD and the card on the reader
 * are two halves of it, in either order, within one session.
 *
 * - Keys, in order: the reader's own MRZ optics (asked by the reader itself, a profile
 *   capability), then the CCCD QR (ID, birth and issue dates → the expiry milestone and its
 *   neighbours; the ID's last 6 digits as the PACE CAN, tried first by the chip read), then a key
 *   typed by staff at the counter. A key the chip refused for the card on the reader is not
 *   offered again for it; the next one is, and the reader tries again.
 * - QR first: the page shows the QR's (unverified) identity; the card placed next is opened with
 *   the QR's key and the chip's verified identity replaces the QR's.
 * - Card first: with no key the read does not fail: the page is told 'need-qr'; the QR scanned
 *   next is the card's key (the page is not sent the QR's identity) and the card is read.
 * - A QR scanned again while the card lies on the reader (or after it was read) is the same
 *   person's: absorbed. A QR of another person than the chip, a QR that does not open the card,
 *   or a second card of another person starts over ('start-over' with the reason).
 *
 * In memory only: wiped on `session:reset` and after `idleMs` without activity. ID numbers are
 * compared, never logged.
 */
import { err, ok, type CardKeyCommand, type Identity, type IdentificationState, type Result } from '@kiosk/protocol';
import {
  accessCandidates,
  accessKeyFromIdentity,
  type ChipAccessKey,
  type KeySource,
  type SessionKey,
} from './chip/access-key';
import { bacKeyInfo } from './mrz/bac-key';
import { toIsoDate } from './dates';

/** The card reader's events as the session needs them (the device's CardEvent fits). */
export type SessionCardEvent =
  | { type: 'card:present' | 'card:progress' | 'card:face' | 'card:authenticity'; payload: { readId: string } }
  | { type: 'card:identity'; payload: { readId: string; identity: Identity }; keySource?: KeySource }
  | {
      type: 'card:failed';
      payload: { readId: string };
      access?: { outcome: 'no-key' | 'refused'; keySource?: KeySource };
    };

/** What a scanned CCCD QR is to the session. */
export type QrOutcome =
  /** No card involved yet: the page shows the QR's identity (unverified until the chip is read). */
  | { kind: 'identity' }
  /** The key of the card lying on the reader: read it (the page waits for the chip). */
  | { kind: 'key-for-card' }
  /** The chip already read says who this is (same person): nothing changes. */
  | { kind: 'same-as-chip' }
  | { kind: 'start-over'; state: IdentificationState };

/** What to do with a card event: pass it to the page, try the next key, tell the page a state. */
export interface CardOutcome {
  forward: boolean;
  /** Another key may open the card: the reader should try again. */
  retry?: boolean;
  tell?: IdentificationState;
}

export interface IdentificationSessionOptions {
  idleMs: number;
  /** A card lies on a reader, being read or waiting for its holder's consent or for a key. */
  cardAwaitingRead: () => boolean;
  /** The session forgot everything (reset, idle time-out, start over). */
  onWipe?: () => void;
}

/** Reads whose events are withheld from the page (a start-over happened during them). */
const MAX_WITHHELD = 16;

export class IdentificationSession {
  private qr: { idNumber: string | undefined; key: ChipAccessKey | undefined } | undefined;
  private staffKey: ChipAccessKey | undefined;
  /** The chip read in this session: whose it is. */
  private chip: { idNumber: string | undefined; readId: string } | undefined;
  /** The card on the reader now and the key sources its chip refused. */
  private card: { readId: string; refused: Set<KeySource> } | undefined;
  private readonly withheld: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private idleMs: number;

  constructor(private readonly options: IdentificationSessionOptions) {
    this.idleMs = options.idleMs;
  }

  get active(): boolean {
    return this.qr !== undefined || this.staffKey !== undefined || this.chip !== undefined;
  }

  /** The key to try on the card now: the QR's, then staff's, skipping those this card refused. */
  key(): SessionKey | undefined {
    const refused = this.card?.refused;
    if (this.qr?.key && !refused?.has('cccd-qr')) return { key: this.qr.key, source: 'cccd-qr' };
    if (this.staffKey && !refused?.has('staff')) return { key: this.staffKey, source: 'staff' };
    return undefined;
  }

  /** A CCCD QR was scanned (its identity, parsed by the agent). */
  scannedCccd(identity: Identity): QrOutcome {
    if (this.chip) {
      if (samePerson(this.chip.idNumber, identity.idNumber)) {
        this.touch();
        return { kind: 'same-as-chip' };
      }
      return { kind: 'start-over', state: this.startOver('qr-other-person', this.chip.readId) };
    }
    this.qr = { idNumber: identity.idNumber, key: accessKeyFromIdentity(identity) };
    // A new QR is a new key (a staff key belonged to the previous attempt).
    this.staffKey = undefined;
    this.card?.refused.clear();
    this.touch();
    return this.qr.key && this.options.cardAwaitingRead() ? { kind: 'key-for-card' } : { kind: 'identity' };
  }

  /**
   * Validates a staff-typed key by deriving what it offers the chip (a CAN, BAC/PACE MRZ
   * informations); refused keys are not kept. `today` (`YYYY-MM-DD`) dates a CCCD key typed
   * without its expiry or issue date.
   */
  setStaffKey(command: CardKeyCommand, today = isoToday()): Result<null> {
    const key = toAccessKey(command, today);
    if (!key.ok) return key;
    const candidates = accessCandidates(key.value);
    if (!candidates.ok) return err('bad-access-key', candidates.error.message);
    this.staffKey = key.value;
    this.card?.refused.delete('staff');
    this.touch();
    return ok(null);
  }

  /** A card reader event: whether the page hears it, and what else follows. */
  cardEvent(e: SessionCardEvent): CardOutcome {
    const readId = e.payload.readId;
    if (this.withheld.includes(readId)) return { forward: false };
    switch (e.type) {
      case 'card:present':
        this.card = { readId, refused: new Set() };
        return { forward: true };
      case 'card:identity': {
        const id = e.payload.identity.idNumber;
        if (this.qr && !samePerson(this.qr.idNumber, id))
          return { forward: false, tell: this.startOver('qr-other-person', readId) };
        if (this.chip && !samePerson(this.chip.idNumber, id))
          return { forward: false, tell: this.startOver('other-card', readId) };
        // The chip's verified identity replaces the QR's; the QR's key stays for a re-read.
        this.chip = { idNumber: id, readId };
        this.touch();
        return { forward: true };
      }
      case 'card:failed':
        return this.failed(readId, e.access);
      default:
        return { forward: true };
    }
  }

  /** A new idle time-out (pushed configuration), from the next activity on. */
  setIdleMs(ms: number): void {
    this.idleMs = ms;
  }

  /** Activity (a scan, a card, a command): the idle clock restarts while there is something to forget. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.active) return;
    this.timer = setTimeout(() => this.reset(), this.idleMs);
    this.timer.unref();
  }

  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const had = this.active;
    this.qr = undefined;
    this.staffKey = undefined;
    this.chip = undefined;
    this.card?.refused.clear();
    if (had) this.options.onWipe?.();
  }

  private failed(
    readId: string,
    access: { outcome: 'no-key' | 'refused'; keySource?: KeySource } | undefined,
  ): CardOutcome {
    if (!access) {
      // A read that failed after its identity (not authentic, card pulled) does not identify anyone.
      if (this.chip?.readId === readId) this.chip = undefined;
      if (this.card?.readId === readId) this.card = undefined;
      return { forward: true };
    }
    if (access.outcome === 'no-key') return { forward: false, tell: { state: 'need-qr', readId, reason: 'no-key' } };
    if (!this.card || this.card.readId !== readId) this.card = { readId, refused: new Set() };
    if (access.keySource) this.card.refused.add(access.keySource);
    if (this.key()) return { forward: false, retry: true };
    switch (access.keySource) {
      case 'cccd-qr':
        // The QR's key, its neighbouring milestones and its CAN all refused: not this card's QR.
        return { forward: false, tell: this.startOver(this.chip ? 'other-card' : 'qr-other-person', readId) };
      case 'mrz-optics':
        return { forward: false, tell: { state: 'need-qr', readId, reason: 'no-key' } };
      default:
        // A key typed by staff that does not open the card: staff see why.
        return { forward: true };
    }
  }

  private startOver(reason: 'qr-other-person' | 'other-card', readId: string): IdentificationState {
    this.withheld.push(readId);
    if (this.withheld.length > MAX_WITHHELD) this.withheld.shift();
    this.card = undefined;
    this.reset();
    return { state: 'start-over', readId, reason };
  }
}

/** Same person: the same 12-digit ID number (an identity without one cannot be told apart). */
function samePerson(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** Today's date on the agent's clock, `YYYY-MM-DD` (local time: the card's dates are Vietnamese dates). */
function isoToday(now = new Date()): string {
  return toIsoDate({ year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() });
}

/** `today` (`YYYY-MM-DD`): a CCCD key with neither expiry nor issue date tries the milestones of a card valid then. */
export function toAccessKey(command: CardKeyCommand, today?: string): Result<ChipAccessKey> {
  switch (command.kind) {
    case 'mrz':
      return ok({ kind: 'mrz', mrz: command.mrz });
    case 'document': {
      const info = bacKeyInfo(command.documentNumber, command.dateOfBirth, command.dateOfExpiry);
      return info.ok ? ok({ kind: 'bac-key-info', value: info.value }) : err('bad-access-key', info.error.message);
    }
    case 'cccd':
      if (!command.dateOfExpiry && !command.issueDate && !today)
        return err('bad-access-key', 'a CCCD key needs the expiry date or the issue date');
      return ok({
        kind: 'cccd',
        idNumber: command.idNumber,
        dateOfBirth: command.dateOfBirth,
        ...(command.dateOfExpiry !== undefined && { dateOfExpiry: command.dateOfExpiry }),
        ...(command.issueDate !== undefined && { issueDate: command.issueDate }),
        ...(!command.dateOfExpiry && !command.issueDate && today !== undefined && { asOf: today }),
      });
    case 'can':
      return ok({ kind: 'can', can: command.can });
  }
}
