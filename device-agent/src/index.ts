export * from './transports/transport';
export * from './transports/simulated-byte.transport';
