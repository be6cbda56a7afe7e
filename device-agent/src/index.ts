// Public entry of the device agent: what tests, benchmarks and the CLI may use.
export * from './transports';
export * from './scanners';
export * from './identity';
export * from './printing';
export * from './payments';
export * from './devices/barcode-scanner.device';
export * from './simulator';
export { createAgent, type Agent, SOFTWARE_VERSION } from './agent';
export { loadAgentConfig, type AgentConfig } from './config';
export { createLogger, type Logger } from './logger';
export { createBundle, verifyBundle, readPublicKey } from './management/bundle';
export { OfflineJournal } from './offline/offline-journal';
export { offlineTicket } from './offline/offline-ticket';
