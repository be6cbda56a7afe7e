/**
 * Reads one elementary file the way real chips need it (JMRTD's approach): SELECT by FID, READ
 * BINARY the first bytes (8, then 4 or 2 when the chip balks), take the length from the file's own
 * TLV header, then read exactly the remaining bytes — never past the end of the file.
 * - Chunks of at most 223 bytes (the most a protected short response carries), stepping down to
 *   160 and 112 on 6700 or on a short read; 6Cxx is retried with the length the chip names.
 * - 6282 ("end of file before Le bytes") is a warning, accepted protected or not; a plain one
 *   (no secure messaging) carries no data we use.
 * - Offsets past 32 767 use READ BINARY with odd INS `B1`: the offset in a `54` data object, the
 *   data back in a `53` one (files over 32 KB).
 * - Extended-length APDUs only when the reader supports them (`extendedLength`): larger chunks,
 *   and back to short ones when the chip answers 6700.
 * Also reads before secure messaging (EF.CardAccess). Never throws.
 */
import type { AppError, Result } from '@kiosk/protocol';
import type { CommandApdu } from '../icao/apdu';
import { u16, swHex } from '../icao/bytes';
import { encodeBerTlv, readTlv } from '@kiosk/protocol';
import type { ApduChannel, ChannelFault } from './apdu-channel';

export const CHUNK_LADDER_BYTES = [223, 160, 112] as const;
/** Largest offset READ BINARY B0 can address (15 bits). */
export const MAX_B0_OFFSET = 0x7fff;
/** Files larger than this are refused (no LDS file comes close; a bad header must not exhaust memory). */
export const MAX_FILE_BYTES = 1_000_000;
/** Default chunk with extended-length APDUs. */
export const EXTENDED_CHUNK_BYTES = 1024;

export interface FileFault extends AppError {
  code: ChannelFault['code'] | 'unreadable-file';
  sw?: string;
  /** The chip says the file is not there (SELECT 6A82 / 6A80). */
  missing?: boolean;
}

export interface FileReadProgress {
  fileBytesRead: number;
  /** Known once the TLV header has been read. */
  fileBytesTotal: number | undefined;
}

export interface FileReadOptions {
  /** Largest chunk of file data per READ BINARY (≤ 223 with short APDUs). */
  maxChunkBytes: number;
  /** The reader carries extended-length APDUs: chunks may exceed 223 bytes. */
  extendedLength?: boolean;
  onProgress?: (p: FileReadProgress) => void;
}

const unreadable = (message: string, sw?: number): { ok: false; error: FileFault } => ({
  ok: false,
  error: sw === undefined ? { code: 'unreadable-file', message } : { code: 'unreadable-file', message, sw: swHex(sw) },
});

/** Total length (header + value) from the first bytes of a file; undefined while too few bytes. */
export function totalLength(head: Uint8Array): number | 'malformed' | undefined {
  if (head.length < 2) return undefined;
  const first = head[0] ?? 0;
  let p = 1;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      if (p >= head.length) return undefined;
      const b = head[p++] ?? 0;
      if (p > 4) return 'malformed';
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= head.length) return undefined;
  const l0 = head[p++] ?? 0;
  if (l0 < 0x80) return p + l0;
  const n = l0 & 0x7f;
  if (l0 === 0x80 || n > 3) return 'malformed';
  if (head.length < p + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (head[p + i] ?? 0);
  return p + n + len;
}

export async function selectFile(channel: ApduChannel, fid: number): Promise<Result<null, FileFault>> {
  const r = await channel.send({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: u16(fid) });
  if (!r.ok) return r;
  if (r.value.sw !== 0x9000) {
    const missing = r.value.sw === 0x6a82 || r.value.sw === 0x6a80;
    return {
      ok: false,
      error: {
        code: 'unreadable-file',
        message: missing ? 'file not found' : 'SELECT refused',
        sw: swHex(r.value.sw),
        ...(missing && { missing }),
      },
    };
  }
  return { ok: true, value: null };
}

