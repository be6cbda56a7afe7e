/**
 * The kiosk's card payment terminal as a device: the ECR driver over its link (serial, TCP or the
 * simulator's), its health in the device registry like every other device — ready after it answers
 * STATUS, busy during a request, error with the fault's code when it does not answer or the link
 * fails — and the requests the payment flow needs: SALE, ABORT (of a SALE in flight), LAST (recovery) and VOID.
 */
import type { PaymentTerminalProfile } from '@kiosk/hardware-profiles';
import { err, type EcrRequest, type EcrTransactionResult, type Result } from '@kiosk/protocol';
import type { DeviceRegistry } from '../devices/device-registry';
import type { Logger } from '../logger';
import type { ByteTransport } from '../transports/transport';
import { EcrTerminalDriver, type EcrDriverOptions } from './ecr-terminal.driver';

export interface CardTerminalOptions {
  id: string;
  profile: PaymentTerminalProfile;
  transport: ByteTransport;
  registry: DeviceRegistry;
  log: Logger;
  driver?: EcrDriverOptions;
}

export class CardTerminal {
  readonly id: string;
  private readonly driver: EcrTerminalDriver;
  private ready_ = false;

  constructor(private readonly options: CardTerminalOptions) {
    this.id = options.id;
    this.driver = new EcrTerminalDriver(options.transport, {
      saleTimeoutMs: options.profile.capabilities.saleTimeoutSec * 1000,
      ...options.driver,
    });
    options.transport.onClose(() => this.publish('error', 'link-lost'));
  }

  get ready(): boolean {
    return this.ready_;
  }
  /** A request (a SALE waiting for the patient's card, say) is in flight. */
  get busy(): boolean {
    return this.driver.inFlight;
  }

  /** Asks the terminal's STATUS: ready when it answers, error with the fault's code otherwise. */
  async start(): Promise<boolean> {
    const status = await this.driver.request({ type: 'status' });
    if (!status.ok) {
      this.publish('error', reasonOf(status.error.code));
      return false;
    }
    this.publish('ready');
    return true;
  }

  sale(amountVnd: number, reference: string): Promise<Result<EcrTransactionResult>> {
    return this.transaction({ type: 'sale', amountVnd, reference });
  }
  last(): Promise<Result<EcrTransactionResult>> {
    return this.transaction({ type: 'last' });
  }
  void(rrn: string): Promise<Result<EcrTransactionResult>> {
    return this.transaction({ type: 'void', rrn });
  }

  /** Stops the SALE in flight; it then ends with the terminal's answer (normally cancelled). */
  abort(): Promise<boolean> {
    return this.driver.abort();
  }

  async close(): Promise<void> {
    this.driver.dispose();
    this.ready_ = false;
    await this.options.transport.close().catch(() => undefined);
  }

  private async transaction(request: EcrRequest): Promise<Result<EcrTransactionResult>> {
    this.publish('busy');
    const answer = await this.driver.request(request);
    if (!answer.ok) {
      // A sale the patient did not finish in time is the patient's, not a fault of the terminal.
      if (answer.error.code === 'timeout') this.publish('ready');
      else this.publish('error', reasonOf(answer.error.code));
      return answer;
    }
    this.publish('ready');
    if (answer.value.type !== 'result') return err('unexpected-answer', 'the terminal answered a status');
    return { ok: true, value: answer.value };
  }

  private publish(state: 'ready' | 'busy' | 'error', reason?: string): void {
    this.ready_ = state === 'ready';
    this.options.registry.update({
      id: this.id,
      class: 'payment-terminal',
      profileId: this.options.profile.id,
      state,
      ...(reason ? { reason } : {}),
      counters: { ...this.driver.counters },
    });
    if (state === 'error') this.options.log.warn({ device: this.id, reason }, 'card terminal fault');
  }
}

/** The driver's fault as one of the device reason codes staff pages have words for. */
function reasonOf(code: string): string {
  switch (code) {
    case 'no-response':
    case 'nak-limit':
      return 'no-response';
    case 'timeout':
      return 'timeout';
    case 'link-lost':
      return 'link-lost';
    default:
      return 'io-error';
  }
}
