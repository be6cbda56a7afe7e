/**
 * A small HTTP(S) client for the EMR and the insurance gateway: keep-alive connections, one
 * deadline per request covering connect, send and the whole response, a response size cap, and a
 * Result instead of a throw. Bodies are parsed as JSON when they look like JSON.
 */
import http from 'node:http';
import https from 'node:https';
import type { Result } from '@kiosk/protocol';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON (or undefined when empty). */
  body: unknown;
  text: string;
}

export type HttpFailureCode = 'http-timeout' | 'http-network' | 'http-too-large';
export interface HttpFailure {
  code: HttpFailureCode;
  message: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class HttpClient {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
  };

  request(req: HttpRequest): Promise<Result<HttpResponse, HttpFailure>> {
    return new Promise((resolve) => {
      let settled = false;
      const pending: { req?: http.ClientRequest } = {};
      const timer = setTimeout(() => {
        pending.req?.destroy();
        done({ ok: false, error: { code: 'http-timeout', message: `no answer within ${req.timeoutMs} ms` } });
      }, req.timeoutMs);
      const done = (r: Result<HttpResponse, HttpFailure>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        done({ ok: false, error: { code: 'http-network', message: 'invalid URL' } });
        return;
      }
      const secure = url.protocol === 'https:';
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const outgoing = (secure ? https : http).request(
        url,
        {
          method: req.method,
          agent: secure ? this.agents.https : this.agents.http,
          headers: {
            accept: 'application/json',
            ...req.headers,
            ...(body ? { 'content-length': String(body.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              outgoing.destroy();
              done({ ok: false, error: { code: 'http-too-large', message: 'response too large' } });
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => done({ ok: false, error: { code: 'http-network', message: e.message } }));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            done({
              ok: true,
              value: { status: res.statusCode ?? 0, headers: res.headers, body: parseBody(text), text },
            });
          });
        },
      );
      pending.req = outgoing;
      outgoing.on('error', (e) => done({ ok: false, error: { code: 'http-network', message: e.message } }));
      if (body) outgoing.write(body);
      outgoing.end();
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function parseBody(text: string): unknown {
  const t = text.trimStart();
  if (t === '') return undefined;
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
