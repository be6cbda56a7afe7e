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
 * - `GET /statement?since=<iso>` → the account's credits (the statement API a poller reads).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomUUID } from 'node:crypto';
import { readBody } from './read-body';

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
  close(): Promise<void>;
}

export async function startBankSimulator(options: {
  webhookUrl: string;
  secret: string;
  accountNumber: string;
}): Promise<BankSimulator> {
  const credits: Credit[] = [];
  const deliveries: Delivery[] = [];
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

  const transfer = async (t: TransferOptions): Promise<Delivery> => {
    const credit: Credit = {
      transactionId: `FT${Date.now()}${randomUUID().slice(0, 8).toUpperCase()}`,
      accountNumber: t.accountNumber ?? options.accountNumber,
      amountVnd: t.amountVnd,
      content: t.content,
      bookedAt: new Date().toISOString(),
    };
    credits.push(credit);
    return notify(credit, t.secret, t.signedAgoS ?? 0);
  };

  const server = http.createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://bank');
    if (req.method === 'GET' && url.pathname === '/statement') {
      const since = url.searchParams.get('since') ?? '';
      return answer(200, { credits: credits.filter((c) => c.bookedAt >= since) });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
