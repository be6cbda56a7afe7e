/**
 * Remote diagnostics: what a technician would read at the kiosk with `kiosk-agent doctor`, the
 * device states and the last device faults. Never the screen, never a scan or a card: every text
 * leaves through `scrub`, which masks digit runs that could be an ID or insurance number.
 */
import { maskId, type DeviceError, type DeviceHealth } from '@kiosk/protocol';

/** Masks every run of 9 or more digits (ID, insurance and phone numbers) and bounds the length. */
export function scrub(text: string, maxLength = 200): string {
  return text.replace(/\d{9,}/gu, (digits) => maskId(digits)).slice(0, maxLength);
}

/** The last device faults (a state other than ready or busy, as it began), newest last, bounded. */
export class DeviceErrorLog {
  private readonly entries: DeviceError[] = [];
  private readonly lastState = new Map<string, string>();

  constructor(private readonly keep = 50) {}

  observe(devices: readonly DeviceHealth[], now: Date = new Date()): void {
    for (const d of devices) {
      const state = `${d.state}:${d.reason ?? ''}`;
      if (this.lastState.get(d.id) === state) continue;
      this.lastState.set(d.id, state);
      if (d.state === 'ready' || d.state === 'busy') continue;
      this.entries.push({
        at: now.toISOString(),
        deviceId: scrub(d.id, 128),
        class: d.class,
        state: d.state,
        ...(d.reason ? { reason: scrub(d.reason) } : {}),
      });
      if (this.entries.length > this.keep) this.entries.shift();
    }
  }

  list(): DeviceError[] {
    return [...this.entries];
  }
}
