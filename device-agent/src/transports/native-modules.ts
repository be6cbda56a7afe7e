/**
 * Native bindings load lazily, once, on first use. A binding that fails to load (missing
 * prebuild, missing libpcsclite, no compiler at install time) makes only its own transports
 * 'unavailable' with the reason; nothing else in the agent is affected.
 */

/** The promise-based port of a serialport binding (`@serialport/bindings-interface`). */
export interface SerialBindingPort {
  readonly isOpen: boolean;
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
  write(buffer: Buffer): Promise<void>;
  drain(): Promise<void>;
  set(options: { dtr?: boolean; rts?: boolean; brk?: boolean }): Promise<void>;
  get(): Promise<{ cts: boolean; dsr: boolean; dcd: boolean }>;
  close(): Promise<void>;
}

export interface SerialPortInfo {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  pnpId?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  stopBits?: 1 | 1.5 | 2;
  parity?: string;
  rtscts?: boolean;
  xon?: boolean;
  xoff?: boolean;
  hupcl?: boolean;
  lock?: boolean;
}

export interface SerialBinding {
  open(options: SerialOpenOptions): Promise<SerialBindingPort>;
  list(): Promise<SerialPortInfo[]>;
}

/** The subset of node-hid v3 the agent uses (a double implements the same shape). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}
export interface HidDeviceHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
  write(values: number[] | Buffer): Promise<number>;
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}
export interface HidModule {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<HidDeviceHandle> };
}

/** The subset of the `smartcard` N-API binding the agent uses. */
export interface PcscCard {
  readonly protocol: number;
  readonly connected: boolean;
  readonly atr: Buffer | null;
  transmit(
    command: Buffer | number[],
    options?: { maxRecvLength?: number; autoGetResponse?: boolean },
  ): Promise<Buffer>;
  disconnect(disposition?: number): void;
}
export interface PcscReader {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<PcscCard>;
}
export interface PcscReaderState {
  name: string;
  state: number;
  changed: boolean;
  atr: Buffer | null;
}
export interface PcscContext {
  readonly isValid: boolean;
  listReaders(): PcscReader[];
  waitForChange(readers?: PcscReader[] | PcscReaderState[], timeout?: number): Promise<PcscReaderState[] | null>;
  cancel(): void;
  close(): void;
}
export interface PcscMonitorEvent {
  type: 'reader-attached' | 'reader-detached' | 'card-inserted' | 'card-removed' | 'error';
  reader: string;
  state: number;
  atr: Buffer | null;
}
export interface PcscReaderMonitor {
  readonly isRunning: boolean;
  start(callback: (event: PcscMonitorEvent) => void): void;
  stop(): void;
}
export interface PcscModule {
  Context: new () => PcscContext;
  /** Watches readers and cards on a native thread (SCardGetStatusChange), no polling. */
  ReaderMonitor: new () => PcscReaderMonitor;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_STATE_UNAVAILABLE: number;
}

export type Loaded<T> = { ok: true; module: T } | { ok: false; reason: string };

function lazy<T>(load: () => Promise<T>): () => Promise<Loaded<T>> {
  let pending: Promise<Loaded<T>> | undefined;
  return () =>
    (pending ??= load().then(
      (module): Loaded<T> => ({ ok: true, module }),
      (error: unknown): Loaded<T> => ({ ok: false, reason: error instanceof Error ? error.message : String(error) }),
    ));
}

interface SerialPortPackage {
  SerialPort: { binding: SerialBinding };
}

export const loadSerialBinding = lazy<SerialBinding>(async () => {
  const mod = (await import('serialport')) as unknown as SerialPortPackage;
  return mod.SerialPort.binding;
});

export const loadHid = lazy<HidModule>(async () => {
  const mod = (await import('node-hid')) as unknown as HidModule & { default?: HidModule };
  // Linux: the hidraw backend reports usage pages (libusb does not); it is node-hid v3's default.
  return typeof mod.devicesAsync === 'function' ? mod : (mod.default as HidModule);
});

export const loadPcsc = lazy<PcscModule>(async () => {
  const mod = (await import('smartcard')) as unknown as PcscModule & { default?: PcscModule };
  return typeof mod.Context === 'function' ? mod : (mod.default as PcscModule);
});
