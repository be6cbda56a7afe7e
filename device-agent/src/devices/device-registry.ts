/**
 * Every device's health in one place: state (+ reason), counters and the last error. A change of
 * state or reason goes to listeners at once (the kiosk UI's `devices:changed`, the server
 * heartbeat); counters and errors ride along with the next change or heartbeat.
 */
import type { DeviceHealth, TransportProblem } from '@kiosk/protocol';
import { Listeners } from '../transports/transport';

export type DeviceHealthUpdate = Omit<DeviceHealth, 'changedAt' | 'counters'> & { counters?: Record<string, number> };

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceHealth>();
  private transports_: TransportProblem[] = [];
  readonly changes = new Listeners<[DeviceHealth[]]>();

  update(health: DeviceHealthUpdate): void {
    const previous = this.devices.get(health.id);
    const sameState = previous !== undefined && previous.state === health.state && previous.reason === health.reason;
    const lastError = health.lastError ?? previous?.lastError;
    const next: DeviceHealth = {
      id: health.id,
      class: health.class,
      profileId: health.profileId,
      state: health.state,
      ...(health.reason !== undefined && { reason: health.reason }),
      counters: { ...(previous?.counters ?? {}), ...(health.counters ?? {}) },
      ...(lastError !== undefined && { lastError: lastError.slice(0, 200) }),
      changedAt: sameState ? previous.changedAt : new Date().toISOString(),
    };
    this.devices.set(health.id, next);
    if (!sameState || previous.profileId !== next.profileId) this.changes.emit(this.list());
  }

  count(id: string, counter: string, by = 1): void {
    const d = this.devices.get(id);
    if (d) d.counters[counter] = (d.counters[counter] ?? 0) + by;
  }

  /** Records an error without changing the state (a failed read, a rejected frame). */
  noteError(id: string, message: string): void {
    const d = this.devices.get(id);
    if (d) d.lastError = message.slice(0, 200);
  }

  get(id: string): DeviceHealth | undefined {
    const d = this.devices.get(id);
    return d ? { ...d, counters: { ...d.counters } } : undefined;
  }

  list(): DeviceHealth[] {
    return [...this.devices.values()].map((d) => ({ ...d, counters: { ...d.counters } }));
  }

  /** Transports that cannot be used (binding missing, pcscd down): part of the health report. */
  get transports(): TransportProblem[] {
    return this.transports_.map((t) => ({ ...t }));
  }

  setTransportProblems(problems: TransportProblem[]): void {
    const key = (list: TransportProblem[]) => JSON.stringify(list.map((p) => [p.transport, p.reason]).sort());
    if (key(problems) === key(this.transports_)) return;
    this.transports_ = problems.map((p) => ({ transport: p.transport, reason: p.reason.slice(0, 200) }));
    this.changes.emit(this.list());
  }
}
