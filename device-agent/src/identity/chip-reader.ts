/**
 * The chip-reading sequence for a CCCD (or any ICAO 9303 eMRTD) over an ApduTransport:
 * 1. Access: EF.CardAccess (read before the application, unprotected) → PACE with the CAN, then
 *    the MRZ password(s) → SELECT the application under AES secure messaging; BAC (trying each
 *    MRZ candidate, re-selecting between attempts) when the card has no EF.CardAccess, offers no
 *    PACE we support, or PACE fails in a way that allows it (protocol refused or broken).
 * 2. Under secure messaging: EF.COM (advisory: missing or malformed → the known DGs by file id),
 *    DG1 + DG13 → identity event at once; EF.SOD (checked last, but it names the DGs the chip
 *    must hold); DG14 → chip authentication (new keys); DG15 → active authentication; DG2 → face
 *    event (bytes in memory only; JPEG 2000 converted to PNG); then the passive authentication
 *    event. A chip lacking a DG14/DG15 its EF.SOD signs is a copy that dodges CA/AA: `cloned-chip`.
 * A missing or unreadable DG2 or EF.SOD leaves the identity unverified, not refused; only a failed
 * check refuses the card: passive authentication (hash, signature) → `passive-auth-failed`, chip
 * or active authentication → `cloned-chip`.
 * Never throws: the outcome is a Result whose error carries a code, a patient hint key and a
 * staff reason. Nothing personal is logged here.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { CardReadStep, Identity, Result } from '@kiosk/protocol';
import type { ApduTransport } from '../transports/transport';
import { runActiveAuthentication, type AaOutcome } from './ca/active-auth';
import { runChipAuthentication, type CaOutcome } from './ca/chip-auth';
import { accessCandidates, MAX_BAC_ATTEMPTS, type ChipAccessKey } from './chip/access-key';
import { ApduChannel, type ChannelFault } from './chip/apdu-channel';
import type { ChipVerification } from './chip/card-events';
import { chipError, type ChipReadError, type ChipReadErrorCode, type ChipReadStage } from './chip/chip-errors';
import { EXTENDED_CHUNK_BYTES, readFile, type FileFault } from './chip/file-reader';
import { jpeg2000ToPng } from './face/jpeg2000';
import { buildMutualAuthData, completeMutualAuth, deriveBacKeys } from './icao/bac';
import { swHex } from './icao/bytes';
import { SecureMessaging } from './icao/secure-messaging';
import { parseDg1 } from './lds/dg1.parser';
import { dg13ToIdentity, parseDg13, type Dg13 } from './lds/dg13.parser';
import { parseDg2, type FaceImage } from './lds/dg2.parser';
import { parseEfCom } from './lds/ef-com.parser';
import { parseSod } from './lds/sod.parser';
import { FILE_ID, MRTD_AID } from './lds/lds-files';
import {
  parseCardAccess,
  parseDg14,
  parseDg15,
  type ChipAuthenticationInfo,
  type ChipAuthenticationPublicKey,
  type Dg15,
  type PaceInfo,
  type SecurityInfo,
} from './lds/security-infos.parser';
import type { Mrz } from './mrz/mrz.parser';
import { curveByParameterId, type EcCurve } from './pace/ec';
import { runPace } from './pace/pace';
import { PACE_ALGORITHMS, type PaceAlgorithm, type PacePassword } from './pace/pace-crypto';
import { verifyPassiveAuth, type PassiveAuthResult } from './pa/passive-auth';
import type { TrustStore } from './pa/trust-store';

export interface ChipReadOptions {
  key: ChipAccessKey;
  trustStore: TrustStore;
  /** Largest READ BINARY chunk: ≤ 223 with short APDUs (default 223); default 1024 with extended ones. */
  maxChunkBytes?: number;
  /** The reader carries extended-length APDUs (a profile capability). Default false: short APDUs. */
  extendedLength?: boolean;
  apduTimeoutMs?: number;
  /** Read DG2 (the face). Default true. */
  readFace?: boolean;
  /** Try PACE when the card has EF.CardAccess. Default true. */
  pace?: boolean;
  /** Run chip authentication when DG14 offers it. Default true. */
  chipAuthentication?: boolean;
  /** Run active authentication when DG15 is present. Default true. */
  activeAuthentication?: boolean;
  /** Certificate validity instant for passive authentication; false skips it. Default now. */
  validityAt?: Date | false;
  /** Reference date for the century of a 2-digit MRZ birth year. Default now. */
  now?: Date;
  /** Randomness for RND.IFD / K.IFD and ephemeral keys (tests make it deterministic). */
  randomBytes?: (n: number) => Uint8Array;
}

