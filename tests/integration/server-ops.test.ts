import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';

afterAll(() => stopDatabases());

const METRICS_TOKEN = 'scraper-token-0123456789';

describe.each(databaseKinds)('metrics and the OpenAPI document (%s)', (kind) => {
  let server: RunningServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer({ ...(await databaseUrl(kind)), METRICS_TOKEN });
    admin = await login(server.url, 'admin', 'admin-demo');
  });
  afterAll(() => server?.stop());

  it('exposes Prometheus metrics to admins and the scraper token only', async () => {
    const r = await server.app.services.checkIn.checkIn(
      {
        checkInId: randomUUID(),
        identity: { source: 'manual', fullName: 'Đỗ Văn Hùng', dateOfBirth: '1970-02-02' },
        serviceId: 'nhi-khoa',
        priorityClaims: [],
        consent: true,
      },
      null,
    );
    expect(r.ok).toBe(true);
    await server.app.services.checkIn.checkIn(
      {
        checkInId: randomUUID(),
        identity: { source: 'manual', fullName: 'Đỗ Văn Hùng', dateOfBirth: '1970-02-02' },
        serviceId: 'nhi-khoa',
        priorityClaims: [],
        consent: true,
      },
      null,
    );
    await api(server.url, admin, 'POST', '/api/queue/call-next', { serviceId: 'nhi-khoa', counter: '3' });
    await server.app.services.alerts.setEmrDeliveryFailing(true);

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const viewer = await login(server.url, 'xem', 'xem-demo');
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-000000' } })).status,
    ).toBe(401);
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/u);
    const text = await res.text();
    expect(text).toContain('kiosk_checkins_total{outcome="issued"} 2');
    expect(text).toContain('kiosk_tickets_issued_total{service="nhi-khoa"} 2');
    expect(text).toContain('kiosk_calls_total{service="nhi-khoa"} 1');
    expect(text).toContain('kiosk_tickets_waiting{service="nhi-khoa"} 1');
    expect(text).toContain('kiosk_alerts_open{kind="emr-delivery-failing"} 1');
    expect(text).toMatch(
      new RegExp(`kiosk_db_query_duration_seconds_bucket\\{le="0.001",kind="select",dialect="${kind}"\\} \\d+`, 'u'),
    );
    expect(text).not.toMatch(/Hùng/u);
    const asAdmin = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
    expect(asAdmin.status).toBe(200);
    // Read to the end: an unread response keeps its connection busy, and the server's shutdown waits for it.
    expect(await asAdmin.text()).toContain('kiosk_checkins_total');
  });

  it('describes every registered HTTP route in /api/openapi.json, as the bare document', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/u);
    const doc = (await res.json()) as {
      openapi?: string;
      ok?: unknown;
      paths?: Record<string, Record<string, unknown>>;
    };
    // No Result envelope: what OpenAPI tools read is the document itself.
    expect(doc.ok).toBeUndefined();
    expect(doc.openapi).toBe('3.1.0');
    const paths = doc.paths ?? {};
    const toOpenApi = (url: string) => url.replace(/:([A-Za-z0-9_]+)/gu, '{$1}').replace(/\*$/u, '{path}');
    const missing = server.app.routes
      .map((r) => ({ method: r.method === 'HEAD' ? 'get' : r.method.toLowerCase(), path: toOpenApi(r.url) }))
      .filter((r) => !paths[r.path]?.[r.method]);
    expect(missing).toEqual([]);
    expect(server.app.routes.length).toBeGreaterThan(40);
    const recall = paths['/api/queue/tickets/{ticketId}/recall']?.['post'] as {
      parameters: { name: string; in: string }[];
      'x-access': { roles: string[] };
    };
    expect(recall.parameters).toContainEqual(expect.objectContaining({ name: 'ticketId', in: 'path' }));
    expect(recall['x-access'].roles).toEqual(['admin', 'reception', 'clinic']);
    // The document describes its own route as a plain answer, not a Result.
    const self = paths['/api/openapi.json']?.['get'] as { responses: Record<string, unknown> };
    expect(Object.keys(self.responses)).toEqual(['200', '401', '403']);
  });

  it('refuses /api/openapi.json without a session, as a Result', async () => {
    const res = await api(server.url, undefined, 'GET', '/api/openapi.json');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('answers malformed bodies with a Result and never echoes internals', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'validation-failed' } });
  });
});
