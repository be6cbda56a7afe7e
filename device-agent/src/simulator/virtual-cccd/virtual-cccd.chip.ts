/**
 * A virtual CCCD chip: an ICAO 9303 eMRTD application answering APDUs with BAC and 3DES
 * secure messaging over a file system of EF.COM, DG1 (TD1), DG2 (generated JPEG face),
 * DG13 (16 Vietnamese fields) and EF.SOD signed by a throwaway CSCA → document signer.
 * Behaviour follows ICAO 9303-11: files need BAC, a wrong MAC or a plain command ends the
 * SM session (6988/6987), reads past the end answer the available bytes with 6282.
 */
import { randomBytes } from 'node:crypto';
import { decodeCommandApdu, type CommandApdu } from '../../identity/icao/apdu';
import { answerMutualAuth, deriveBacKeys, type BacKeys } from '../../identity/icao/bac';
import { bytesEqual, concat, u16 } from '../../identity/icao/bytes';
import { SecureMessaging } from '../../identity/icao/secure-messaging';
import { FILE_ID, MRTD_AID } from '../../identity/lds/lds-files';
import { parseMrz } from '../../identity/mrz/mrz.parser';
import { buildEfCom, type Dg13Content } from './lds-builder';
import { buildSod, createTestPki, type HashName, type TestPki } from './pki';
import { buildCardFiles, SYNTHETIC_MRZ } from './synthetic-card';

/** Anything that answers command APDUs like a card (the simulated transport drives it). */
export interface ApduResponder {
  /** Answer to reset. */
  readonly atr: Uint8Array;
  /** Power-on / warm reset: forget the selected application and any session. */
  reset(): void;
  process(command: Uint8Array): Uint8Array;
}

export interface VirtualCccdOptions {
  /** TD1 MRZ lines (default: the synthetic card of vietnam.md). */
  mrz?: string[];
  dg13?: Dg13Content;
  /** DG2 JPEG size in bytes; default 20 000. */
  faceBytes?: number;
  /** Reuse a PKI (generating one costs a few ms for EC keys). */
  pki?: TestPki;
  sodHash?: HashName;
  /** SOD signature corrupted on purpose. */
  corruptSodSignature?: boolean;
  /** Leave these DGs off the card (and out of EF.COM and the SOD). */
  withoutDataGroups?: number[];
  /** Change a DG's bytes after the SOD was signed (its hash will not match). */
  tamperDataGroup?: number;
  /** Largest response data the chip sends; larger Le → 6700 (`wrong-length`) or a short 6282 read. */
  maxResponseDataBytes?: number;
  oversizeLeBehaviour?: 'wrong-length' | 'short-read';
  random?: (n: number) => Uint8Array;
}

const ATR = Uint8Array.from([0x3b, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x7e]);

const sw = (value: number): Uint8Array => u16(value);

export class VirtualCccdChip implements ApduResponder {
  readonly atr = ATR;
  readonly files = new Map<number, Uint8Array>();
  readonly pki: TestPki;
  readonly bacKeyInfo: string;
  readonly faceJpeg: Uint8Array;
  /** Raw DG bytes by DG number, as stored (after any tampering). */
  readonly dataGroups: Map<number, Uint8Array>;
  private readonly keys: BacKeys;
  private readonly random: (n: number) => Uint8Array;
  private readonly maxResponse: number;
  private readonly oversize: 'wrong-length' | 'short-read';
  private appSelected = false;
  private rndIc: Uint8Array | undefined;
  private sm: SecureMessaging | undefined;
  private selectedFile: Uint8Array | undefined;
  /** Commands answered, for tests. */
  commandCount = 0;

  constructor(options: VirtualCccdOptions = {}) {
    const mrz = options.mrz ?? SYNTHETIC_MRZ;
    const parsed = parseMrz(mrz.join('\n'));
    if (!parsed.ok) throw new Error(`virtual CCCD: MRZ rejected (${parsed.error.code})`);
    this.bacKeyInfo = parsed.value.bacKeyInfo;
    this.keys = deriveBacKeys(this.bacKeyInfo);
    this.random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.maxResponse = options.maxResponseDataBytes ?? 231;
    this.oversize = options.oversizeLeBehaviour ?? 'wrong-length';
    this.pki = options.pki ?? createTestPki();

    const cardFiles = buildCardFiles({
      mrz,
      ...(options.dg13 ? { dg13: options.dg13 } : {}),
      faceBytes: options.faceBytes ?? 20_000,
    });
    this.faceJpeg = cardFiles.faceJpeg;
    for (const n of options.withoutDataGroups ?? []) cardFiles.dataGroups.delete(n);
    cardFiles.com = buildEfCom([...cardFiles.dataGroups.keys()]);
    const sod = buildSod({
      dataGroups: cardFiles.dataGroups,
      signer: this.pki.documentSigner,
      hash: options.sodHash ?? 'sha256',
      corruptSignature: options.corruptSodSignature ?? false,
    });
    this.dataGroups = new Map(cardFiles.dataGroups);
    if (options.tamperDataGroup !== undefined) {
      const dg = this.dataGroups.get(options.tamperDataGroup);
      if (dg) {
        const copy = Uint8Array.from(dg);
        copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
        this.dataGroups.set(options.tamperDataGroup, copy);
      }
    }
    this.files.set(FILE_ID.COM, cardFiles.com);
    this.files.set(FILE_ID.SOD, sod);
    for (const [n, bytes] of this.dataGroups) this.files.set(0x0100 + n, bytes);
  }

