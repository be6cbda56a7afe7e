export { createServerApp, type ServerApp } from './app';
export { loadConfig, configSchema, type Config } from './config';
export { demoLogins } from './demo-seed';
export type { Clock } from './clock';
export { adminCommandRoles, staffCommandRoles } from './access';
export type { DeclaredRoute } from './http/api';
export * from './integrations';
export { issueTicket, type NewTicket } from './services/ticket-issue';
export { createRepositories, type Repositories } from './repositories';
export { lookupCode } from './services/ticket-issue';
export { HttpClient } from './integrations/http.client';
export { WebPushNotifier, generateVapidKeys } from './integrations/web-push.notifier';
export { ZaloZnsNotifier } from './integrations/zalo-zns.notifier';
export { SmsNotifier } from './integrations/sms.notifier';
export type { PatientNotifier, RetryOptions } from './integrations/patient-notifier';
export { createProvince, type Province } from './province/province';
export {
  facilitiesFileSchema,
  facilityPlans,
  hostNameOf,
  readFacilitiesFile,
  type FacilitiesFile,
} from './province/facilities-file';
