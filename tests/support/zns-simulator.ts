/**
 * A contract simulator of Zalo's OA token endpoint and ZNS template messages, on 127.0.0.1:
 * - `POST /v4/oa/access_token` (form `app_id`, `grant_type=refresh_token`, `refresh_token`; header
 *   `secret_key`) → `{ access_token, refresh_token, expires_in }`; the refresh token ROTATES: the
 *   one used stops working (Zalo's rule), a reused one answers `error: -14014`.
 * - `POST /message/template` (header `access_token`, JSON `{ phone, template_id, template_data,
 *   tracking_id }`) → HTTP 200 with `error: 0` and `data.msg_id`, or a Zalo error: -124 for an
 *   unknown or expired token, -118 for a number without Zalo, -32 when told to be busy. Each
 *   tracking_id is sent once (a retry after a lost answer does not send twice).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readBody } from './read-body';

export interface ZnsMessage {
  phone: string;
  templateId: string;
  data: Record<string, string>;
  trackingId: string;
}

export class ZnsSimulator {
  readonly messages: ZnsMessage[] = [];
  refreshes = 0;
  sendAttempts = 0;
  private refreshToken: string;
  private readonly tokens = new Set<string>();
  private busy = 0;
  private readonly noZalo = new Set<string>();
  private server: http.Server | undefined;
  url = '';

  constructor(
    readonly appId = 'zalo-app-1',
    readonly secretKey = 'zalo-secret-1',
    initialRefreshToken = 'refresh-0',
  ) {
    this.refreshToken = initialRefreshToken;
  }

  get currentRefreshToken(): string {
    return this.refreshToken;
  }
  /** Every access token issued so far stops working (Zalo revokes early, or they expired). */
  expireAccessTokens(): void {
    this.tokens.clear();
  }
  /** The next `n` sends answer error -32 (rate limit). */
  busyFor(n: number): void {
    this.busy = n;
  }
  phoneWithoutZalo(phone: string): void {
    this.noZalo.add(phone);
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private json(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const text = await readBody(req);
    if (req.method === 'POST' && req.url === '/v4/oa/access_token') {
      const form = new URLSearchParams(text);
      if (req.headers['secret_key'] !== this.secretKey || form.get('app_id') !== this.appId)
        return this.json(res, 200, { error: -14002, error_name: 'Invalid app', error_description: 'app or secret' });
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== this.refreshToken)
        return this.json(res, 200, { error: -14014, error_name: 'Invalid refresh token' });
      this.refreshes += 1;
      this.refreshToken = `refresh-${this.refreshes}-${randomBytes(4).toString('hex')}`;
      const access = `access-${randomBytes(8).toString('hex')}`;
      this.tokens.add(access);
      // Zalo sends expires_in as a string.
      return this.json(res, 200, { access_token: access, refresh_token: this.refreshToken, expires_in: '90000' });
    }
    if (req.method === 'POST' && req.url === '/message/template') {
      this.sendAttempts += 1;
      const token = req.headers['access_token'];
      if (typeof token !== 'string' || !this.tokens.has(token))
        return this.json(res, 200, { error: -124, message: 'Access token is invalid' });
      let body: { phone?: string; template_id?: string; template_data?: Record<string, string>; tracking_id?: string };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return this.json(res, 200, { error: -201, message: 'Body is not JSON' });
      }
      if (this.busy > 0) {
        this.busy -= 1;
        return this.json(res, 200, { error: -32, message: 'Rate limit exceeded' });
      }
      if (!body.phone || !/^84\d{9}$/u.test(body.phone))
        return this.json(res, 200, { error: -108, message: 'Phone number is invalid' });
      if (this.noZalo.has(body.phone))
        return this.json(res, 200, { error: -118, message: 'Zalo account is not existed' });
      if (!this.messages.some((m) => m.trackingId === body.tracking_id))
        this.messages.push({
          phone: body.phone,
          templateId: body.template_id ?? '',
          data: body.template_data ?? {},
          trackingId: body.tracking_id ?? '',
        });
      return this.json(res, 200, {
        error: 0,
        message: 'Success',
        data: { msg_id: randomBytes(6).toString('hex'), sent_time: String(Date.now()) },
      });
    }
    this.json(res, 404, { error: -1, message: 'not found' });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
