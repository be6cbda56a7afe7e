/**
 * A contract simulator of the hospital's bank (vietnam.md §7), on 127.0.0.1. It keeps the
 * hospital account's credits and tells the hospital of each one the way the webhook contract
 * says: `POST <webhookUrl>` with the JSON notification and the header
 * `x-bank-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`, signed here with
 * its own code (not the server's), so a drift in either side fails the contract tests.
 *
 * Misbehaviours of real banks on demand: the same notification again (duplicates), a wrong amount,
 * a late credit, a forged or stale signature, a credit to another account. Its HTTP side:
 * - `POST /transfers` `{ content, amountVnd, accountNumber? }` → a credit and its notification
 *   (what a payer's bank app causes; e2e journeys and benchmarks drive it from another process);
 * - `GET /statement?since=<iso>&limit=<n>[&page=<token>]` → `{ credits, nextPage? }`, the account's
 *   credits booked at or after `since` in booking order (the statement API the server polls); with
 *   `statementClient` set it asks for `Authorization: Bearer <token>` from
 * - `POST /oauth/token` (OAuth2 client credentials, form body) → `{ access_token, expires_in }`.
 * The statement can be taken down (503) and its authorization refused (401) on demand, and a credit
 * can be booked without any notification (a webhook that never arrives).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomUUID } from 'node:crypto';
import { readBody } from './read-body';
import { closeServer } from './http-simulator';

export interface Credit {
  transactionId: string;
  accountNumber: string;
  amountVnd: number;
  content: string;
  bookedAt: string;
}

export interface Delivery {
  transactionId: string;
  status: number;
  body: unknown;
}

export interface TransferOptions {
  content: string;
  amountVnd: number;
  /** Default: the hospital's account. */
  accountNumber?: string;
  /** Sign with this secret instead (a forger). */
  secret?: string;
  /** Signed this long ago (a replay, a stale signature). */
  signedAgoS?: number;
  /** False: the credit is booked but no notification is sent (only the statement shows it). */
  notify?: boolean;
}

export interface StatementControls {
  /** The statement API answers 503. */
  down?: boolean;
  /** Tokens and statement requests are refused (401): revoked or wrong client credentials. */
  refuseAuth?: boolean;
}

export interface BankSimulator {
  url: string;
  accountNumber: string;
  credits: Credit[];
  deliveries: Delivery[];
  /** A credit to the account and its notification; resolves with what the webhook answered. */
  transfer(options: TransferOptions): Promise<Delivery>;
  /** Sends a credit's notification again, signed anew (banks retry and duplicate). */
  resend(transactionId: string): Promise<Delivery>;
  /** Sends a body and signature exactly as given (tampering after signing). */
  post(body: string, signature: string): Promise<Delivery>;
  sign(body: string, unixSeconds: number, secret?: string): string;
  /** Books a credit with no notification: only the statement tells of it. */
  credit(options: Omit<TransferOptions, 'notify' | 'secret' | 'signedAgoS'>): Credit;
  /** Takes the statement API down or refuses its authorization (and back). */
  setStatement(controls: StatementControls): void;
  /** Statement requests answered (any status), and tokens issued. */
  readonly statementReads: number;
  readonly tokensIssued: number;
  close(): Promise<void>;
}

