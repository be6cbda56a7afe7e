import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { postJson, tlsCodeOf } from './https-post';

describe('tlsCodeOf', () => {
  it('finds OpenSSL’s verdict however the error is wrapped', () => {
    const verdict = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(tlsCodeOf(verdict)).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    // socket.io: TransportError → the WebSocket's error event → Node's error.
    expect(tlsCodeOf({ message: 'websocket error', description: { error: verdict } })).toBe(
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    expect(tlsCodeOf(Object.assign(new Error('fetch failed'), { cause: verdict }))).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(tlsCodeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('never throws, whatever it is given (cycles included)', () => {
    const cyclic: Record<string, unknown> = { code: 1 };
    cyclic['cause'] = cyclic;
    expect(tlsCodeOf(cyclic)).toBeUndefined();
    fc.assert(
      fc.property(fc.anything(), (e) => {
        const code = tlsCodeOf(e);
        return code === undefined || typeof code === 'string';
      }),
    );
  });
});

describe('postJson against a server that answers anything', () => {
  let answer = Buffer.alloc(0);
  let status = 200;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/agents/enroll`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('resolves with the parsed body or rejects, never throws or hangs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
          fc.json().map((j) => Buffer.from(j)),
          fc.json().map((j) => Buffer.from(j.slice(0, Math.floor(j.length / 2)))),
        ),
        fc.constantFrom(200, 400, 500),
        async (body, code) => {
          answer = body;
          status = code;
          const outcome = await postJson(url, { pairingCode: 'X' }, { timeoutMs: 5000 }).then(
            (r) => r.status,
            (e: unknown) => (e instanceof Error ? 'rejected' : 'odd'),
          );
          expect([200, 400, 500, 'rejected']).toContain(outcome);
        },
      ),
      { numRuns: 60 },
    );
  });
});
