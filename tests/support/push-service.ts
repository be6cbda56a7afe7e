/**
 * A contract simulator of a browser's push service (RFC 8030), on 127.0.0.1, with the browser's
 * side of the subscription: it makes each subscription's P-256 key pair and auth secret as a
 * browser does, and for every message it receives it checks what a real push service checks —
 * the VAPID header (RFC 8292: `vapid t=<ES256 JWT>, k=<public key>`, the JWT's signature under
 * that key, `aud` = the endpoint's origin, `exp` within 24 h, a `sub` contact) — and then
 * decrypts the aes128gcm payload (RFC 8291) with the subscription's private key, with its own
 * code (not the `web-push` package's), so a drift in either side fails the contract tests.
 * A subscription can be made gone (410) or failing (500 for the next N messages). Push services
 * speak HTTPS only: it serves a throwaway certificate for 127.0.0.1 (`caFile` trusts it).
 */
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import { selfSignedCertificate } from './self-signed';

export interface PushedMessage {
  subscriptionId: string;
  /** The decrypted payload, parsed. */
  payload: unknown;
  /** The VAPID JWT's claims. */
  claims: { aud: string; exp: number; sub: string };
  ttl: string | undefined;
}

interface Sub {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  gone: boolean;
  failNext: number;
}

const b64u = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 §3.4 and RFC 8188: decrypts one aes128gcm body with the user agent's keys. */
export function decryptAes128gcm(body: Buffer, uaPrivate: ReturnType<typeof createECDH>, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20] ?? 0;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (ciphertext.length > rs) throw new Error('more than one record');
  const uaPublic = uaPrivate.getPublicKey();
  const ecdhSecret = uaPrivate.computeSecret(asPublic);
  const prkKey = hmac(authSecret, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

/** RFC 8292: checks `Authorization: vapid t=…, k=…`; answers the claims or why it fails. */
export function verifyVapid(header: string | undefined, endpointOrigin: string, expectedKey?: string) {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/u.exec(header ?? '');
  if (!m?.[1] || !m[2]) return { ok: false as const, reason: 'no vapid authorization' };
  const [h, p, s] = m[1].split('.');
  if (!h || !p || !s) return { ok: false as const, reason: 'not a JWT' };
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; typ?: string };
  if (head.alg !== 'ES256') return { ok: false as const, reason: `alg ${head.alg}` };
  const raw = Buffer.from(m[2], 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return { ok: false as const, reason: 'k is not an uncompressed P-256 point' };
  if (expectedKey && m[2] !== expectedKey)
    return { ok: false as const, reason: 'k is not the subscription’s server key' };
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!signed) return { ok: false as const, reason: 'bad signature' };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud: string; exp: number; sub: string };
  const now = Date.now() / 1000;
  if (claims.aud !== endpointOrigin) return { ok: false as const, reason: `aud ${claims.aud}` };
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600 + 60))
    return { ok: false as const, reason: 'exp out of range' };
  if (!/^(mailto:|https:)/u.test(claims.sub ?? '')) return { ok: false as const, reason: 'no sub contact' };
  return { ok: true as const, claims };
}

export class PushServiceSimulator {
  readonly messages: PushedMessage[] = [];
  readonly rejected: { subscriptionId: string; status: number; reason: string }[] = [];
  private readonly subs = new Map<string, Sub>();
  private server: https.Server | undefined;
  private origin = '';
  /** The throwaway certificate (PEM) to trust, for WEB_PUSH_CA_FILE. */
  caFile = '';

  constructor(private readonly serverKey?: string) {}

  async start(port = 0): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-service-'));
    const { keyFile, certFile } = selfSignedCertificate(dir, '127.0.0.1');
    this.caFile = certFile;
    this.server = https.createServer(
      { key: fs.readFileSync(keyFile), cert: fs.readFileSync(this.caFile) },
      (req, res) => void this.handle(req, res),
    );
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.origin = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new subscription as `PushSubscription.toJSON()` gives it. */
  subscribe(): { id: string; json: { endpoint: string; keys: { p256dh: string; auth: string } } } {
    const id = randomBytes(8).toString('hex');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.subs.set(id, { ecdh, auth, gone: false, failNext: 0 });
    return {
      id,
      json: { endpoint: `${this.origin}/push/${id}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } },
    };
  }

  gone(id: string): void {
    const s = this.subs.get(id);
    if (s) s.gone = true;
  }
  failNext(id: string, n: number): void {
    const s = this.subs.get(id);
    if (s) s.failNext = n;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const id = /^\/push\/([0-9a-f]+)$/u.exec(req.url ?? '')?.[1] ?? '';
    const sub = this.subs.get(id);
    const refuse = (status: number, reason: string) => {
      this.rejected.push({ subscriptionId: id, status, reason });
      res.writeHead(status).end(reason);
    };
    if (req.method !== 'POST' || !sub) return refuse(404, 'no such subscription');
    if (sub.gone) return refuse(410, 'unsubscribed');
    if (sub.failNext > 0) {
      sub.failNext -= 1;
      return refuse(500, 'push service trouble');
    }
    const vapid = verifyVapid(req.headers.authorization, this.origin, this.serverKey);
    if (!vapid.ok) return refuse(401, vapid.reason);
    if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(415, 'not aes128gcm');
    if (req.headers.ttl === undefined) return refuse(400, 'no TTL');
    let payload: unknown;
    try {
      payload = JSON.parse(decryptAes128gcm(Buffer.concat(chunks), sub.ecdh, sub.auth).toString('utf8'));
    } catch (e) {
      return refuse(400, `does not decrypt: ${(e as Error).message}`);
    }
    this.messages.push({ subscriptionId: id, payload, claims: vapid.claims, ttl: req.headers.ttl as string });
    res.writeHead(201, { location: `${this.origin}/message/${this.messages.length}` }).end();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