export async function startBankSimulator(options: {
  webhookUrl: string;
  secret: string;
  accountNumber: string;
  /** OAuth2 client credentials the statement API asks for; none: it is open. */
  statementClient?: { clientId: string; clientSecret: string };
}): Promise<BankSimulator> {
  const credits: Credit[] = [];
  const deliveries: Delivery[] = [];
  const controls: StatementControls = {};
  const tokens = new Set<string>();
  let statementReads = 0;
  let tokensIssued = 0;
  const sign = (body: string, t: number, secret = options.secret) =>
    `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

  const post = async (body: string, signature: string): Promise<Delivery> => {
    const res = await fetch(options.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bank-signature': signature },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as text
    }
    const transactionId = (() => {
      try {
        return String((JSON.parse(body) as { transactionId?: unknown }).transactionId ?? '');
      } catch {
        return '';
      }
    })();
    const delivery = { transactionId, status: res.status, body: parsed };
    deliveries.push(delivery);
    return delivery;
  };

  const notify = (credit: Credit, secret?: string, agoS = 0) => {
    const body = JSON.stringify(credit);
    return post(body, sign(body, Math.floor(Date.now() / 1000) - agoS, secret));
  };

  const book = (t: Omit<TransferOptions, 'notify' | 'secret' | 'signedAgoS'>): Credit => {
    const credit: Credit = {
      transactionId: `FT${Date.now()}${randomUUID().slice(0, 8).toUpperCase()}`,
      accountNumber: t.accountNumber ?? options.accountNumber,
      amountVnd: t.amountVnd,
      content: t.content,
      bookedAt: new Date().toISOString(),
    };
    credits.push(credit);
    return credit;
  };
  const transfer = async (t: TransferOptions): Promise<Delivery> => {
    const credit = book(t);
    if (t.notify === false) return { transactionId: credit.transactionId, status: 0, body: null };
    return notify(credit, t.secret, t.signedAgoS ?? 0);
  };

  /** Credits at or after `since` in booking order, a page at a time (the page token is an offset). */
  const statement = (url: URL): { status: number; body: unknown } => {
    const since = url.searchParams.get('since') ?? '';
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
    const from = Number(url.searchParams.get('page') ?? 0) || 0;
    const all = credits
      .filter((c) => c.bookedAt >= since)
      .sort((a, b) => a.bookedAt.localeCompare(b.bookedAt) || a.transactionId.localeCompare(b.transactionId));
    const page = all.slice(from, from + limit);
    return {
      status: 200,
      body: { credits: page, ...(from + limit < all.length ? { nextPage: String(from + limit) } : {}) },
    };
  };
  const authorized = (req: http.IncomingMessage): boolean => {
    if (!options.statementClient) return true;
    if (controls.refuseAuth) return false;
    const token = /^Bearer (\S+)$/u.exec(req.headers.authorization ?? '')?.[1];
    return token !== undefined && tokens.has(token);
  };
  const issueToken = (form: URLSearchParams): { status: number; body: unknown } => {
    const client = options.statementClient;
    if (
      !client ||
      controls.refuseAuth ||
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== client.clientId ||
      form.get('client_secret') !== client.clientSecret
    )
      return { status: 401, body: { error: 'invalid_client' } };
    const token = randomUUID();
    tokens.add(token);
    tokensIssued += 1;
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 300 } };
  };

  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://bank');
    if (req.method === 'GET' && url.pathname === '/statement') {
      statementReads += 1;
      if (controls.down) return answer(503, { error: 'statement service unavailable' });
      if (!authorized(req)) return answer(401, { error: 'invalid_token' });
      const r = statement(url);
      return answer(r.status, r.body);
    }
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      readBody(req).then(
        (text) => {
          const r = issueToken(new URLSearchParams(text));
          answer(r.status, r.body);
        },
        () => answer(400, { error: 'invalid_request' }),
      );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/transfers') {
      readBody(req).then(
        async (text) => {
          const t = JSON.parse(text) as TransferOptions;
          answer(200, await transfer(t));
        },
        () => answer(400, { error: 'bad body' }),
      );
      return;
    }
    answer(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accountNumber: options.accountNumber,
    credits,
    deliveries,
    transfer,
    resend: (transactionId) => {
      const credit = credits.find((c) => c.transactionId === transactionId);
      if (!credit) throw new Error(`no credit ${transactionId}`);
      return notify(credit);
    },
    post,
    sign,
    credit: book,
    setStatement: (c) => {
      if (c.down !== undefined) controls.down = c.down;
      if (c.refuseAuth !== undefined) {
        controls.refuseAuth = c.refuseAuth;
        if (c.refuseAuth) tokens.clear();
      }
    },
    get statementReads() {
      return statementReads;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    close: () => closeServer(server),
  };
}
