/**
 * The admin's detail view of one kiosk: GET /api/admin/agents/:id → KioskDetail. The heartbeat
 * history is bounded (one sample a minute at most, the last day per kiosk). No personal data.
 */
import type { DeviceHealth } from './device';
import type { FleetAlert } from './operations';

export interface HeartbeatSample {
  at: string;
  softwareVersion: string;
  /** Devices ready or busy, out of all the kiosk reported. */
  ready: number;
  total: number;
  /** `class:state(:reason)` of every device not ready, e.g. `printer:error:paper-out`. */
  problems: string[];
}

export interface KioskDetail {
  id: string;
  name: string;
  revoked: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  softwareVersion: string | null;
  devices: DeviceHealth[];
  /** Oldest first. */
  heartbeats: HeartbeatSample[];
  /** The kiosk's latest alerts (open or resolved), newest first. */
  alerts: FleetAlert[];
}
