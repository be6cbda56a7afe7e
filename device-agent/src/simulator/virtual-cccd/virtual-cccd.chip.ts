/**
 * A virtual CCCD chip: an ICAO 9303 eMRTD application answering APDUs over a file system of
 * EF.COM, DG1 (TD1), DG2 (generated JPEG face, or a given JPEG 2000 one), DG13 (16 Vietnamese
 * fields), optionally DG14/DG15, and EF.SOD signed by a throwaway CSCA → document signer.
 * Access: BAC with 3DES secure messaging (the default, the plainest card), or PACE-capable
 * (`access: 'pace'`: EF.CardAccess, MSE:Set AT, chained GENERAL AUTHENTICATE, AES secure
 * messaging, for the CAN and the MRZ password; BAC still answers unless `access: 'pace-only'`).
 * Chip authentication (MSE:Set KAT for 3DES, MSE:Set AT + GENERAL AUTHENTICATE for AES) and
 * active authentication (INTERNAL AUTHENTICATE, RSA ISO 9796-2 or ECDSA) with real keys.
 * Behaviour follows ICAO 9303-11: files need BAC or PACE, a wrong MAC or a plain command ends the
 * SM session (6988/6987), reads past the end answer the available bytes with 6282, READ BINARY
 * B1 reads past 32 KB. `faults` give the quirks of real chips the reader must survive.
 */
import { constants, privateEncrypt, randomBytes, sign } from 'node:crypto';
import { iso9796HashBytes, iso9796Representative } from '../../identity/ca/active-auth';
import { caSecureMessaging, CA_ECDH_PROTOCOLS } from '../../identity/ca/chip-auth';
import { decodeCommandApdu, type CommandApdu } from '../../identity/icao/apdu';
import { answerMutualAuth, deriveBacKeys, type BacKeys } from '../../identity/icao/bac';
import { bytesEqual, concat, u16 } from '../../identity/icao/bytes';
import { SecureMessaging, type SecureChannel } from '../../identity/icao/secure-messaging';
import { FILE_ID, MRTD_AID } from '../../identity/lds/lds-files';
import { parseMrz } from '../../identity/mrz/mrz.parser';
import { curveByName, curveByParameterId, decodePoint, randomScalar } from '../../identity/pace/ec';
import { PACE_ALGORITHMS, sharedSecret } from '../../identity/pace/pace-crypto';
import { encodeBerTlv, readTlv, readTlvList, decodeOid } from '@kiosk/protocol';
import { buildDg2, buildEfCom, buildFaceRecord, type Dg13Content } from './lds-builder';
import { PaceChipSession } from './pace-chip';
import { buildSod, createTestPki, type HashName, type TestPki } from './pki';
import {
  buildCardAccess,
  buildDg14,
  buildDg15,
  makeActiveAuthenticationKey,
  makeChipAuthenticationKey,
  PACE_OID_BY_KEY_BYTES,
  type ActiveAuthenticationKey,
  type ChipAuthenticationKey,
} from './security-files';
import { buildCardFiles, SYNTHETIC_MRZ } from './synthetic-card';

/** Anything that answers command APDUs like a card (the simulated transport drives it). */
export interface ApduResponder {
  /** Answer to reset. */
  readonly atr: Uint8Array;
  /** Power-on / warm reset: forget the selected application and any session. */
  reset(): void;
  process(command: Uint8Array): Uint8Array;
}

/** Quirks of real chips (hardware.md §1, "Reading files from real chips"). */
export interface VirtualCccdFaults {
  /** Warnings (6282 on a read past the end or a short read) answered without secure messaging; with plain data beside them when `'with-plain-data'`. */
  unprotected6282?: boolean | 'with-plain-data';
  /** EF.COM that is a TLV file but not a valid EF.COM (no tag list). */
  malformedEfCom?: boolean;
  /** No EF.COM at all (SELECT answers 6A82). */
  missingEfCom?: boolean;
  /** No EF.SOD on the chip. */
  noSod?: boolean;
  /** No DG2 file on the chip, although EF.COM and EF.SOD list it. */
  noDg2?: boolean;
  /** DG2 stored without its outer `75` template (the file starts with `7F61`; EF.SOD hashes it so). */
  dg2WithoutOuterTag?: boolean;
  /**
   * A cloned chip: DG14, DG15 and EF.SOD copied from a genuine card, so passive authentication
   * verifies, but other private keys: chip and active authentication fail.
   */
  cloned?: boolean;
  /**
   * A cloned chip that hides these DGs (typically 14 and 15, to dodge chip and active
   * authentication): the files are gone and EF.COM (unsigned) no longer lists them, EF.SOD still does.
   */
  strippedDataGroups?: number[];
}

