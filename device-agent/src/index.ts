export * from './transports/transport';
export * from './transports/simulated-byte.transport';
export { createAgent, type Agent, SOFTWARE_VERSION } from './agent';
export { loadAgentConfig, type AgentConfig } from './config';
export { createLogger } from './logger';
export * from './printing';