export type ChipFileName = 'EF.CardAccess' | 'EF.COM' | 'DG1' | 'DG13' | 'DG14' | 'DG15' | 'DG2' | 'EF.SOD';

export interface ChipReadProgress {
  /** The protocol's card-read step, for `card:progress`. */
  step: CardReadStep;
  /** 0–100, monotonic within a read. */
  percent: number;
  /** The file being read; absent while authenticating or verifying. */
  file?: ChipFileName;
  fileBytesRead?: number;
  fileBytesTotal?: number | undefined;
  /** Bytes read so far over all files. */
  bytesRead: number;
  /** Lengths of the files opened so far (grows as files are opened). */
  bytesKnownTotal: number;
}

export interface ChipIdentityEvent {
  identity: Identity;
  mrz: Mrz;
  /** Full DG13 (includes sensitive fields: ethnicity, religion): never log, never forward. */
  dg13?: Dg13;
}

export interface ChipReadListeners {
  onProgress?: (p: ChipReadProgress) => void;
  /** DG1 + DG13 read: shown to the patient before the face is read. Authenticity still pending. */
  onIdentity?: (e: ChipIdentityEvent) => void;
  /** DG2 read (JPEG, or PNG converted from JPEG 2000). Bytes stay in memory; never write them to disk. */
  onFace?: (face: FaceImage) => void;
  /** Passive authentication ran (or could not: `unavailable`); `verification` sums up the whole read. */
  onAuthenticity?: (result: PassiveAuthResult, verification: ChipVerification) => void;
}

export interface ChipReadStats {
  apdus: number;
  bytesRead: number;
  bytesOnWire: number;
  bacAttempts: number;
  paceAttempts: number;
  /** Index in the MRZ candidates of the key the chip accepted (BAC or PACE-MRZ); -1 for the CAN. */
  bacKeyIndex: number;
  durationMs: number;
}

export interface ChipReadResult extends ChipIdentityEvent {
  face?: FaceImage;
  authenticity: PassiveAuthResult;
  verification: ChipVerification;
  chipAuthentication?: CaOutcome;
  activeAuthentication?: AaOutcome;
  /** Data groups listed in EF.COM (or found by file id when EF.COM is missing or malformed). */
  dataGroups: number[];
  /** Oddities of this chip worth a staff log line (no personal data): 'ef-com-missing' … */
  anomalies: string[];
  stats: ChipReadStats;
}

/** Percent range of each file in the progress bar. */
const FILE_PERCENT: Readonly<Record<ChipFileName, [number, number, CardReadStep]>> = {
  'EF.CardAccess': [2, 3, 'authenticating'],
  'EF.COM': [8, 10, 'reading-identity'],
  DG1: [10, 15, 'reading-identity'],
  DG13: [15, 25, 'reading-identity'],
  'EF.SOD': [25, 28, 'authenticating'],
  DG14: [28, 30, 'authenticating'],
  DG15: [30, 32, 'authenticating'],
  DG2: [32, 95, 'reading-face'],
};

/** Data groups read by file id when EF.COM cannot tell which are there. */
const KNOWN_DATA_GROUPS = [1, 13, 14, 15, 2];

const AUTH_FAILED_SW = new Set([0x6300, 0x6982, 0x6a80, 0x6985, 0x6988]);
const LINK_CODES = new Set<string>(['card-removed', 'reader-error', 'bad-mac', 'secure-messaging-lost']);

function fromFault(stage: ChipReadStage, f: ChannelFault | FileFault): ChipReadError {
  const code: ChipReadErrorCode = f.code;
  return chipError(code, stage, f.message, f.sw ? { sw: f.sw } : {});
}

