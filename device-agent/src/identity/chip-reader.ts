/**
 * The chip-reading sequence for a CCCD (or any ICAO 9303 eMRTD with BAC) over an
 * ApduTransport: SELECT the eMRTD application, BAC (trying each key candidate, re-selecting
 * between attempts), then under secure messaging EF.COM, DG1 + DG13 → identity event at once,
 * then DG2 → face event (bytes in memory only) and EF.SOD → passive authentication event.
 * Never throws: the outcome is a Result whose error carries a code, a patient hint key and a
 * staff reason. Nothing personal is logged here.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { CardReadStep, Identity, Result } from '@kiosk/protocol';
import type { ApduTransport } from '../transports/transport';
import { bacKeyCandidates, type ChipAccessKey } from './chip/access-key';
import { ApduChannel, type ChannelFault } from './chip/apdu-channel';
import { chipError, type ChipReadError, type ChipReadErrorCode, type ChipReadStage } from './chip/chip-errors';
import { readFile, type FileFault } from './chip/file-reader';
import { buildMutualAuthData, completeMutualAuth, deriveBacKeys } from './icao/bac';
import { swHex } from './icao/bytes';
import { SecureMessaging } from './icao/secure-messaging';
import { parseDg1 } from './lds/dg1.parser';
import { dg13ToIdentity, parseDg13, type Dg13 } from './lds/dg13.parser';
import { parseDg2, type FaceImage } from './lds/dg2.parser';
import { parseEfCom } from './lds/ef-com.parser';
import { FILE_ID, MRTD_AID } from './lds/lds-files';
import type { Mrz } from './mrz/mrz.parser';
import { verifyPassiveAuth, type PassiveAuthResult } from './pa/passive-auth';
import type { TrustStore } from './pa/trust-store';

export interface ChipReadOptions {
  key: ChipAccessKey;
  trustStore: TrustStore;
  /** Largest READ BINARY chunk, ≤ 223 (the most a protected short APDU carries). */
  maxChunkBytes?: number;
  apduTimeoutMs?: number;
  /** Read DG2 (the face). Default true. */
  readFace?: boolean;
  /** Certificate validity instant for passive authentication; false skips it. Default now. */
  validityAt?: Date | false;
  /** Reference date for the century of a 2-digit MRZ birth year. Default now. */
  now?: Date;
  /** Randomness for RND.IFD / K.IFD (tests make it deterministic). */
  randomBytes?: (n: number) => Uint8Array;
}

export type ChipFileName = 'EF.COM' | 'DG1' | 'DG13' | 'DG2' | 'EF.SOD';

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
  /** DG2 read. Bytes stay in memory; never write them to disk. */
  onFace?: (face: FaceImage) => void;
  onAuthenticity?: (result: PassiveAuthResult) => void;
}

export interface ChipReadStats {
  apdus: number;
  bytesRead: number;
  bytesOnWire: number;
  bacAttempts: number;
  /** Index in the key candidates of the key the chip accepted. */
  bacKeyIndex: number;
  durationMs: number;
}

export interface ChipReadResult extends ChipIdentityEvent {
  face?: FaceImage;
  authenticity: PassiveAuthResult;
  /** Data groups listed in EF.COM. */
  dataGroups: number[];
  stats: ChipReadStats;
}

/** Percent range of each file in the progress bar. */
const FILE_PERCENT: Readonly<Record<ChipFileName, [number, number, CardReadStep]>> = {
  'EF.COM': [8, 10, 'reading-identity'],
  DG1: [10, 15, 'reading-identity'],
  DG13: [15, 25, 'reading-identity'],
  DG2: [25, 90, 'reading-face'],
  'EF.SOD': [90, 97, 'verifying'],
};

const AUTH_FAILED_SW = new Set([0x6300, 0x6982, 0x6a80, 0x6985, 0x6988]);

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