  reset(): void {
    this.appSelected = false;
    this.rndIc = undefined;
    this.sm = undefined;
    this.selectedFile = undefined;
  }

  process(command: Uint8Array): Uint8Array {
    this.commandCount++;
    const cla = command[0] ?? 0;
    if ((cla & 0x0c) === 0x0c) return this.processProtected(command);
    // A plain command ends any SM session.
    const hadSm = this.sm !== undefined;
    this.sm = undefined;
    const parsed = decodeCommandApdu(command);
    if (!parsed.ok) return sw(0x6700);
    const apdu = parsed.value;
    if (apdu.ins === 0xa4 && apdu.p1 === 0x04) return this.selectApplication(apdu);
    if (hadSm) return sw(0x6987);
    if (!this.appSelected) return sw(0x6985);
    if (apdu.ins === 0x84) return this.getChallenge(apdu);
    if (apdu.ins === 0x82) return this.externalAuthenticate(apdu);
    if (apdu.ins === 0xa4 || apdu.ins === 0xb0) return sw(0x6982);
    return sw(0x6d00);
  }

  private selectApplication(apdu: CommandApdu): Uint8Array {
    this.selectedFile = undefined;
    this.rndIc = undefined;
    if (apdu.data && bytesEqual(apdu.data, MRTD_AID)) {
      this.appSelected = true;
      return sw(0x9000);
    }
    this.appSelected = false;
    return sw(0x6a82);
  }

  private getChallenge(apdu: CommandApdu): Uint8Array {
    if (apdu.le !== 8) return sw(0x6700);
    this.rndIc = this.random(8);
    return concat(this.rndIc, sw(0x9000));
  }

  private externalAuthenticate(apdu: CommandApdu): Uint8Array {
    const rndIc = this.rndIc;
    this.rndIc = undefined;
    if (!rndIc) return sw(0x6985);
    if (!apdu.data || apdu.data.length !== 40) return sw(0x6700);
    const r = answerMutualAuth(this.keys, apdu.data, rndIc, this.random(16));
    if (!r.ok) return sw(0x6300);
    this.sm = new SecureMessaging(r.value.session);
    return concat(r.value.response, sw(0x9000));
  }

  private processProtected(command: Uint8Array): Uint8Array {
    const sm = this.sm;
    if (!sm) return sw(0x6988);
    const r = sm.unwrapCommand(command);
    if (!r.ok) {
      this.sm = undefined;
      return sw(r.error.code === 'sm-bad-mac' ? 0x6988 : 0x6987);
    }
    const apdu = r.value;
    if (apdu.ins === 0xa4 && apdu.p1 === 0x02) {
      const fid = apdu.data && apdu.data.length === 2 ? ((apdu.data[0] ?? 0) << 8) | (apdu.data[1] ?? 0) : -1;
      const file = this.files.get(fid);
      this.selectedFile = file;
      return sm.wrapResponse(new Uint8Array(0), file ? 0x9000 : 0x6a82);
    }
    if (apdu.ins === 0xb0) {
      const file = this.selectedFile;
      if (!file) return sm.wrapResponse(new Uint8Array(0), 0x6986);
      if ((apdu.p1 & 0x80) !== 0) return sm.wrapResponse(new Uint8Array(0), 0x6b00);
      const offset = ((apdu.p1 & 0x7f) << 8) | apdu.p2;
      let le = apdu.le ?? 256;
      if (offset >= file.length) return sm.wrapResponse(new Uint8Array(0), 0x6b00);
      let short = false;
      if (le > this.maxResponse) {
        if (this.oversize === 'wrong-length') return sm.wrapResponse(new Uint8Array(0), 0x6700);
        le = this.maxResponse;
        short = true;
      }
      const end = Math.min(file.length, offset + le);
      const data = file.subarray(offset, end);
      return sm.wrapResponse(data, short || end - offset < (apdu.le ?? 256) ? 0x6282 : 0x9000);
    }
    return sm.wrapResponse(new Uint8Array(0), 0x6d00);
  }
}