function mrzDateToIso(yymmdd: string, now: Date): string | undefined {
  if (!/^\d{6}$/u.test(yymmdd)) return undefined;
  const yy = Number(yymmdd.slice(0, 2));
  const century = yy > now.getUTCFullYear() % 100 ? 1900 : 2000;
  return `${century + yy}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

export async function readChip(
  transport: ApduTransport,
  options: ChipReadOptions,
  listeners: ChipReadListeners = {},
): Promise<Result<ChipReadResult, ChipReadError>> {
  const started = performance.now();
  const channel = new ApduChannel(transport, options.apduTimeoutMs ?? 2000);
  try {
    return await runRead(channel, transport, options, listeners, started);
  } catch (e) {
    // Defensive: a listener that throws must not take the agent down.
    return {
      ok: false,
      error: chipError(
        'reader-error',
        'start',
        `unexpected: ${e instanceof Error ? e.message.slice(0, 100) : 'error'}`,
      ),
    };
  } finally {
    channel.dispose();
  }
}

interface PaceChoice {
  info: PaceInfo;
  algorithm: PaceAlgorithm;
  curve: EcCurve;
  /** EF.CardAccess lists several PACEInfos: MSE:Set AT names the parameters (DO'84'). */
  several: boolean;
}

/** The first PACEInfo we can run: ECDH generic mapping with AES on a standardized curve. */
function choosePace(infos: SecurityInfo[]): PaceChoice | undefined {
  const pace = infos.filter((i): i is PaceInfo => i.kind === 'pace');
  for (const info of pace) {
    const algorithm = PACE_ALGORITHMS[info.protocol];
    const curve = info.parameterId === undefined ? undefined : curveByParameterId(info.parameterId);
    if (algorithm && curve) return { info, algorithm, curve, several: pace.length > 1 };
  }
  return undefined;
}

async function runRead(
  channel: ApduChannel,
  transport: ApduTransport,
  options: ChipReadOptions,
  listeners: ChipReadListeners,
  started: number,
): Promise<Result<ChipReadResult, ChipReadError>> {
  const fail = (error: ChipReadError): { ok: false; error: ChipReadError } => ({ ok: false, error });
  const random = options.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const extendedLength = options.extendedLength ?? false;
  const maxChunkBytes = extendedLength
    ? Math.max(1, Math.min(65_000, options.maxChunkBytes ?? EXTENDED_CHUNK_BYTES))
    : Math.max(1, Math.min(223, options.maxChunkBytes ?? 223));
  if (!transport.cardPresent) return fail(chipError('no-card', 'start', 'no card in the field'));

  const candidates = accessCandidates(options.key);
  if (!candidates.ok) return fail(chipError('bad-access-key', 'start', candidates.error.message));
  const { can, mrz: mrzCandidates } = candidates.value;

  let bytesRead = 0;
  let bytesKnownTotal = 0;
  let percent = 0;
  const anomalies: string[] = [];
  const progress = (step: CardReadStep, pct: number, file?: Partial<ChipReadProgress>) => {
    percent = Math.max(percent, Math.min(100, Math.round(pct)));
    listeners.onProgress?.({ step, percent, bytesRead, bytesKnownTotal, ...file });
  };

  const read = async (file: ChipFileName, fid: number) => {
    let fileTotalCounted = false;
    let lastRead = 0;
    return readFile(channel, fid, {
      maxChunkBytes,
      extendedLength,
      onProgress: (p) => {
        bytesRead += p.fileBytesRead - lastRead;
        lastRead = p.fileBytesRead;
        if (!fileTotalCounted && p.fileBytesTotal !== undefined) {
          bytesKnownTotal += p.fileBytesTotal;
          fileTotalCounted = true;
        }
        const [from, to, step] = FILE_PERCENT[file];
        const fraction = p.fileBytesTotal ? p.fileBytesRead / p.fileBytesTotal : 0;
        progress(step, from + (to - from) * fraction, { file, ...p });
      },
    });
  };

  // ---- access: PACE (EF.CardAccess) or BAC ------------------------------------------------
  progress('authenticating', 2);
  let access: ChipVerification['access'] | undefined;
  let bacKeyIndex = -1;
  let bacAttempts = 0;
  let paceAttempts = 0;
  const passwords: { password: PacePassword; mrzIndex: number }[] = [
    ...(can ? [{ password: { kind: 'can' as const, can }, mrzIndex: -1 }] : []),
    ...mrzCandidates.map((m, i) => ({ password: { kind: 'mrz' as const, mrzInformation: m }, mrzIndex: i })),
  ].slice(0, MAX_BAC_ATTEMPTS);

  if ((options.pace ?? true) && passwords.length > 0) {
    const cardAccess = await read('EF.CardAccess', FILE_ID.CARD_ACCESS);
    let chosen: PaceChoice | undefined;
    if (!cardAccess.ok) {
      if (!cardAccess.error.missing && LINK_CODES.has(cardAccess.error.code))
        return fail(fromFault('EF.CardAccess', cardAccess.error));
      if (!cardAccess.error.missing) anomalies.push(`ef-card-access-unreadable:${cardAccess.error.sw ?? 'data'}`);
    } else {
      const infos = parseCardAccess(cardAccess.value);
      if (!infos.ok) anomalies.push('ef-card-access-malformed');
      else {
        chosen = choosePace(infos.value);
        if (!chosen) anomalies.push('pace-parameters-not-supported');
      }
    }
    if (chosen) {
      let refused = 0;
      for (const { password, mrzIndex } of passwords) {
        paceAttempts++;
        const r = await runPace(channel, {
          algorithm: chosen.algorithm,
          curve: chosen.curve,
          parameterId: chosen.info.parameterId ?? 0,
          sendParameterId: chosen.several,
          password,
          random,
        });
        if (r.ok) {
          channel.sm = r.value.sm;
          access = password.kind === 'can' ? 'pace-can' : 'pace-mrz';
          bacKeyIndex = mrzIndex;
          break;
        }
        const e = r.error;
        if (e.code === 'pace-refused') {
          refused++;
          continue;
        }
        if (e.code === 'pace-bad-token') return fail(chipError('bad-mac', 'pace', e.message));
        if (e.code === 'pace-not-supported' || e.code === 'pace-failed') {
          // The chip cannot do this PACE: BAC may still open it.
          anomalies.push(`${e.code}:${e.step}${e.sw ? `:${e.sw}` : ''}`);
          break;
        }
        return fail(chipError(e.code, 'pace', e.message, e.sw ? { sw: e.sw } : {}));
      }
      if (!access && refused > 0 && refused === paceAttempts)
        return fail(chipError('pace-refused', 'pace', `chip refused PACE for ${refused} password(s)`));
    }
  }

  const selectAid = async (): Promise<ChipReadError | undefined> => {
    const r = await channel.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: MRTD_AID });
    if (!r.ok) return fromFault('select', r.error);
    if (r.value.sw !== 0x9000)
      return chipError('not-an-eid', 'select', 'eMRTD application not found', { sw: swHex(r.value.sw) });
    return undefined;
  };

  if (access) {
    const selErr = await selectAid();
    if (selErr) return fail(selErr);
  } else {
    if (mrzCandidates.length === 0)
      return fail(
        chipError(
          'bad-access-key',
          'bac',
          candidates.value.mrzProblem ?? 'the chip offers no PACE and a CAN cannot open BAC',
        ),
      );
    for (const [i, keyInfo] of mrzCandidates.entries()) {
      const selErr = await selectAid();
      if (selErr) return fail(selErr);
      bacAttempts++;
      const challenge = await channel.send({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, le: 8 });
      if (!challenge.ok) return fail(fromFault('bac', challenge.error));
      if (challenge.value.sw !== 0x9000 || challenge.value.data.length !== 8)
        return fail(chipError('not-an-eid', 'bac', 'GET CHALLENGE refused', { sw: swHex(challenge.value.sw) }));
      const rndIc = Uint8Array.from(challenge.value.data);
      const rndIfd = random(8);
      const kIfd = random(16);
      const keys = deriveBacKeys(keyInfo);
      const auth = buildMutualAuthData(keys, rndIc, rndIfd, kIfd);
      const ext = await channel.send({ cla: 0x00, ins: 0x82, p1: 0x00, p2: 0x00, data: auth.data, le: 40 });
      if (!ext.ok) return fail(fromFault('bac', ext.error));
      if (ext.value.sw !== 0x9000) {
        if (AUTH_FAILED_SW.has(ext.value.sw)) continue;
        return fail(chipError('bac-refused', 'bac', 'EXTERNAL AUTHENTICATE failed', { sw: swHex(ext.value.sw) }));
      }
      const session = completeMutualAuth(keys, ext.value.data, rndIc, rndIfd, kIfd);
      if (!session.ok) {
        if (session.error.code === 'bac-bad-mac') return fail(chipError('bad-mac', 'bac', session.error.message));
        return fail(chipError('bac-refused', 'bac', session.error.message));
      }
      channel.sm = new SecureMessaging(session.value);
      bacKeyIndex = i;
      access = 'bac';
      break;
    }
    if (!access) return fail(chipError('bac-refused', 'bac', `chip refused BAC for ${bacAttempts} key candidate(s)`));
  }

  progress('authenticating', 8);

  /** A file read under secure messaging; a missing file (when allowed) is `undefined`. */
  const readDg = async (
    file: ChipFileName,
    fid: number,
  ): Promise<Result<Uint8Array | undefined, ChipReadError> & { fault?: FileFault }> => {
    const r = await read(file, fid);
    if (r.ok) return r;
    if (LINK_CODES.has(r.error.code)) return { ok: false, error: fromFault(file, r.error) };
    return { ok: true, value: undefined, fault: r.error };
  };

  // ---- EF.COM (advisory) ------------------------------------------------------------------
  let dataGroups: number[];
  const com = await readDg('EF.COM', FILE_ID.COM);
  if (!com.ok) return fail(com.error);
  const comParsed = com.value ? parseEfCom(com.value) : undefined;
  if (comParsed?.ok) dataGroups = comParsed.value.dataGroups;
  else {
    anomalies.push(com.value ? 'ef-com-malformed' : com.fault?.missing ? 'ef-com-missing' : 'ef-com-unreadable');
    dataGroups = [];
  }
  const comKnown = comParsed?.ok === true;
  const present = (n: number) => (comKnown ? dataGroups.includes(n) : KNOWN_DATA_GROUPS.includes(n));
  const found = (n: number) => {
    if (!comKnown && !dataGroups.includes(n)) dataGroups.push(n);
  };

  // ---- DG1 + DG13 → identity ----------------------------------------------------------------
  const dg1Bytes = await read('DG1', FILE_ID.DG1);
  if (!dg1Bytes.ok) return fail(fromFault('DG1', dg1Bytes.error));
  found(1);
  const mrz = parseDg1(dg1Bytes.value);
  if (!mrz.ok) return fail(chipError('unreadable-file', 'DG1', mrz.error.message));

  const hashed = new Map<number, Uint8Array>([[1, dg1Bytes.value]]);
  let dg13: Dg13 | undefined;
  if (present(13)) {
    const dg13Bytes = await readDg('DG13', FILE_ID.DG13);
    if (!dg13Bytes.ok) return fail(dg13Bytes.error);
    if (dg13Bytes.value) {
      const parsed = parseDg13(dg13Bytes.value);
      if (!parsed.ok) return fail(chipError('unreadable-file', 'DG13', parsed.error.message));
      dg13 = parsed.value;
      hashed.set(13, dg13Bytes.value);
      found(13);
    } else if (dg13Bytes.fault?.missing) anomalies.push('dg13-missing');
    else if (dg13Bytes.fault) return fail(fromFault('DG13', dg13Bytes.fault));
  }

  const now = options.now ?? new Date();
  const m = mrz.value;
  const fallback: { fullName?: string; dateOfBirth?: string; idNumber?: string; sex?: Identity['sex'] } = {};
  // Vietnamese order: family name first, as the MRZ's primary identifier.
  const mrzName = `${m.primaryIdentifier} ${m.secondaryIdentifier}`.trim();
  if (mrzName) fallback.fullName = mrzName;
  const mrzDob = mrzDateToIso(m.dateOfBirth, now);
  if (mrzDob) fallback.dateOfBirth = mrzDob;
  if (m.idNumber) fallback.idNumber = m.idNumber;
  if (m.sex !== 'other') fallback.sex = m.sex;
  const identity = dg13ToIdentity(dg13 ?? { fields: new Map(), anomalies: [] }, fallback);
  if (!identity)
    return fail(chipError('unreadable-file', dg13 ? 'DG13' : 'DG1', 'no name or date of birth on the chip'));
  const identityEvent: ChipIdentityEvent = dg13 ? { identity, mrz: m, dg13 } : { identity, mrz: m };
  listeners.onIdentity?.(identityEvent);
  const afterIdentity = (e: ChipReadError): { ok: false; error: ChipReadError } =>
    fail({ ...e, identityEmitted: true });

  // ---- EF.SOD (read now, checked last): it says which DGs the chip must hold ------------------
  const sod = await readDg('EF.SOD', FILE_ID.SOD);
  if (!sod.ok) return afterIdentity(sod.error);
  const sodParsed = sod.value ? parseSod(sod.value) : undefined;
  const signedGroups = sodParsed?.ok ? [...sodParsed.value.lds.dataGroupHashes.keys()] : [];
  // A chip without the DG14/DG15 its EF.SOD vouches for dodges chip/active authentication: a copy.
  const mustHold = (n: number, wanted: boolean, file: 'DG14' | 'DG15', missing: boolean) =>
    wanted && missing && signedGroups.includes(n)
      ? chipError(
          'cloned-chip',
          n === 14 ? 'chip-auth' : 'active-auth',
          `${file} is signed in EF.SOD but not on the chip`,
        )
      : undefined;

  // ---- DG14 → chip authentication ------------------------------------------------------------
  let caOutcome: CaOutcome | undefined;
  if (present(14) || signedGroups.includes(14)) {
    const dg14Bytes = await readDg('DG14', FILE_ID.DG14);
    if (!dg14Bytes.ok) return afterIdentity(dg14Bytes.error);
    const dodged = mustHold(14, options.chipAuthentication ?? true, 'DG14', dg14Bytes.fault?.missing === true);
    if (dodged) return afterIdentity(dodged);
    if (dg14Bytes.fault && !dg14Bytes.fault.missing) anomalies.push(`dg14-unreadable:${dg14Bytes.fault.sw ?? 'data'}`);
    if (dg14Bytes.value) {
      found(14);
      hashed.set(14, dg14Bytes.value);
      const infos = parseDg14(dg14Bytes.value);
      const key = infos.ok
        ? infos.value.find((i): i is ChipAuthenticationPublicKey => i.kind === 'ca-public-key')
        : undefined;
      const info = infos.ok ? infos.value.find((i): i is ChipAuthenticationInfo => i.kind === 'ca') : undefined;
      if (!infos.ok) anomalies.push('dg14-malformed');
      if (key && (options.chipAuthentication ?? true)) {
        progress('authenticating', 27);
        const ca = await runChipAuthentication(channel, {
          ...(info && { info }),
          publicKey: key,
          random,
          probeFileId: FILE_ID.DG14,
        });
        if (!ca.ok) return afterIdentity(chipError(ca.error.code, 'chip-auth', ca.error.message));
        caOutcome = ca.value;
        if (ca.value.status === 'failed')
          return afterIdentity(chipError('cloned-chip', 'chip-auth', ca.value.reason ?? 'chip authentication failed'));
      } else if (!key) caOutcome = { status: 'not-supported', reason: 'DG14 offers no chip authentication key' };
    }
  }

  // ---- DG15 → active authentication -----------------------------------------------------------
  let aaOutcome: AaOutcome | undefined;
  if (present(15) || signedGroups.includes(15)) {
    const dg15Bytes = await readDg('DG15', FILE_ID.DG15);
    if (!dg15Bytes.ok) return afterIdentity(dg15Bytes.error);
    const dodged = mustHold(15, options.activeAuthentication ?? true, 'DG15', dg15Bytes.fault?.missing === true);
    if (dodged) return afterIdentity(dodged);
    if (dg15Bytes.fault && !dg15Bytes.fault.missing) anomalies.push(`dg15-unreadable:${dg15Bytes.fault.sw ?? 'data'}`);
    if (dg15Bytes.value) {
      found(15);
      hashed.set(15, dg15Bytes.value);
      const dg15 = parseDg15(dg15Bytes.value);
      if (!dg15.ok) aaOutcome = { status: 'not-supported', reason: 'DG15 malformed' };
      else if (options.activeAuthentication ?? true) {
        progress('authenticating', 30);
        const aaInfo = dg14Signature(hashed.get(14));
        const aa = await runActiveAuthentication(channel, {
          dg15: dg15.value satisfies Dg15,
          ...(aaInfo && { ecdsaAlgorithm: aaInfo }),
          random,
        });
        if (!aa.ok) return afterIdentity(chipError(aa.error.code, 'active-auth', aa.error.message));
        aaOutcome = aa.value;
        if (aa.value.status === 'failed')
          return afterIdentity(
            chipError('cloned-chip', 'active-auth', aa.value.reason ?? 'active authentication failed'),
          );
      }
    }
  }

  // ---- DG2 → face ---------------------------------------------------------------------------------
  const unverifiedReasons: string[] = [];
  let face: FaceImage | undefined;
  if ((options.readFace ?? true) && present(2)) {
    const dg2Bytes = await readDg('DG2', FILE_ID.DG2);
    if (!dg2Bytes.ok) return afterIdentity(dg2Bytes.error);
    if (!dg2Bytes.value) unverifiedReasons.push(dg2Bytes.fault?.missing ? 'no-face' : 'face-unreadable');
    else {
      found(2);
      hashed.set(2, dg2Bytes.value);
      const parsed = parseDg2(dg2Bytes.value);
      if (!parsed.ok) unverifiedReasons.push('face-unreadable');
      else if (parsed.value.mimeType === 'image/jp2') {
        const png = await jpeg2000ToPng(parsed.value.bytes);
        if (png.ok)
          face = {
            mimeType: 'image/png',
            convertedFrom: 'image/jp2',
            bytes: png.value.png,
            width: png.value.width,
            height: png.value.height,
          };
        else unverifiedReasons.push('face-undecodable');
      } else face = parsed.value;
      if (face) listeners.onFace?.(face);
    }
  }

  // ---- EF.SOD → passive authentication ------------------------------------------------------
  progress('verifying', 97);
  let authenticity: PassiveAuthResult;
  if (!sod.value) {
    const reason = sod.fault?.missing ? 'no-sod' : 'sod-unreadable';
    authenticity = { status: 'unavailable', reason };
  } else {
    authenticity = verifyPassiveAuth(
      sod.value,
      hashed,
      options.validityAt === undefined
        ? { trustStore: options.trustStore }
        : { trustStore: options.trustStore, validityAt: options.validityAt },
    );
    // An EF.SOD that does not even parse proves nothing either way: unverified, not refuted.
    if (authenticity.status === 'failed' && authenticity.step === 'sod-parse')
      authenticity = { status: 'unavailable', reason: 'sod-unreadable' };
  }
  if (authenticity.status === 'unavailable') unverifiedReasons.unshift(authenticity.reason);
  const verification: ChipVerification = {
    pa: authenticity.status,
    ca: caOutcome?.status ?? 'not-supported',
    aa: aaOutcome?.status ?? 'not-supported',
    access: access,
    verified: unverifiedReasons.length === 0 && authenticity.status !== 'failed',
    unverifiedReasons,
  };
  listeners.onAuthenticity?.(authenticity, verification);
  if (authenticity.status === 'failed') {
    const where = authenticity.dataGroup !== undefined ? ` (DG${authenticity.dataGroup})` : '';
    return afterIdentity(
      chipError('passive-auth-failed', 'passive-auth', `${authenticity.step}${where}: ${authenticity.reason}`, {
        passiveAuth: authenticity,
      }),
    );
  }

  progress('verifying', 100);
  const result: ChipReadResult = {
    ...identityEvent,
    authenticity,
    verification,
    dataGroups,
    anomalies,
    stats: {
      apdus: channel.apduCount,
      bytesRead,
      bytesOnWire: channel.bytesOnWire,
      bacAttempts,
      paceAttempts,
      bacKeyIndex,
      durationMs: performance.now() - started,
    },
  };
  if (face) result.face = face;
  if (caOutcome) result.chipAuthentication = caOutcome;
  if (aaOutcome) result.activeAuthentication = aaOutcome;
  return { ok: true, value: result };
}

/** The ECDSA signature algorithm DG14's ActiveAuthenticationInfo names, if any. */
function dg14Signature(dg14: Uint8Array | undefined): string | undefined {
  if (!dg14) return undefined;
  const infos = parseDg14(dg14);
  if (!infos.ok) return undefined;
  const aa = infos.value.find((i) => i.kind === 'aa');
  return aa?.kind === 'aa' ? aa.signatureAlgorithm : undefined;
}
