/**
 * A JSON POST to the server over http or https with the agent's own trust: Node's fetch takes no
 * CA, so enrollment uses node:https with the CAs of SERVER_CA_FILE (the socket.io link passes the
 * same `ca` to its WebSocket).
 */
import http from 'node:http';
import https from 'node:https';

export interface PostedJson {
  status: number;
  body: unknown;
}

/** Rejects on a network or TLS failure, a time-out, or a body that is not JSON. */
export function postJson(url: string, body: unknown, o: { timeoutMs: number; ca?: string }): Promise<PostedJson> {
  const payload = JSON.stringify(body);
  return requestJson(url, {
    ...o,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
    body: payload,
    // An enrollment answer is a few hundred bytes.
    maxBytes: 64 * 1024,
  });
}

/** A JSON GET with extra headers (a bundle download); rejects like `postJson`, and past `maxBytes`. */
export function getJson(
  url: string,
  o: { timeoutMs: number; ca?: string; headers?: Record<string, string>; maxBytes: number },
): Promise<PostedJson> {
  return requestJson(url, { ...o, method: 'GET', headers: { accept: 'application/json', ...o.headers } });
}

/** One request with the agent's CAs; the answer read up to `maxBytes` and parsed as JSON. */
function requestJson(
  url: string,
  o: {
    method: 'GET' | 'POST';
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
    ca?: string;
    maxBytes: number;
  },
): Promise<PostedJson> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: o.method,
        headers: o.headers,
        timeout: o.timeoutMs,
        ...(o.ca && target.protocol === 'https:' ? { ca: o.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > o.maxBytes) req.destroy(new Error('response-too-large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
            });
          } catch {
            reject(new Error('response-not-json'));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** OpenSSL's verdict on a certificate, as Node reports it (e.g. SELF_SIGNED_CERT_IN_CHAIN), if that is what failed. */
export function tlsCodeOf(e: unknown): string | undefined {
  for (let cause: unknown = e, depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/u.test(code)) return code;
    // engine.io wraps the WebSocket's error event (`description`), whose `error` is Node's.
    const c = cause as { cause?: unknown; description?: unknown; error?: unknown };
    cause = c.description ?? c.error ?? c.cause;
  }
  return undefined;
}
