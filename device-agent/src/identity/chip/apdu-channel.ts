/**
 * One card session over an ApduTransport: plain APDUs before BAC, secure messaging after.
 * Transport exceptions and SM faults become typed faults; the session never throws.
 */
import type { AppError, Result } from '@kiosk/protocol';
import { TransportError, type ApduTransport } from '../../transports/transport';
import { encodeCommandApdu, type CommandApdu } from '../icao/apdu';
import { statusWord, swHex } from '../icao/bytes';
import type { ResponseApdu, SecureChannel } from '../icao/secure-messaging';

export interface ChannelFault extends AppError {
  code: 'card-removed' | 'reader-error' | 'bad-mac' | 'secure-messaging-lost';
  sw?: string;
}

/** Plain statuses a chip sends when it drops the SM session. */
const SM_ABORT_SW = new Set([0x6982, 0x6987, 0x6988]);

export class ApduChannel {
  sm: SecureChannel | undefined;
  apduCount = 0;
  bytesOnWire = 0;
  private removed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly transport: ApduTransport,
    private readonly timeoutMs: number,
  ) {
    this.unsubscribe = transport.onCardChange((present) => {
      if (!present) this.removed = true;
    });
  }

  get cardRemoved(): boolean {
    return this.removed || !this.transport.cardPresent;
  }

  dispose(): void {
    this.unsubscribe();
  }

  async send(apdu: CommandApdu): Promise<Result<ResponseApdu, ChannelFault>> {
    if (this.cardRemoved) return { ok: false, error: { code: 'card-removed', message: 'card left the field' } };
    const raw = this.sm ? this.sm.wrapCommand(apdu) : encodeCommandApdu(apdu);
    let response: Uint8Array;
    try {
      this.apduCount++;
      response = await this.transport.transmit(raw, { timeoutMs: this.timeoutMs });
    } catch (e) {
      if (this.cardRemoved || (e instanceof TransportError && e.code === 'disconnected'))
        return { ok: false, error: { code: 'card-removed', message: 'card left the field' } };
      const code = e instanceof TransportError ? e.code : 'io-error';
      return { ok: false, error: { code: 'reader-error', message: `transport ${code}` } };
    }
    this.bytesOnWire += raw.length + response.length;
    if (response.length < 2)
      return { ok: false, error: { code: 'secure-messaging-lost', message: 'response shorter than a status word' } };
    if (!this.sm)
      return { ok: true, value: { data: response.subarray(0, response.length - 2), sw: statusWord(response) } };
    const r = this.sm.unwrapResponse(response);
    if (r.ok) return r;
    if (r.error.code === 'sm-bad-mac')
      return { ok: false, error: { code: 'bad-mac', message: 'response MAC does not verify' } };
    if (r.error.code === 'sm-unprotected-status' && r.error.sw !== undefined) {
      const sw = r.error.sw;
      if (SM_ABORT_SW.has(sw))
        return {
          ok: false,
          error: {
            code: 'secure-messaging-lost',
            message: `chip dropped secure messaging (${swHex(sw)})`,
            sw: swHex(sw),
          },
        };
      // Some chips answer plain errors and warnings (file not found, 6282…) without SM: a status,
      // no data, marked so that what needs proof of the session keys does not count it.
      return { ok: true, value: { data: new Uint8Array(0), sw, unprotected: true } };
    }
    return {
      ok: false,
      error: { code: 'secure-messaging-lost', message: `malformed protected response (${r.error.message})` },
    };
  }
}
