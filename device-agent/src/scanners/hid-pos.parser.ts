/**
 * HID POS bar code scanner reports (usage page 0x8C). Default layout (hardware.md §3): byte 0 is
 * the number of data bytes in this report, bytes 1–3 the AIM symbology id, data from byte 4, and
 * a "more data" flag in the last byte (bit 0): a long code arrives as several reports that must be
 * joined. Layout offsets differ between vendors, so they are options. Never throws: a malformed
 * report is a typed rejection and resets the assembly.
 */
import { parseAimId } from './aim-symbology';

export interface HidPosLayout {
  /** When set, byte 0 is a report id: reports with another id are ignored, this one is stripped. */
  reportId?: number;
  lengthOffset: number;
  symbologyOffset: number;
  symbologyLength: number;
  dataOffset: number;
  /** Offset of the "more data" byte; negative counts from the end of the report. */
  moreDataOffset: number;
  moreDataMask: number;
}

export const defaultHidPosLayout: HidPosLayout = {
  lengthOffset: 0,
  symbologyOffset: 1,
  symbologyLength: 3,
  dataOffset: 4,
  moreDataOffset: -1,
  moreDataMask: 0x01,
};

export type HidPosRejection = 'short-report' | 'bad-length' | 'too-long' | 'incomplete';

export type HidPosReport =
  | { kind: 'report'; data: Uint8Array; aimId?: string; moreData: boolean }
  | { kind: 'ignored' }
  | { kind: 'rejected'; code: HidPosRejection };

export function parseHidPosReport(report: Uint8Array, layout: HidPosLayout = defaultHidPosLayout): HidPosReport {
  let body = report;
  if (layout.reportId !== undefined) {
    if (report.length === 0 || report[0] !== layout.reportId) return { kind: 'ignored' };
    body = report.subarray(1);
  }
  const flagIndex = layout.moreDataOffset < 0 ? body.length + layout.moreDataOffset : layout.moreDataOffset;
  const headerEnd = Math.max(
    layout.lengthOffset + 1,
    layout.symbologyOffset + layout.symbologyLength,
    layout.dataOffset,
  );
  if (body.length < headerEnd || flagIndex < 0 || flagIndex >= body.length)
    return { kind: 'rejected', code: 'short-report' };
  const length = body[layout.lengthOffset] ?? 0;
  // The data may not run into the flag byte when the flag sits after the data.
  const dataLimit = flagIndex >= layout.dataOffset ? flagIndex : body.length;
  if (layout.dataOffset + length > dataLimit) return { kind: 'rejected', code: 'bad-length' };
  const aimId = parseAimId(body.subarray(layout.symbologyOffset, layout.symbologyOffset + layout.symbologyLength));
  const moreData = ((body[flagIndex] ?? 0) & layout.moreDataMask) !== 0;
  const data = body.slice(layout.dataOffset, layout.dataOffset + length);
  return aimId === undefined ? { kind: 'report', data, moreData } : { kind: 'report', data, aimId, moreData };
}

export type HidPosEvent =
  { kind: 'payload'; bytes: Uint8Array; aimId?: string } | { kind: 'rejected'; code: HidPosRejection };

export interface HidPosAssemblerOptions {
  layout?: Partial<HidPosLayout>;
  maxPayloadBytes?: number;
  /** A continuation that does not arrive within this time is dropped as 'incomplete'. */
  stalePartialMs?: number;
}

/** Joins "more data" reports into one payload. Feed it reports in order with their arrival time. */
export class HidPosAssembler {
  private readonly layout: HidPosLayout;
  private readonly maxPayloadBytes: number;
  private readonly stalePartialMs: number;
  private parts: Uint8Array[] = [];
  private size = 0;
  private aimId: string | undefined;
  private lastAtMs = 0;
  private overflow = false;

  constructor(options: HidPosAssemblerOptions = {}) {
    this.layout = { ...defaultHidPosLayout, ...options.layout };
    this.maxPayloadBytes = options.maxPayloadBytes ?? 8192;
    this.stalePartialMs = options.stalePartialMs ?? 1000;
  }

  get pending(): boolean {
    return this.parts.length > 0 || this.overflow;
  }

  push(report: Uint8Array, nowMs: number): HidPosEvent[] {
    const events: HidPosEvent[] = [];
    if (this.pending && nowMs - this.lastAtMs > this.stalePartialMs) {
      if (!this.overflow) events.push({ kind: 'rejected', code: 'incomplete' });
      this.reset();
    }
    this.lastAtMs = nowMs;
    const parsed = parseHidPosReport(report, this.layout);
    if (parsed.kind === 'ignored') return events;
    if (parsed.kind === 'rejected') {
      this.reset();
      events.push(parsed);
      return events;
    }
    if (!this.pending) this.aimId = parsed.aimId;
    if (!this.overflow) {
      if (this.size + parsed.data.length > this.maxPayloadBytes) {
        this.overflow = true;
        this.parts = [];
        this.size = 0;
        events.push({ kind: 'rejected', code: 'too-long' });
      } else if (parsed.data.length > 0) {
        this.parts.push(parsed.data);
        this.size += parsed.data.length;
      }
    }
    if (parsed.moreData) {
      // An empty continuation still marks an assembly in progress.
      if (!this.overflow && this.parts.length === 0) this.parts.push(new Uint8Array(0));
      return events;
    }
    if (!this.overflow) {
      const bytes = concat(this.parts, this.size);
      events.push(
        this.aimId === undefined ? { kind: 'payload', bytes } : { kind: 'payload', bytes, aimId: this.aimId },
      );
    }
    this.reset();
    return events;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.aimId = undefined;
    this.overflow = false;
  }
}

export function concat(parts: readonly Uint8Array[], size = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
