/**
 * MLLP framing (HL7 v2 over TCP): 0x0B, the message bytes, 0x1C 0x0D. The decoder takes any
 * chunking of the stream, drops bytes outside a frame, and gives up on a frame larger than the
 * cap (counted in `dropped`) instead of growing without bound. Never throws.
 */
export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

export function mllpFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = MLLP_START;
  body.copy(out, 1);
  out[body.length + 1] = MLLP_END;
  out[body.length + 2] = MLLP_CR;
  return out;
}

export class MllpDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  /** Frames abandoned for exceeding the cap. */
  dropped = 0;

  constructor(private readonly maxFrameBytes = 4 * 1024 * 1024) {}

  /** Feeds bytes; returns the messages completed by them, as UTF-8 text. */
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(MLLP_START, i);
        if (start < 0) return out;
        this.inFrame = true;
        this.parts = [];
        this.size = 0;
        i = start + 1;
        continue;
      }
      const end = chunk.indexOf(MLLP_END, i);
      const stop = end < 0 ? chunk.length : end;
      if (stop > i) this.append(chunk.subarray(i, stop));
      if (!this.inFrame) {
        // Dropped as too large: skip to the end of this frame.
        i = end < 0 ? chunk.length : end + 1;
        continue;
      }
      if (end < 0) return out;
      // 0x1C must be followed by 0x0D; tolerate a missing CR at the very end of a chunk.
      const body = Buffer.concat(this.parts, this.size);
      this.inFrame = false;
      this.parts = [];
      this.size = 0;
      if (body.length > 0) out.push(body.toString('utf8'));
      i = end + 1;
      if (chunk[i] === MLLP_CR) i += 1;
    }
    return out;
  }

  private append(bytes: Buffer): void {
    this.size += bytes.length;
    if (this.size > this.maxFrameBytes) {
      this.dropped += 1;
      this.inFrame = false;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(bytes);
  }
}
