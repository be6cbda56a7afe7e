/** What the agent needs of a barcode scanner: decoded payloads, one at a time. */
import type { Unsubscribe } from '../transports/transport';

export interface ScanSource {
  readonly id: string;
  onScan(listener: (payload: string) => void): Unsubscribe;
  close(): Promise<void>;
}
