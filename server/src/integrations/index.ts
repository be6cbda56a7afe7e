/** The integrations' public surface (the server entry re-exports it for the test suites). */
export * from './emr.port';
export { LocalEmrAdapter } from './local-emr.adapter';
export { FhirAdapter, type FhirAdapterOptions } from './fhir.adapter';
export { checkInBundle, type TransactionBundle } from './fhir-bundle.builder';
export { validateCheckInBundle } from './fhir-bundle.validator';
export { VN_SID, VN_PROFILE, visitNumberOf } from './vn-core';
export { Hl7v2Adapter, type Hl7AdapterOptions } from './hl7v2.adapter';
export { adtA04, adtA08, parseAck } from './hl7v2-message';
export { MllpClient } from './mllp.client';
export { Integrations, createEmrPort, type IntegrationSettings } from './integrations.module';
export { registerIntegrationRoutes } from './integration.routes';
export { integrationConfigShape, integrationConfigSchema, type IntegrationConfig } from './integration.config';
export { OutboxWorker, backoffMs } from './outbox.worker';
export { OutboxRepository, type DeliveryView } from './outbox.repository';
export { FIELDS_4750, toXml4750, type Record4750 } from './checkin-record-4750';