async function runRead(
  channel: ApduChannel,
  transport: ApduTransport,
  options: ChipReadOptions,
  listeners: ChipReadListeners,
  started: number,
): Promise<Result<ChipReadResult, ChipReadError>> {
  const fail = (error: ChipReadError): { ok: false; error: ChipReadError } => ({ ok: false, error });
  const random = options.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const maxChunkBytes = Math.max(1, Math.min(223, options.maxChunkBytes ?? 223));
  if (!transport.cardPresent) return fail(chipError('no-card', 'start', 'no card in the field'));

  const candidates = bacKeyCandidates(options.key);
  if (!candidates.ok) return fail(chipError('bad-access-key', 'start', candidates.error.message));

  let bytesRead = 0;
  let bytesKnownTotal = 0;
  let percent = 0;
  const progress = (step: CardReadStep, pct: number, file?: Partial<ChipReadProgress>) => {
    percent = Math.max(percent, Math.min(100, Math.round(pct)));
    listeners.onProgress?.({ step, percent, bytesRead, bytesKnownTotal, ...file });
  };

  // ---- SELECT + BAC ----------------------------------------------------------------------
  progress('authenticating', 2);
  const selectAid = async (): Promise<ChipReadError | undefined> => {
    const r = await channel.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: MRTD_AID });
    if (!r.ok) return fromFault('select', r.error);
    if (r.value.sw !== 0x9000)
      return chipError('not-an-eid', 'select', 'eMRTD application not found', { sw: swHex(r.value.sw) });
    return undefined;
  };

  let bacKeyIndex = -1;
  let attempts = 0;
  for (const [i, keyInfo] of candidates.value.entries()) {
    const selErr = await selectAid();
    if (selErr) return fail(selErr);
    attempts++;
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
    break;
  }
  if (!channel.sm) return fail(chipError('bac-refused', 'bac', `chip refused BAC for ${attempts} key candidate(s)`));

  progress('authenticating', 8);

  // ---- files -----------------------------------------------------------------------------
  const read = async (file: ChipFileName, fid: number): Promise<Result<Uint8Array, ChipReadError>> => {
    let fileTotalCounted = false;
    let lastRead = 0;
    const r = await readFile(channel, fid, {
      maxChunkBytes,
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
    return r.ok ? r : { ok: false, error: fromFault(file, r.error) };
  };

  const com = await read('EF.COM', FILE_ID.COM);
  if (!com.ok) return fail(com.error);
  const comParsed = parseEfCom(com.value);
  if (!comParsed.ok) return fail(chipError('unreadable-file', 'EF.COM', comParsed.error.message));
  const listed = comParsed.value.dataGroups;

  const dg1Bytes = await read('DG1', FILE_ID.DG1);
  if (!dg1Bytes.ok) return fail(dg1Bytes.error);
  const mrz = parseDg1(dg1Bytes.value);
  if (!mrz.ok) return fail(chipError('unreadable-file', 'DG1', mrz.error.message));

  const hashed = new Map<number, Uint8Array>([[1, dg1Bytes.value]]);
  let dg13: Dg13 | undefined;
  if (listed.includes(13)) {
    const dg13Bytes = await read('DG13', FILE_ID.DG13);
    if (!dg13Bytes.ok) return fail(dg13Bytes.error);
    const parsed = parseDg13(dg13Bytes.value);
    if (!parsed.ok) return fail(chipError('unreadable-file', 'DG13', parsed.error.message));
    dg13 = parsed.value;
    hashed.set(13, dg13Bytes.value);
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

  let face: FaceImage | undefined;
  if ((options.readFace ?? true) && listed.includes(2)) {
    const dg2Bytes = await read('DG2', FILE_ID.DG2);
    if (!dg2Bytes.ok) return afterIdentity(dg2Bytes.error);
    const parsed = parseDg2(dg2Bytes.value);
    if (!parsed.ok) return afterIdentity(chipError('unreadable-file', 'DG2', parsed.error.message));
    face = parsed.value;
    hashed.set(2, dg2Bytes.value);
    listeners.onFace?.(face);
  }

  const sod = await read('EF.SOD', FILE_ID.SOD);
  if (!sod.ok) return afterIdentity(sod.error);
  progress('verifying', 97);
  const authenticity = verifyPassiveAuth(
    sod.value,
    hashed,
    options.validityAt === undefined
      ? { trustStore: options.trustStore }
      : { trustStore: options.trustStore, validityAt: options.validityAt },
  );
  listeners.onAuthenticity?.(authenticity);
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
    dataGroups: listed,
    stats: {
      apdus: channel.apduCount,
      bytesRead,
      bytesOnWire: channel.bytesOnWire,
      bacAttempts: attempts,
      bacKeyIndex,
      durationMs: performance.now() - started,
    },
  };
  if (face) result.face = face;
  return { ok: true, value: result };
}
