/**
 * Fleet alerts that raise and resolve themselves: kiosk offline (no heartbeat for
 * KIOSK_OFFLINE_AFTER_SECONDS), printer paper near end / out / fault, reader or scanner
 * disconnected (from heartbeat device health), EMR delivery failing (raised by whoever delivers
 * to the EMR). At most one open alert per kind, subject and device (a partial unique index), so
 * several server instances may raise the same condition concurrently.
 */
import { newRowId } from '../db/row-id';
import type { AlertKind, DeviceHealth, FleetAlert } from '@kiosk/protocol';
import type { AlertTable } from '../db/schema';
import type { Repositories } from '../repositories';
import type { Clock } from '../clock';

export const SERVER_SUBJECT = 'server';

interface Condition {
  kind: AlertKind;
  deviceId: string;
  severity: FleetAlert['severity'];
  detail: string | null;
}

const DEVICE_KINDS: readonly AlertKind[] = [
  'printer-paper-near-end',
  'printer-paper-out',
  'printer-fault',
  'reader-disconnected',
  'scanner-disconnected',
  'agent-storage-corrupt',
];

/** The alert conditions a heartbeat's device list and storage faults show. Pure. */
export function deviceConditions(
  devices: readonly DeviceHealth[],
  storageFaults: readonly { file: string }[] = [],
): Condition[] {
  const out: Condition[] = [];
  // One alert per kiosk while any moved-aside file remains; the detail names the newest.
  const newest = storageFaults.at(-1);
  if (newest)
    out.push({ kind: 'agent-storage-corrupt', deviceId: 'storage', severity: 'critical', detail: newest.file });
  for (const d of devices) {
    if (d.class === 'printer') {
      if (d.reason === 'paper-out')
        out.push({ kind: 'printer-paper-out', deviceId: d.id, severity: 'critical', detail: null });
      else if (d.reason === 'paper-near-end')
        out.push({ kind: 'printer-paper-near-end', deviceId: d.id, severity: 'warning', detail: null });
      else if (d.state === 'error' || d.state === 'disconnected')
        out.push({ kind: 'printer-fault', deviceId: d.id, severity: 'critical', detail: d.reason ?? d.state });
    } else if (d.state === 'disconnected') {
      const kind = d.class === 'card-reader' ? 'reader-disconnected' : 'scanner-disconnected';
      out.push({ kind, deviceId: d.id, severity: 'warning', detail: null });
    }
  }
  return out;
}

export function toAlert(r: AlertTable): FleetAlert {
  return {
    id: r.id,
    kind: r.kind as AlertKind,
    subject: r.subject,
    deviceId: r.device_id === '' ? null : r.device_id,
    severity: r.severity as FleetAlert['severity'],
    since: r.since,
    resolvedAt: r.resolved_at,
    detail: r.detail,
  };
}

export class AlertService {
  constructor(
    private readonly repositories: Pick<Repositories, 'alerts' | 'agents'>,
    private readonly clock: Clock,
    private readonly onChanged: (alert: FleetAlert) => void,
    private readonly offlineAfterMs: number,
  ) {}

  async list(includeResolved = false): Promise<FleetAlert[]> {
    return (await this.repositories.alerts.list(includeResolved)).map(toAlert);
  }

  /** Open alerts by kind, for metrics. */
  async openCounts(): Promise<Map<string, number>> {
    return this.repositories.alerts.openCounts();
  }

  /** Raises an alert unless the same one is open; returns whether it was new. */
  async raise(
    kind: AlertKind,
    subject: string,
    deviceId: string | null,
    severity: FleetAlert['severity'],
    detail: string | null,
    since?: string,
  ): Promise<boolean> {
    const row: AlertTable = {
      id: newRowId(),
      kind,
      subject,
      device_id: deviceId ?? '',
      severity,
      since: since ?? this.clock.now().toISOString(),
      resolved_at: null,
      detail,
    };
    const inserted = await this.repositories.alerts.insertUnlessOpen(row);
    if (inserted) this.onChanged(toAlert(row));
    return inserted;
  }

  /** Resolves the open alerts matching kind (all kinds when omitted), subject and device. */
  async resolve(subject: string, kinds?: readonly AlertKind[], deviceId?: string | null): Promise<number> {
    const { alerts } = this.repositories;
    const open = await alerts.openOf(subject, kinds, deviceId === undefined ? undefined : (deviceId ?? ''));
    let n = 0;
    for (const a of open) {
      const at = this.clock.now().toISOString();
      if (await alerts.resolve(a.id, at)) {
        n += 1;
        this.onChanged(toAlert({ ...a, resolved_at: at }));
      }
    }
    return n;
  }

  /** Brings a kiosk's device alerts in line with its latest heartbeat; it is online again. */
  async reconcileHeartbeat(
    agentId: string,
    devices: readonly DeviceHealth[],
    storageFaults: readonly { file: string }[] = [],
  ): Promise<void> {
    const wanted = deviceConditions(devices, storageFaults);
    await this.resolve(agentId, ['kiosk-offline']);
    const open = await this.repositories.alerts.openKindsOf(agentId, DEVICE_KINDS);
    for (const o of open)
      if (!wanted.some((w) => w.kind === o.kind && w.deviceId === o.device_id))
        await this.resolve(agentId, [o.kind as AlertKind], o.device_id);
    for (const w of wanted) await this.raise(w.kind, agentId, w.deviceId, w.severity, w.detail);
  }

  /** Raises 'kiosk-offline' for every kiosk silent for longer than the limit, since it was last seen. */
  async sweepOffline(): Promise<void> {
    const limit = new Date(this.clock.now().getTime() - this.offlineAfterMs).toISOString();
    const silent = await this.repositories.agents.silentSince(limit);
    for (const a of silent)
      await this.raise('kiosk-offline', a.id, null, 'critical', null, a.last_seen_at ?? a.created_at);
  }

  /**
   * The hook for EMR delivery: call with `true` when deliveries keep failing and `false` once one
   * succeeds; the alert is raised or resolved accordingly (idempotent).
   */
  async setEmrDeliveryFailing(failing: boolean, detail: string | null = null): Promise<void> {
    if (failing) await this.raise('emr-delivery-failing', SERVER_SUBJECT, null, 'critical', detail);
    else await this.resolve(SERVER_SUBJECT, ['emr-delivery-failing']);
  }

  /** The same for the social-insurance data portal's deliveries of 4750 records. */
  async setEInvoiceDeliveryFailing(failing: boolean, detail: string | null = null): Promise<void> {
    if (failing) await this.raise('einvoice-delivery-failing', SERVER_SUBJECT, null, 'critical', detail);
    else await this.resolve(SERVER_SUBJECT, ['einvoice-delivery-failing']);
  }

  async setPortalDeliveryFailing(failing: boolean, detail: string | null = null): Promise<void> {
    if (failing) await this.raise('portal-delivery-failing', SERVER_SUBJECT, null, 'critical', detail);
    else await this.resolve(SERVER_SUBJECT, ['portal-delivery-failing']);
  }
}
