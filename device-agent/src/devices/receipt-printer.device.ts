/**
 * The receipt printer as the rest of the agent sees it: print(ticket) → confirmed or failed
 * with a reason, and a health state kept in the registry from the driver's status.
 */
import type { DeviceState, Ticket } from '@kiosk/protocol';
import type { PrinterProfile } from '@kiosk/hardware-profiles';
import type { EscPosPrinterDriver } from '../printing';
import { type PrinterStatus } from '../printing';
import type { DeviceRegistry } from './device-registry';

export interface PrintOutcome {
  state: 'confirmed' | 'failed';
  reason?: string;
}

export function stateOf(status: PrinterStatus): { state: DeviceState; reason?: string } {
  const first = status.conditions[0];
  if (first === undefined) return { state: 'ready' };
  if (first === 'disconnected') return { state: 'disconnected', reason: first };
  if (status.ready) return { state: 'degraded', reason: first };
  return { state: 'error', reason: first };
}

export class ReceiptPrinter {
  constructor(
    readonly id: string,
    readonly profile: PrinterProfile,
    private readonly driver: EscPosPrinterDriver,
    private readonly registry: DeviceRegistry,
  ) {
    registry.update({ id, class: 'printer', profileId: profile.id, state: 'disconnected' });
    driver.onStatus((status) => this.publish(status));
  }

  private publish(status: PrinterStatus): void {
    const { state, reason } = stateOf(status);
    this.registry.update({
      id: this.id,
      class: 'printer',
      profileId: this.profile.id,
      state,
      ...(reason ? { reason } : {}),
    });
  }

  async start(): Promise<void> {
    try {
      this.publish(await this.driver.start());
    } catch (e) {
      this.registry.update({
        id: this.id,
        class: 'printer',
        profileId: this.profile.id,
        state: 'error',
        reason: 'start-failed',
        lastError: String(e).slice(0, 200),
      });
    }
  }

  async print(ticket: Ticket): Promise<PrintOutcome> {
    try {
      const result = await this.driver.print(ticket);
      this.registry.count(this.id, result.state === 'confirmed' ? 'printed' : 'failed');
      return result.reason ? { state: result.state, reason: result.reason } : { state: result.state };
    } catch (e) {
      this.registry.count(this.id, 'failed');
      return { state: 'failed', reason: e instanceof Error && 'code' in e ? String(e.code) : 'print-error' };
    }
  }

  async close(): Promise<void> {
    await this.driver.dispose();
  }
}
