/**
 * The receipt printer as the rest of the agent sees it: print(ticket) → confirmed or failed
 * with a reason, and a health state kept in the registry from the driver's status ('busy' while
 * a job runs). A link lost mid-job fails that job with 'disconnected'; nothing throws.
 */
import type { DeviceState, Ticket } from '@kiosk/protocol';
import type { PrinterProfile } from '@kiosk/hardware-profiles';
import type { EscPosPrinterDriver, PrintResult, TicketItem } from '../printing';
import { encodeItems, type PrinterStatus } from '../printing';
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
  private last: { state: DeviceState; reason?: string } = { state: 'disconnected' };
  private jobs = 0;
  private closed = false;

  constructor(
    readonly id: string,
    readonly profile: PrinterProfile,
    readonly driver: EscPosPrinterDriver,
    private readonly registry: DeviceRegistry,
  ) {
    if (!registry.get(id)) registry.update({ id, class: 'printer', profileId: profile.id, state: 'disconnected' });
    driver.onStatus((status) => {
      this.last = stateOf(status);
      this.publish();
    });
  }

  /** The link is open (a disconnected printer's driver keeps trying to reopen it). */
  get linkOpen(): boolean {
    return this.driver.transport.isOpen;
  }
  get state(): DeviceState {
    return this.last.state;
  }

  private publish(lastError?: string): void {
    if (this.closed) return;
    const busy = this.jobs > 0 && this.last.state === 'ready';
    this.registry.update({
      id: this.id,
      class: 'printer',
      profileId: this.profile.id,
      state: busy ? 'busy' : this.last.state,
      ...(!busy && this.last.reason ? { reason: this.last.reason } : {}),
      ...(lastError !== undefined && { lastError }),
    });
  }

  async start(): Promise<void> {
    try {
      this.last = stateOf(await this.driver.start());
      this.publish();
    } catch (e) {
      this.last = { state: 'error', reason: 'start-failed' };
      this.publish(String(e));
    }
  }

  async print(ticket: Ticket): Promise<PrintOutcome> {
    return this.run(() => this.driver.print(ticket));
  }

  /** Prints a document laid out as ticket items (a payment receipt, a VietQR slip) through the same path. */
  async printItems(items: readonly TicketItem[]): Promise<PrintOutcome> {
    return this.run(() => this.driver.printJob(encodeItems(items, this.profile, this.driver.encodeOptions)));
  }

  private async run(job: () => Promise<PrintResult>): Promise<PrintOutcome> {
    if (this.closed) return { state: 'failed', reason: 'disconnected' };
    this.jobs++;
    this.publish();
    try {
      const result = await job();
      this.registry.count(this.id, result.state === 'confirmed' ? 'printed' : 'failed');
      if (result.reason) this.registry.noteError(this.id, `print failed: ${result.reason}`);
      return result.reason ? { state: result.state, reason: result.reason } : { state: result.state };
    } catch (e) {
      this.registry.count(this.id, 'failed');
      const reason = e instanceof Error && 'code' in e ? String(e.code) : 'print-error';
      this.registry.noteError(this.id, `print failed: ${reason}`);
      return { state: 'failed', reason };
    } finally {
      this.jobs--;
      this.publish();
    }
  }

  /** Stops polling and releases the link (hot-unplug, shutdown). The registry entry stays. */
  async close(): Promise<void> {
    this.closed = true;
    await this.driver.dispose();
    await this.driver.transport.close().catch(() => undefined);
  }
}