export interface VirtualCccdOptions {
  /** TD1 MRZ lines (default: the synthetic card of vietnam.md). */
  mrz?: string[];
  dg13?: Dg13Content;
  /** DG2 JPEG size in bytes; default 20 000. Over 32 767 the reader needs READ BINARY B1. */
  faceBytes?: number;
  /** A JPEG 2000 face (codestream or JP2 file, e.g. from `generateFaceJpeg2000`) instead of the JPEG. */
  faceJpeg2000?: Uint8Array;
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
  /** `bac` (default): BAC only, no EF.CardAccess. `pace`: PACE-capable, BAC too. `pace-only`: no BAC. */
  access?: 'bac' | 'pace' | 'pace-only';
  /** EF.CardAccess to store instead of the one describing the chip's PACE (tests of odd cards). */
  cardAccess?: Uint8Array;
  /** PACE standardized domain parameters (12 P-256, 13 brainpoolP256r1 …); default 13. */
  paceParameterId?: number;
  /** PACE session key length (AES-128/192/256); default 16. */
  paceKeyBytes?: 16 | 24 | 32;
  /** Card access number; default the last 6 digits of the 12-digit ID (what CCCD readers use). */
  can?: string;
  /** DG14 with a chip authentication key (AES, CA v2, or 3DES, CA v1 with MSE:Set KAT). */
  chipAuthentication?: 'aes' | '3des';
  /** Curve of the chip authentication key; default P-256. */
  chipAuthenticationCurve?: string;
  /** DG15 with an active authentication key. */
  activeAuthentication?: 'rsa' | 'ecdsa';
  /** The chip accepts extended-length APDUs (its answers may then exceed 256 bytes). */
  extendedLength?: boolean;
  faults?: VirtualCccdFaults;
  /** Store a 7-byte EF.COM (shorter than the reader's 8-byte header probe). */
  minimalEfCom?: boolean;
  random?: (n: number) => Uint8Array;
}

const ATR = Uint8Array.from([0x3b, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x7e]);

const sw = (value: number): Uint8Array => u16(value);

export class VirtualCccdChip implements ApduResponder {
  readonly atr = ATR;
  readonly files = new Map<number, Uint8Array>();
  readonly pki: TestPki;
  readonly bacKeyInfo: string;
  /** The card access number the chip accepts for PACE. */
  readonly can: string;
  /** The face image as stored in DG2 (JPEG, or the JPEG 2000 given). */
  readonly faceJpeg: Uint8Array;
  /** Raw DG bytes by DG number, as stored (after any tampering). */
  readonly dataGroups: Map<number, Uint8Array>;
  /** Commands answered, for tests. */
  commandCount = 0;
  /** READ BINARYs that asked for bytes past the end of the file (answered 6282), for tests. */
  overReads = 0;
  /** How the last session was opened (for tests): 'bac' or 'pace'. */
  lastAccess: 'bac' | 'pace' | undefined;
  private readonly keys: BacKeys;
  private readonly random: (n: number) => Uint8Array;
  private readonly maxResponse: number;
  private readonly oversize: 'wrong-length' | 'short-read';
  private readonly access: 'bac' | 'pace' | 'pace-only';
  private readonly extended: boolean;
  private readonly faults: VirtualCccdFaults;
  private readonly pace: PaceChipSession | undefined;
  private readonly caKey: ChipAuthenticationKey | undefined;
  private readonly aaKey: ActiveAuthenticationKey | undefined;
  private appSelected = false;
  private mfFile: Uint8Array | undefined;
  private rndIc: Uint8Array | undefined;
  private sm: SecureChannel | undefined;
  private selectedFile: Uint8Array | undefined;
  private caProtocol: string | undefined;

