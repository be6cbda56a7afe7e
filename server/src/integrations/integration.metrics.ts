/** Prometheus metrics of the integrations, registered in the server's registry. */
import client from 'prom-client';
import { EMR_KINDS, PORTAL_KINDS, type OutboxRepository } from '../repositories/outbox.repository';

export class IntegrationMetrics {
  readonly deliveryLatency: client.Histogram;
  readonly attempts: client.Histogram<'outcome'>;
  readonly bhytChecks: client.Counter<'routing'>;
  readonly bhytSeconds: client.Histogram;
  readonly portalAttempts: client.Counter<'outcome'>;

  constructor(registry: client.Registry, outbox: OutboxRepository) {
    new client.Gauge({
      name: 'kiosk_emr_outbox_deliveries',
      help: 'EMR deliveries waiting (pending), in flight (delivering) or stopped (failed), whole facility',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const depth = await outbox.depth(EMR_KINDS);
        for (const status of ['pending', 'delivering', 'failed'] as const) this.set({ status }, depth[status]);
      },
    });
    new client.Gauge({
      name: 'kiosk_portal_outbox_deliveries',
      help: 'Decision 4750 records for the social-insurance data portal waiting, in flight or stopped',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const depth = await outbox.depth(PORTAL_KINDS);
        for (const status of ['pending', 'delivering', 'failed'] as const) this.set({ status }, depth[status]);
      },
    });
    this.portalAttempts = new client.Counter({
      name: 'kiosk_portal_delivery_attempts_total',
      help: 'Delivery attempts of 4750 records to the social-insurance data portal, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.deliveryLatency = new client.Histogram({
      name: 'kiosk_emr_delivery_latency_seconds',
      help: 'Check-in stored → delivered to the EMR (including retries)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600, 3600],
      registers: [registry],
    });
    this.attempts = new client.Histogram({
      name: 'kiosk_emr_delivery_attempt_seconds',
      help: 'One delivery attempt to the EMR, by outcome (delivered, retry, failed)',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    });
    this.bhytChecks = new client.Counter({
      name: 'kiosk_bhyt_checks_total',
      help: 'BHYT eligibility answers by routing (eligible, counter, fee-paying-or-counter, retry-later, alert-admin)',
      labelNames: ['routing'] as const,
      registers: [registry],
    });
    this.bhytSeconds = new client.Histogram({
      name: 'kiosk_bhyt_request_duration_seconds',
      help: 'BHYT gateway eligibility look-up, including a token fetch when needed',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
      registers: [registry],
    });
  }
}