/** One READ BINARY of `le` bytes at `offset` (B0, or B1 with a 54 offset object past 32 767). */
async function readAt(
  channel: ApduChannel,
  offset: number,
  want: number,
): Promise<Result<{ data: Uint8Array; sw: number; unprotected: boolean }, FileFault>> {
  let cmd: CommandApdu;
  const odd = offset > MAX_B0_OFFSET;
  if (odd) {
    const off = offset > 0xffff ? Uint8Array.of(offset >> 16, (offset >> 8) & 0xff, offset & 0xff) : u16(offset);
    // The answer is 53 L data: ask for the header too.
    const le = want + (want < 0x80 ? 2 : want < 0x100 ? 3 : 4);
    cmd = { cla: 0x00, ins: 0xb1, p1: 0x00, p2: 0x00, data: encodeBerTlv(0x54, off), le: Math.min(le, 65536) };
  } else {
    cmd = { cla: 0x00, ins: 0xb0, p1: (offset >> 8) & 0x7f, p2: offset & 0xff, le: want };
  }
  const r = await channel.send(cmd);
  if (!r.ok) return r;
  const unprotected = r.value.unprotected === true;
  if (!odd || r.value.data.length === 0)
    return { ok: true, value: { data: r.value.data, sw: r.value.sw, unprotected } };
  const do53 = readTlv(r.value.data);
  if (!do53.ok || do53.value.tag !== 0x53) return unreadable('READ BINARY (B1) answer is not a 53 data object');
  return { ok: true, value: { data: do53.value.value, sw: r.value.sw, unprotected } };
}

export async function readFile(
  channel: ApduChannel,
  fid: number,
  options: FileReadOptions,
): Promise<Result<Uint8Array, FileFault>> {
  const sel = await selectFile(channel, fid);
  if (!sel.ok) return sel;
  const shortMax = Math.max(1, Math.min(223, options.maxChunkBytes));
  const ladder: number[] = [];
  if (options.extendedLength && options.maxChunkBytes > 223) ladder.push(options.maxChunkBytes);
  ladder.push(shortMax, ...CHUNK_LADDER_BYTES.filter((n) => n < shortMax));
  let step = 0;
  let buf = new Uint8Array(256);
  let have = 0;
  let total: number | undefined;
  let exactLe: number | undefined;
  // Header probes: 8 bytes, then 4, then 2 for chips that refuse to read past a short file's end.
  const probes = [8, 4, 2].filter((n) => n <= shortMax);
  let probe = 0;
  for (let guard = 0; guard < 20_000; guard++) {
    if (total !== undefined && have >= total) break;
    const chunk = ladder[step] ?? 112;
    let want: number;
    if (exactLe !== undefined) want = exactLe;
    else if (total === undefined) want = probes[probe] ?? 2;
    else want = Math.min(total > MAX_B0_OFFSET && have + chunk > MAX_B0_OFFSET ? chunk - 4 : chunk, total - have);
    exactLe = undefined;
    const r = await readAt(channel, have, want);
    if (!r.ok) return r;
    const { data, sw, unprotected } = r.value;
    if ((sw & 0xff00) === 0x6c00 && (sw & 0xff) > 0) {
      exactLe = sw & 0xff;
      continue;
    }
    const noData = data.length === 0;
    if (sw === 0x6700 || (sw === 0x6282 && noData)) {
      // The header probe ran past a short file (or the chip wants another Le): probe smaller.
      if (total === undefined) {
        if (probe + 1 >= probes.length) return unreadable('chip refuses every header probe', sw);
        probe++;
        continue;
      }
      if (step + 1 >= ladder.length) return unreadable('chip refuses every chunk size', sw);
      step++;
      continue;
    }
    if (sw === 0x6b00 && total === undefined && have === 0) return unreadable('file is empty', sw);
    if (sw !== 0x9000 && sw !== 0x6282) return unreadable('READ BINARY refused', sw);
    if (unprotected || noData) return unreadable('chip returned no data before the end of file', sw);
    if (have + data.length > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, have + data.length));
      bigger.set(buf.subarray(0, have));
      buf = bigger;
    }
    buf.set(data, have);
    have += data.length;
    if (total === undefined) {
      const t = totalLength(buf.subarray(0, have));
      if (t === 'malformed') return unreadable('file does not start with a BER-TLV header');
      if (t === undefined) {
        if (sw === 0x6282) return unreadable('file ended before its TLV header');
        continue;
      }
      if (t > MAX_FILE_BYTES) return unreadable(`file of ${t} bytes is larger than any LDS file`);
      total = t;
    } else if (data.length < want && step + 1 < ladder.length && have < total) {
      // A short answer before the end: the reader or chip cannot carry this chunk size.
      step++;
    }
    options.onProgress?.({ fileBytesRead: Math.min(have, total), fileBytesTotal: total });
  }
  if (total === undefined) return unreadable('file ended before its TLV header');
  if (have < total) return unreadable(`file ended after ${have} of ${total} bytes`);
  return { ok: true, value: buf.slice(0, total) };
}