  constructor(options: VirtualCccdOptions = {}) {
    const mrz = options.mrz ?? SYNTHETIC_MRZ;
    const parsed = parseMrz(mrz.join('\n'));
    if (!parsed.ok) throw new Error(`virtual CCCD: MRZ rejected (${parsed.error.code})`);
    this.bacKeyInfo = parsed.value.bacKeyInfo;
    this.keys = deriveBacKeys(this.bacKeyInfo);
    this.random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.extended = options.extendedLength ?? false;
    this.maxResponse = options.maxResponseDataBytes ?? (this.extended ? 65_536 : 231);
    this.oversize = options.oversizeLeBehaviour ?? 'wrong-length';
    this.access = options.access ?? 'bac';
    this.faults = options.faults ?? {};
    this.pki = options.pki ?? createTestPki();
    const idNumber = parsed.value.idNumber ?? options.dg13?.idNumber ?? '';
    this.can = options.can ?? idNumber.slice(-6);

    const cardFiles = buildCardFiles({
      mrz,
      ...(options.dg13 ? { dg13: options.dg13 } : {}),
      faceBytes: options.faceBytes ?? 20_000,
    });
    this.faceJpeg = options.faceJpeg2000 ?? cardFiles.faceJpeg;
    if (options.faceJpeg2000)
      cardFiles.dataGroups.set(
        2,
        buildDg2(buildFaceRecord(options.faceJpeg2000, { widthPx: 240, heightPx: 320, gender: 2, imageDataType: 1 })),
      );
    if (this.faults.dg2WithoutOuterTag) {
      const dg2 = cardFiles.dataGroups.get(2);
      const outer = dg2 ? readTlv(dg2) : undefined;
      if (outer?.ok) cardFiles.dataGroups.set(2, Uint8Array.from(outer.value.value));
    }

    const paceParameterId = options.paceParameterId ?? 13;
    const paceOid = PACE_OID_BY_KEY_BYTES[options.paceKeyBytes ?? 16];
    if (this.access !== 'bac') {
      const curve = curveByParameterId(paceParameterId);
      const algorithm = PACE_ALGORITHMS[paceOid];
      if (!curve || !algorithm) throw new Error(`virtual CCCD: PACE parameters ${paceParameterId} not supported`);
      this.files.set(FILE_ID.CARD_ACCESS, options.cardAccess ?? buildCardAccess(paceOid, paceParameterId));
      this.pace = new PaceChipSession({
        algorithm,
        curve,
        parameterId: paceParameterId,
        passwords: {
          1: { kind: 'mrz', mrzInformation: this.bacKeyInfo },
          ...(this.can ? { 2: { kind: 'can' as const, can: this.can } } : {}),
        },
        random: this.random,
      });
    }
    if (options.chipAuthentication) {
      const curve = curveByName(options.chipAuthenticationCurve ?? 'P-256');
      if (!curve) throw new Error('virtual CCCD: chip authentication curve not supported');
      const advertised = makeChipAuthenticationKey(curve, options.chipAuthentication, this.random);
      this.caKey = this.faults.cloned ? { ...advertised, privateKey: randomScalar(curve, this.random) } : advertised;
    }
    if (options.activeAuthentication) {
      const advertised = makeActiveAuthenticationKey(options.activeAuthentication);
      this.aaKey = this.faults.cloned
        ? { ...advertised, privateKey: makeActiveAuthenticationKey(options.activeAuthentication).privateKey }
        : advertised;
    }
    if (this.caKey || this.aaKey?.signatureAlgorithm)
      cardFiles.dataGroups.set(
        14,
        buildDg14({
          ...(this.caKey && { ca: this.caKey }),
          ...(this.aaKey && { aa: this.aaKey }),
          ...(this.access !== 'bac' && { pace: { oid: paceOid, parameterId: paceParameterId } }),
        }),
      );
    if (this.aaKey) cardFiles.dataGroups.set(15, buildDg15(this.aaKey));

    for (const n of options.withoutDataGroups ?? []) cardFiles.dataGroups.delete(n);
    const ordered = new Map([...cardFiles.dataGroups.entries()].sort(([a], [b]) => a - b));
    cardFiles.com = buildEfCom([...ordered.keys()]);
    const sod = buildSod({
      dataGroups: ordered,
      signer: this.pki.documentSigner,
      hash: options.sodHash ?? 'sha256',
      corruptSignature: options.corruptSodSignature ?? false,
    });
    this.dataGroups = new Map(ordered);
    if (options.tamperDataGroup !== undefined) {
      const dg = this.dataGroups.get(options.tamperDataGroup);
      if (dg) {
        const copy = Uint8Array.from(dg);
        copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
        this.dataGroups.set(options.tamperDataGroup, copy);
      }
    }
    const stripped = this.faults.strippedDataGroups ?? [];
    let com =
      stripped.length > 0 ? buildEfCom([...ordered.keys()].filter((n) => !stripped.includes(n))) : cardFiles.com;
    if (options.minimalEfCom) com = encodeBerTlv(0x60, encodeBerTlv(0x5c, Uint8Array.of(0x61, 0x75, 0x6d)));
    if (this.faults.malformedEfCom) com = encodeBerTlv(0x60, encodeBerTlv(0x5f01, new TextEncoder().encode('0107')));
    if (!this.faults.missingEfCom) this.files.set(FILE_ID.COM, com);
    if (!this.faults.noSod) this.files.set(FILE_ID.SOD, sod);
    for (const [n, bytes] of this.dataGroups)
      if (!(n === 2 && this.faults.noDg2) && !stripped.includes(n)) this.files.set(0x0100 + n, bytes);
  }

