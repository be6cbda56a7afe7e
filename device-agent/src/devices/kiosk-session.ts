/**
 * What the agent remembers about the patient in front of the kiosk: only what opens their chip —
 * the key from a CCCD QR scanned in this session, or one typed by staff. In memory only; wiped
 * on `session:reset` and after `idleMs` without activity. A read already running keeps the key
 * it started with (the card is on the reader, so its owner is there).
 */
import { err, ok, type CardKeyCommand, type Identity, type Result } from '@kiosk/protocol';
import { accessKeyFromIdentity, bacKeyCandidates, bacKeyInfo, type ChipAccessKey } from '../identity';
import type { SessionKey } from './card-reader.device';

export class KioskSession {
  private qrKey: ChipAccessKey | undefined;
  private staffKey: ChipAccessKey | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private idleMs: number,
    private readonly onWipe: () => void = () => undefined,
  ) {}

  /** Staff key first (deliberate), then the QR's. */
  key(): SessionKey | undefined {
    if (this.staffKey) return { key: this.staffKey, source: 'staff' };
    if (this.qrKey) return { key: this.qrKey, source: 'cccd-qr' };
    return undefined;
  }

  get active(): boolean {
    return this.qrKey !== undefined || this.staffKey !== undefined;
  }

  /** A CCCD QR was scanned: a new patient; its ID, birth and issue dates open the chip. */
  scannedCccd(identity: Identity): boolean {
    this.staffKey = undefined;
    this.qrKey = accessKeyFromIdentity(identity);
    this.touch();
    return this.qrKey !== undefined;
  }

  /** Validates a staff-typed key by deriving its BAC candidates; refused keys are not kept. */
  setStaffKey(command: CardKeyCommand): Result<null> {
    const key = toAccessKey(command);
    if (!key.ok) return key;
    const candidates = bacKeyCandidates(key.value);
    if (!candidates.ok) return err('bad-access-key', candidates.error.message);
    this.staffKey = key.value;
    this.touch();
    return ok(null);
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
    this.qrKey = undefined;
    this.staffKey = undefined;
    if (had) this.onWipe();
  }
}

export function toAccessKey(command: CardKeyCommand): Result<ChipAccessKey> {
  switch (command.kind) {
    case 'mrz':
      return ok({ kind: 'mrz', mrz: command.mrz });
    case 'document': {
      const info = bacKeyInfo(command.documentNumber, command.dateOfBirth, command.dateOfExpiry);
      return info.ok ? ok({ kind: 'bac-key-info', value: info.value }) : err('bad-access-key', info.error.message);
    }
    case 'cccd':
      if (!command.dateOfExpiry && !command.issueDate)
        return err('bad-access-key', 'a CCCD key needs the expiry date or the issue date');
      return ok({
        kind: 'cccd',
        idNumber: command.idNumber,
        dateOfBirth: command.dateOfBirth,
        ...(command.dateOfExpiry !== undefined && { dateOfExpiry: command.dateOfExpiry }),
        ...(command.issueDate !== undefined && { issueDate: command.issueDate }),
      });
  }
}
