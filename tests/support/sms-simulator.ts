/**
 * A contract simulator of a brandname SMS provider, on 127.0.0.1: `POST /sms` with
 * `Authorization: Bearer <key>` and `{ to, from, text, requestId }` → 202 `{ messageId }`; 401 for
 * a wrong key; 400 `{ code: 'invalid-number' }` for a number it cannot reach; 429 with
 * `Retry-After` or 503 when told to be busy. Each requestId is sent once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readBody } from './read-body';

export interface SmsMessage {
  to: string;
  from: string;
  text: string;
  requestId: string;
}

export class SmsSimulator {
  readonly messages: SmsMessage[] = [];
  attempts = 0;
  private failures: (429 | 503)[] = [];
  private readonly unreachable = new Set<string>();
  private server: http.Server | undefined;
  url = '';

  constructor(readonly apiKey = 'sms-key-1') {}

  /** The next attempts answer these statuses, in order. */
  failWith(...statuses: (429 | 503)[]): void {
    this.failures.push(...statuses);
  }
  unreachableNumber(phone: string): void {
    this.unreachable.add(phone);
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const text = await readBody(req);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== '/sms') return json(404, { code: 'not-found' });
    this.attempts += 1;
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return json(401, { code: 'unauthorized' });
    const failure = this.failures.shift();
    if (failure === 429) return json(429, { code: 'rate-limited' }, { 'retry-after': '0' });
    if (failure === 503) return json(503, { code: 'unavailable' });
    let body: Partial<SmsMessage>;
    try {
      body = JSON.parse(text) as Partial<SmsMessage>;
    } catch {
      return json(400, { code: 'bad-request' });
    }
    if (!body.to || !/^84\d{9}$/u.test(body.to) || this.unreachable.has(body.to))
      return json(400, { code: 'invalid-number' });
    if (!body.text || !body.requestId || !body.from) return json(400, { code: 'bad-request' });
    if (!this.messages.some((m) => m.requestId === body.requestId))
      this.messages.push({ to: body.to, from: body.from, text: body.text, requestId: body.requestId });
    return json(202, { messageId: randomBytes(6).toString('hex') });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