  reset(): void {
    this.appSelected = false;
    this.mfFile = undefined;
    this.rndIc = undefined;
    this.sm = undefined;
    this.selectedFile = undefined;
    this.caProtocol = undefined;
    this.pace?.reset();
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
    if (!this.extended && command.length >= 7 && command[4] === 0) return sw(0x6700);
    if (apdu.ins === 0xa4 && apdu.p1 === 0x04) return this.selectApplication(apdu.data);
    if (hadSm) return sw(0x6987);
    // Before the application: EF.CardAccess (PACE-capable cards) and PACE itself.
    if (apdu.ins === 0xa4 && apdu.p1 === 0x02 && !this.appSelected) return this.selectInMf(apdu);
    if (apdu.ins === 0xb0 && !this.appSelected) return this.readMf(apdu);
    if (apdu.ins === 0x22 && apdu.p1 === 0xc1 && apdu.p2 === 0xa4 && this.pace)
      return this.paceAnswer(this.pace.setAt(apdu.data ?? new Uint8Array(0)));
    if (apdu.ins === 0x86 && this.pace)
      return this.paceAnswer(this.pace.generalAuthenticate(apdu.data ?? new Uint8Array(0), (apdu.cla & 0x10) !== 0));
    if (!this.appSelected) return sw(0x6985);
    if (apdu.ins === 0x84 && this.access !== 'pace-only') return this.getChallenge(apdu);
    if (apdu.ins === 0x82 && this.access !== 'pace-only') return this.externalAuthenticate(apdu);
    if (apdu.ins === 0xa4 || apdu.ins === 0xb0 || apdu.ins === 0xb1) return sw(0x6982);
    return sw(0x6d00);
  }

  private paceAnswer(a: { data: Uint8Array; sw: number; sm?: SecureChannel }): Uint8Array {
    if (a.sm) {
      this.sm = a.sm;
      this.lastAccess = 'pace';
    }
    return concat(a.data, sw(a.sw));
  }

  private selectInMf(apdu: CommandApdu): Uint8Array {
    const fid = apdu.data && apdu.data.length === 2 ? ((apdu.data[0] ?? 0) << 8) | (apdu.data[1] ?? 0) : -1;
    this.mfFile = fid === FILE_ID.CARD_ACCESS ? this.files.get(fid) : undefined;
    return sw(this.mfFile ? 0x9000 : 0x6a82);
  }

  /** READ BINARY of EF.CardAccess before the application (plain; P1 = 9C selects it by SFI). */
  private readMf(apdu: CommandApdu): Uint8Array {
    if ((apdu.p1 & 0x80) !== 0) {
      if ((apdu.p1 & 0x1f) !== 0x1c) return sw(0x6a82);
      this.mfFile = this.files.get(FILE_ID.CARD_ACCESS);
    }
    const file = this.mfFile;
    if (!file) return sw(this.access === 'bac' ? 0x6a82 : 0x6986);
    const offset = (apdu.p1 & 0x80) !== 0 ? apdu.p2 : ((apdu.p1 & 0x7f) << 8) | apdu.p2;
    if (offset >= file.length) return sw(0x6b00);
    const le = apdu.le ?? 256;
    const data = file.subarray(offset, Math.min(file.length, offset + le));
    return concat(data, sw(data.length < le ? 0x6282 : 0x9000));
  }

