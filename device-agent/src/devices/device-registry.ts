/** Every device's health in one place; changes go to the kiosk UI at once and to the server heartbeat. */
import type { DeviceHealth } from '@kiosk/protocol';
import { Listeners } from '../transports/transport';

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceHealth>();
  readonly changes = new Listeners<[DeviceHealth[]]>();

  update(health: Omit<DeviceHealth, 'changedAt' | 'counters'> & { counters?: Record<string, number> }): void {
    const previous = this.devices.get(health.id);
    const next: DeviceHealth = {
      ...health,
      counters: health.counters ?? previous?.counters ?? {},
      changedAt:
        previous && previous.state === health.state && previous.reason === health.reason
          ? previous.changedAt
          : new Date().toISOString(),
    };
    const changed = !previous || previous.state !== next.state || previous.reason !== next.reason;
    this.devices.set(health.id, next);
    if (changed) this.changes.emit(this.list());
  }

  count(id: string, counter: string): void {
    const d = this.devices.get(id);
    if (d) d.counters[counter] = (d.counters[counter] ?? 0) + 1;
  }

  list(): DeviceHealth[] {
    return [...this.devices.values()];
  }
}
