/**
 * HTTP calls that name the host they are for: a server that serves several host names on one
 * port (the province front) picks the facility by `Host`, which fetch() will not let a caller set.
 */
import http from 'node:http';

export interface Answer<T> {
  status: number;
  body: { ok: boolean; value?: T; error?: { code: string; message: string } };
}

/** One HTTP call to the front with this `Host` (fetch cannot set it). */
export function at<T = unknown>(
  port: number,
  host: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
): Promise<Answer<T>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: route,
        headers: {
          host: `${host}:${port}`,
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Answer<T>['body'];
          try {
            parsed = JSON.parse(text) as Answer<T>['body'];
          } catch {
            parsed = { ok: false, error: { code: 'not-json', message: text.slice(0, 200) } };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