  private selectApplication(data: Uint8Array | undefined): Uint8Array {
    this.selectedFile = undefined;
    this.rndIc = undefined;
    this.mfFile = undefined;
    if (data && bytesEqual(data, MRTD_AID)) {
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
    this.lastAccess = 'bac';
    return concat(r.value.response, sw(0x9000));
  }

  /** A warning the `unprotected6282` fault answers in plain: the session's counter still moves on. */
  private plainWarning(sm: SecureChannel, data: Uint8Array): Uint8Array {
    sm.incrementSsc();
    return this.faults.unprotected6282 === 'with-plain-data'
      ? concat(new Uint8Array(data.length), sw(0x6282))
      : sw(0x6282);
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
    // A chip without extended-length support: wrong length, still under secure messaging.
    if (!this.extended && command[4] === 0 && command.length > 7) return sm.wrapResponse(new Uint8Array(0), 0x6700);
    if (apdu.ins === 0xa4 && apdu.p1 === 0x04) {
      const answer = this.selectApplication(apdu.data);
      return sm.wrapResponse(new Uint8Array(0), ((answer[0] ?? 0) << 8) | (answer[1] ?? 0));
    }
    if (!this.appSelected) return sm.wrapResponse(new Uint8Array(0), 0x6985);
    if (apdu.ins === 0xa4 && apdu.p1 === 0x02) {
      const fid = apdu.data && apdu.data.length === 2 ? ((apdu.data[0] ?? 0) << 8) | (apdu.data[1] ?? 0) : -1;
      const file = fid === FILE_ID.CARD_ACCESS ? undefined : this.files.get(fid);
      this.selectedFile = file;
      return sm.wrapResponse(new Uint8Array(0), file ? 0x9000 : 0x6a82);
    }
    if (apdu.ins === 0xb0 || apdu.ins === 0xb1) return this.readBinary(sm, apdu);
    if (apdu.ins === 0x22) return this.manageSecurityEnvironment(sm, apdu);
    if (apdu.ins === 0x86) return this.chipAuthenticationGa(sm, apdu);
    if (apdu.ins === 0x88) return this.internalAuthenticate(sm, apdu);
    return sm.wrapResponse(new Uint8Array(0), 0x6d00);
  }

  private readBinary(sm: SecureChannel, apdu: CommandApdu): Uint8Array {
    const odd = apdu.ins === 0xb1;
    const file = this.selectedFile;
    if (!file) return sm.wrapResponse(new Uint8Array(0), 0x6986);
    let offset: number;
    if (odd) {
      const do54 = apdu.data ? readTlv(apdu.data) : undefined;
      if (!do54?.ok || do54.value.tag !== 0x54 || do54.value.length === 0 || do54.value.length > 3)
        return sm.wrapResponse(new Uint8Array(0), 0x6a80);
      offset = [...do54.value.value].reduce((n, b) => n * 256 + b, 0);
    } else {
      if ((apdu.p1 & 0x80) !== 0) return sm.wrapResponse(new Uint8Array(0), 0x6b00);
      offset = ((apdu.p1 & 0x7f) << 8) | apdu.p2;
    }
    const asked = apdu.le ?? 256;
    // B1 answers 53 L data: the header counts against Le.
    const overhead = odd ? (asked - 2 < 0x80 ? 2 : asked - 3 < 0x100 ? 3 : 4) : 0;
    let le = asked - overhead;
    if (offset >= file.length) return sm.wrapResponse(new Uint8Array(0), 0x6b00);
    let short = false;
    if (le > this.maxResponse) {
      if (this.oversize === 'wrong-length') return sm.wrapResponse(new Uint8Array(0), 0x6700);
      le = this.maxResponse;
      short = true;
    }
    const end = Math.min(file.length, offset + le);
    const data = file.subarray(offset, end);
    const warning = short || end - offset < asked - overhead;
    if (end - offset < asked - overhead && !short) this.overReads++;
    if (warning && this.faults.unprotected6282) return this.plainWarning(sm, data);
    return sm.wrapResponse(odd ? encodeBerTlv(0x53, data) : data, warning ? 0x6282 : 0x9000, { oddIns: odd });
  }

  /** MSE:Set KAT (41 A6: CA v1, 3DES) or MSE:Set AT (41 A4: CA v2, AES). */
  private manageSecurityEnvironment(sm: SecureChannel, apdu: CommandApdu): Uint8Array {
    const ca = this.caKey;
    const list = apdu.data ? readTlvList(apdu.data) : undefined;
    if (!ca || !list?.ok) return sm.wrapResponse(new Uint8Array(0), 0x6a80);
    const get = (tag: number) => list.value.find((t) => t.tag === tag)?.value;
    if (apdu.p1 === 0x41 && apdu.p2 === 0xa6) {
      const pk = get(0x91);
      if (!ca.protocol.endsWith('.2.1') || !pk) return sm.wrapResponse(new Uint8Array(0), 0x6a80);
      return this.finishChipAuthentication(sm, ca, pk, ca.protocol, false);
    }
    if (apdu.p1 === 0x41 && apdu.p2 === 0xa4) {
      const oid = get(0x80);
      const protocol = oid ? decodeOid(oid) : undefined;
      if (protocol !== ca.protocol) return sm.wrapResponse(new Uint8Array(0), 0x6a80);
      this.caProtocol = protocol;
      return sm.wrapResponse(new Uint8Array(0), 0x9000);
    }
    return sm.wrapResponse(new Uint8Array(0), 0x6a86);
  }

  private chipAuthenticationGa(sm: SecureChannel, apdu: CommandApdu): Uint8Array {
    const ca = this.caKey;
    const protocol = this.caProtocol;
    this.caProtocol = undefined;
    const outer = apdu.data ? readTlv(apdu.data) : undefined;
    const inner = outer?.ok && outer.value.tag === 0x7c ? readTlvList(outer.value.value) : undefined;
    const pk = inner?.ok ? inner.value.find((t) => t.tag === 0x80)?.value : undefined;
    if (!ca || !protocol || !pk) return sm.wrapResponse(new Uint8Array(0), 0x6985);
    return this.finishChipAuthentication(sm, ca, pk, protocol, true);
  }

  /** Answers under the old keys, then switches to the CA keys derived with the chip's private key. */
  private finishChipAuthentication(
    sm: SecureChannel,
    ca: ChipAuthenticationKey,
    terminalPoint: Uint8Array,
    protocol: string,
    generalAuthenticate: boolean,
  ): Uint8Array {
    const cipher = CA_ECDH_PROTOCOLS[protocol];
    const pk = decodePoint(ca.curve, terminalPoint);
    if (!cipher || !pk.ok) return sm.wrapResponse(new Uint8Array(0), 0x6a80);
    const k = sharedSecret(ca.curve, ca.privateKey, pk.value);
    if (!k.ok) return sm.wrapResponse(new Uint8Array(0), 0x6a80);
    const answer = sm.wrapResponse(generalAuthenticate ? Uint8Array.of(0x7c, 0x00) : new Uint8Array(0), 0x9000);
    this.sm = caSecureMessaging(cipher, k.value);
    return answer;
  }

  private internalAuthenticate(sm: SecureChannel, apdu: CommandApdu): Uint8Array {
    const aa = this.aaKey;
    const challenge = apdu.data;
    if (!aa) return sm.wrapResponse(new Uint8Array(0), 0x6d00);
    if (!challenge || challenge.length !== 8) return sm.wrapResponse(new Uint8Array(0), 0x6700);
    let signature: Uint8Array;
    if (aa.kind === 'rsa') {
      const k = aa.modulusBytes ?? 128;
      const m1 = this.random(k - iso9796HashBytes('sha1') - 2);
      const m = iso9796Representative(k, challenge, m1, 'sha1');
      signature = new Uint8Array(privateEncrypt({ key: aa.privateKey, padding: constants.RSA_NO_PADDING }, m));
    } else {
      signature = new Uint8Array(sign('sha256', challenge, { key: aa.privateKey, dsaEncoding: 'ieee-p1363' }));
    }
    return sm.wrapResponse(signature, 0x9000);
  }
}
