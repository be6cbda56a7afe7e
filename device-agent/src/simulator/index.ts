/**
 * Simulated parts: the device side of every link (printer and scanner personalities on a
 * simulated byte link, the virtual CCCD on a simulated ISO 14443 link, a serial smart-reader
 * module, a card behind vpcd) for tests, benchmarks and the agent's simulated mode. The product's
 * transports and drivers run against them unchanged.
 */
export * from './simulated-byte.transport';
export { attachSimulatedPrinter, realtimeStatusByte, automaticStatusBytes } from './simulated-printer';
export type { SimulatedPrinter, SimulatedPrinterFault, SimulatedPrinterOptions, PrintedJob } from './simulated-printer';
export * from './vpcd-card.peer';
export * from './serial-smart-reader.peer';
export * from './virtual-cccd';
export * from './simulated-card-terminal';
