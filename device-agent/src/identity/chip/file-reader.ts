/**
 * Reads one elementary file under secure messaging: SELECT by FID, then READ BINARY in chunks
 * of at most 223 bytes (the most a protected short response carries), falling back to 160 and
 * 112 when the chip or reader answers 6700 (wrong length) or 6282 short of the end of file.
 * 6Cxx (wrong Le, exact length in SW2) is retried with that length. The file's length comes
 * from its own TLV header. Offsets stay below 32 768 (READ BINARY B0).
 */
import type { AppError, Result } from '@kiosk/protocol';
import type { CommandApdu } from '../icao/apdu';
import { u16, swHex } from '../icao/bytes';
import { readTlv } from '../tlv/ber-tlv';
import type { ApduChannel, ChannelFault } from './apdu-channel';

export const CHUNK_LADDER_BYTES = [223, 160, 112] as const;
export const MAX_B0_FILE_BYTES = 0x7fff;

export interface FileFault extends AppError {
  code: ChannelFault['code'] | 'unreadable-file';
  sw?: string;
}

export interface FileReadProgress {
  fileBytesRead: number;
  /** Known once the TLV header has been read. */
  fileBytesTotal: number | undefined;
}

export interface FileReadOptions {
  maxChunkBytes: number;
  onProgress?: (p: FileReadProgress) => void;
}

const unreadable = (message: string, sw?: number): { ok: false; error: FileFault } => ({
  ok: false,
  error: sw === undefined ? { code: 'unreadable-file', message } : { code: 'unreadable-file', message, sw: swHex(sw) },
});

/** Total length (header + value) from the first bytes of a file; undefined while too few bytes. */
function totalLength(head: Uint8Array): number | 'malformed' | undefined {
  if (head.length < 2) return undefined;
  // Parse only the header: fake a buffer long enough for the value.
  const r = readTlv(head.length >= 6 ? head.subarray(0, 6) : head, 0);
  if (r.ok) return r.value.headerLength + r.value.length;
  if (r.error.code === 'tlv-truncated') {
    const first = head[0] ?? 0;
    const tagLen = (first & 0x1f) === 0x1f ? 2 : 1;
    const l0 = head[tagLen];
    if (l0 === undefined) return undefined;
    const n = l0 < 0x80 ? 0 : l0 & 0x7f;
    if (l0 === 0x80 || n > 3) return 'malformed';
    if (head.length < tagLen + 1 + n) return undefined;
    let len = l0 < 0x80 ? l0 : 0;
    for (let i = 0; i < n; i++) len = len * 256 + (head[tagLen + 1 + i] ?? 0);
    return tagLen + 1 + n + len;
  }
  return 'malformed';
}

export async function selectFile(channel: ApduChannel, fid: number): Promise<Result<null, FileFault>> {
  const r = await channel.send({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: u16(fid) });
  if (!r.ok) return r;
  if (r.value.sw !== 0x9000) return unreadable('SELECT refused', r.value.sw);
  return { ok: true, value: null };
}

export async function readFile(
  channel: ApduChannel,
  fid: number,
  options: FileReadOptions,
): Promise<Result<Uint8Array, FileFault>> {
  const sel = await selectFile(channel, fid);
  if (!sel.ok) return sel;
  const ladder: number[] = CHUNK_LADDER_BYTES.filter((n) => n <= options.maxChunkBytes);
  if (ladder.length === 0 || ladder[0] !== Math.min(options.maxChunkBytes, 223))
    ladder.unshift(Math.min(options.maxChunkBytes, 223));
  let step = 0;
  let buf = new Uint8Array(1024);
  let have = 0;
  let total: number | undefined;
  let exactLe: number | undefined;
  for (let guard = 0; guard < 2000; guard++) {
    if (total !== undefined && have >= total) break;
    const chunk = ladder[step] ?? 112;
    const want = exactLe ?? (total === undefined ? chunk : Math.min(chunk, total - have));
    exactLe = undefined;
    const cmd: CommandApdu = { cla: 0x00, ins: 0xb0, p1: (have >> 8) & 0x7f, p2: have & 0xff, le: want };
    const r = await channel.send(cmd);
    if (!r.ok) return r;
    const { data, sw } = r.value;
    if (sw === 0x6700 || (sw === 0x6282 && data.length === 0 && total !== undefined && have < total)) {
      if (step + 1 >= ladder.length) return unreadable('chip refuses every chunk size', sw);
      step++;
      continue;
    }
    if ((sw & 0xff00) === 0x6c00 && (sw & 0xff) > 0) {
      exactLe = sw & 0xff;
      continue;
    }
    if (sw === 0x6b00 && total === undefined) break;
    if (sw !== 0x9000 && sw !== 0x6282) return unreadable('READ BINARY refused', sw);
    if (data.length === 0) {
      if (total === undefined || have >= total) break;
      return unreadable('chip returned no data before the end of file', sw);
    }
    if (have + data.length > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, have + data.length));
      bigger.set(buf.subarray(0, have));
      buf = bigger;
    }
    buf.set(data, have);
    have += data.length;
    // A short answer with 6282 before the end: the reader or chip cannot carry this chunk size.
    if (sw === 0x6282 && data.length < want && total !== undefined && have < total && step + 1 < ladder.length) step++;
    if (total === undefined) {
      const t = totalLength(buf.subarray(0, have));
      if (t === 'malformed') return unreadable('file does not start with a BER-TLV header');
      if (t !== undefined) {
        if (t > MAX_B0_FILE_BYTES + 1) return unreadable(`file of ${t} bytes exceeds READ BINARY B0 offsets`);
        total = t;
      }
    }
    options.onProgress?.({ fileBytesRead: Math.min(have, total ?? have), fileBytesTotal: total });
    if (sw === 0x6282 && total === undefined) break;
  }
  if (total === undefined) return unreadable('file ended before its TLV header');
  if (have < total) return unreadable(`file ended after ${have} of ${total} bytes`);
  return { ok: true, value: buf.slice(0, total) };
}
