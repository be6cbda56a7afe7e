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
      const url = this.parse(req.url);
      if (!url) {
        done({ ok: false, error: { code: 'http-network', message: 'invalid URL' } });
        return;
      }
      const secure = url.protocol === 'https:';
      const body = req.body;
      const outgoing = (secure ? https : http).request(
        url,
        {
          method: req.method,
          agent: secure ? this.agents.https : this.agents.http,
          headers: {
            accept: 'application/json',
            ...req.headers,
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
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
      outgoing.end(body);
    });
  }

  private readonly urls = new Map<string, URL>();
  /** Parsed URLs, kept for the few that repeat (the FHIR base, the token endpoint). */
  private parse(text: string): URL | undefined {
    const known = this.urls.get(text);
    if (known) return known;
    try {
      const url = new URL(text);
      if (this.urls.size < 32 && !url.search) this.urls.set(text, url);
      return url;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function parseBody(text: string): unknown {
  const first = /\S/u.exec(text.length > 64 ? text.slice(0, 64) : text)?.[0];
  if (first === undefined && text.trim() === '') return undefined;
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
