export { createServerApp, type ServerApp } from './app';
export { loadConfig, configSchema, type Config } from './config';
export { demoLogins } from './demo-seed';
export type { Clock } from './clock';
