export { createServerApp, type ServerApp } from './app';
export { loadConfig, configSchema, type Config } from './config';
export { demoLogins } from './demo-seed';
export type { Clock } from './clock';
export { adminCommandRoles, staffCommandRoles } from './access';
export type { DeclaredRoute } from './http/api';
export * from './integrations';
export { issueTicket, type NewTicket } from './services/ticket-issue';
export { createRepositories, type Repositories } from './repositories';
