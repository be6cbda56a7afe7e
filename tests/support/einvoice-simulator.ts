/**
 * A contract simulator of the hospital's e-invoice provider (modelled on Viettel sInvoice, VNPT and
 * MISA meInvoice create-invoice APIs), on 127.0.0.1:
 * - `POST /auth/token` `{ username, password }` → `{ access_token, expires_in }`; wrong
 *   credentials → HTTP 401 `{ errorCode: 'AUTH_FAILED' }`;
 * - `POST /invoices` with `Authorization: Bearer …` and the invoice → `{ errorCode: null, result:
 *   { invoiceNo, reservationCode, lookupUrl, transactionUuid } }`; an unknown or expired token →
 *   HTTP 401 `TOKEN_EXPIRED`; a missing or malformed field, totals that do not add up, or a total
 *   in words that does not read back to the total → HTTP 400 `INVALID_DATA` with `fields`; the
 *   same `transactionUuid` again with the same content → the same invoice; with other content →
 *   HTTP 409 `KEY_CONFLICT`.
 * Misbehaviour on demand: `down` (HTTP 503), `fail500` (the next n calls answer 500), `delayMs`
 * (slow), `expireTokens()`, `refuse` (every invoice refused with `INVALID_DATA`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readBody } from './read-body';
import { closeServer, sendJson } from './http-simulator';

export interface IssuedRecord {
  invoiceNo: string;
  reservationCode: string;
  body: Record<string, unknown>;
}

export interface EInvoiceSimulator {
  url: string;
  username: string;
  password: string;
  /** Invoices issued, by transactionUuid (our payment reference). */
  issued: Map<string, IssuedRecord>;
  /** Keys of create-invoice calls as they arrive (before any delay): a call is in flight. */
  arrived: string[];
  /** Every create-invoice call with the HTTP status answered. */
  calls: { key: string; status: number }[];
  tokenRequests: number;
  tokenLifetimeS: number;
  down: boolean;
  fail500: number;
  delayMs: number;
  refuse: boolean;
  expireTokens(): void;
  close(): Promise<void>;
}

const DIGIT: Record<string, number> = {
  không: 0,
  một: 1,
  mốt: 1,
  hai: 2,
  ba: 3,
  bốn: 4,
  tư: 4,
  năm: 5,
  lăm: 5,
  sáu: 6,
  bảy: 7,
  tám: 8,
  chín: 9,
};

/** Reads "Ba mươi nghìn đồng" back to 30000; undefined when it is not an amount in words. */
export function wordsToVnd(text: string): number | undefined {
  const m = /^(.+) đồng$/u.exec(text);
  if (!m?.[1]) return undefined;
  let billions = 0;
  let total = 0;
  let group = 0;
  let pending = 0;
  for (const w of m[1].toLowerCase().split(' ')) {
    if (w in DIGIT) pending = DIGIT[w] ?? 0;
    else if (w === 'trăm') [group, pending] = [group + pending * 100, 0];
    else if (w === 'mươi') [group, pending] = [group + pending * 10, 0];
    else if (w === 'mười') group += 10;
    else if (w === 'linh' || w === 'lẻ') continue;
    else if (w === 'nghìn' || w === 'ngàn') [total, group, pending] = [total + (group + pending) * 1000, 0, 0];
    else if (w === 'triệu') [total, group, pending] = [total + (group + pending) * 1_000_000, 0, 0];
    else if (w === 'tỷ') [billions, total, group, pending] = [billions + total + group + pending, 0, 0, 0];
    else return undefined;
  }
  return billions * 1_000_000_000 + total + group + pending;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const money = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The provider's checks of a create-invoice body: the names of the fields it refuses. */
export function invoiceFieldErrors(b: Record<string, unknown>): string[] {
  const bad: string[] = [];
  if (!text(b['transactionUuid'], 64)) bad.push('transactionUuid');
  if (!/^[12]$/u.test(String(b['templateCode']))) bad.push('templateCode');
  if (!/^[CK]\d{2}[TDLMNBGH][A-Z0-9]{2}$/u.test(String(b['invoiceSeries']))) bad.push('invoiceSeries');
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(String(b['issueDate']))) bad.push('issueDate');
  if (b['currencyCode'] !== 'VND') bad.push('currencyCode');
  const seller = isObj(b['seller']) ? b['seller'] : {};
  if (!text(seller['name'], 400)) bad.push('seller.name');
  if (!/^\d{10}(-\d{3})?$/u.test(String(seller['taxCode']))) bad.push('seller.taxCode');
  if (!text(seller['address'], 400)) bad.push('seller.address');
  const buyer = isObj(b['buyer']) ? b['buyer'] : {};
  if (!text(buyer['name'], 400)) bad.push('buyer.name');
  if (buyer['taxCode'] !== undefined && !/^\d{10}(-\d{3})?$/u.test(String(buyer['taxCode']))) bad.push('buyer.taxCode');
  if (buyer['idNumber'] !== undefined && !/^\d{12}$/u.test(String(buyer['idNumber']))) bad.push('buyer.idNumber');
  const items = Array.isArray(b['items']) ? b['items'] : [];
  if (items.length === 0) bad.push('items');
  let sum = 0;
  for (const [i, item] of items.entries()) {
    const it = isObj(item) ? item : {};
    if (!text(it['itemName'], 500) || !text(it['unitName'], 50)) bad.push(`items[${i}].itemName`);
    const [q, p, a] = [it['quantity'], it['unitPrice'], it['itemTotalAmountWithoutTax']];
    if (!money(q) || !money(p) || !money(a) || (q as number) * (p as number) !== a) bad.push(`items[${i}].amount`);
    if (!['KCT', 'KKKNT', '0', '5', '8', '10'].includes(String(it['taxPercentage']))) bad.push(`items[${i}].tax`);
    sum += typeof a === 'number' ? a : 0;
  }
  const s = isObj(b['summarizeInfo']) ? b['summarizeInfo'] : {};
  const [net, tax, gross] = [s['totalAmountWithoutTax'], s['totalTaxAmount'], s['totalAmountWithTax']];
  if (!money(net) || !money(tax) || !money(gross) || net !== sum || (net as number) + (tax as number) !== gross)
    bad.push('summarizeInfo.totalAmountWithTax');
  const words = s['totalAmountInWords'];
  if (typeof words !== 'string' || wordsToVnd(words) !== gross || !/^\p{Lu}/u.test(words))
    bad.push('summarizeInfo.totalAmountInWords');
  const payments = Array.isArray(b['payments']) ? b['payments'] : [];
  const method = isObj(payments[0]) ? payments[0]['paymentMethodName'] : undefined;
  if (!['Tiền mặt', 'Chuyển khoản', 'Thẻ', 'TM/CK'].includes(String(method))) bad.push('payments');
  return bad;
}

const canonical = (v: unknown): string =>
  isObj(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${k}:${canonical(v[k])}`)
        .join(',')}}`
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : JSON.stringify(v);

export async function startEInvoiceSimulator(
  options: { username?: string; password?: string } = {},
): Promise<EInvoiceSimulator> {
  const tokens = new Map<string, number>();
  let serial = 0;
  const sim: EInvoiceSimulator = {
    url: '',
    username: options.username ?? 'bvct-hddt',
    password: options.password ?? 'mat-khau-hddt',
    issued: new Map(),
    arrived: [],
    calls: [],
    tokenRequests: 0,
    tokenLifetimeS: 3600,
    down: false,
    fail500: 0,
    delayMs: 0,
    refuse: false,
    expireTokens: () => tokens.clear(),
    close: () => closeServer(server),
  };

  const create = (auth: string | undefined, body: Record<string, unknown>): [number, Record<string, unknown>] => {
    if (sim.down) return [503, { errorCode: 'SERVICE_UNAVAILABLE', description: 'Hệ thống đang bảo trì' }];
    if (sim.fail500 > 0) {
      sim.fail500 -= 1;
      return [500, { errorCode: 'INTERNAL_ERROR', description: 'Lỗi hệ thống' }];
    }
    const token = /^Bearer (\S+)$/u.exec(auth ?? '')?.[1];
    const until = token ? tokens.get(token) : undefined;
    if (until === undefined || until < Date.now())
      return [401, { errorCode: 'TOKEN_EXPIRED', description: 'Token không hợp lệ hoặc đã hết hạn' }];
    const fields = invoiceFieldErrors(body);
    if (sim.refuse) fields.push('seller.taxCode');
    if (fields.length > 0) return [400, { errorCode: 'INVALID_DATA', description: 'Dữ liệu không hợp lệ', fields }];
    const key = String(body['transactionUuid']);
    const known = sim.issued.get(key);
    if (known && canonical(known.body) !== canonical(body))
      return [409, { errorCode: 'KEY_CONFLICT', description: 'transactionUuid đã dùng cho hóa đơn khác' }];
    const record = known ?? {
      invoiceNo: `${String(body['invoiceSeries'])}${String((serial += 1)).padStart(8, '0')}`,
      reservationCode: randomBytes(5).toString('hex').toUpperCase(),
      body,
    };
    sim.issued.set(key, record);
    return [
      200,
      {
        errorCode: null,
        description: known ? 'Hóa đơn đã tồn tại' : 'Phát hành thành công',
        result: {
          invoiceNo: record.invoiceNo,
          reservationCode: record.reservationCode,
          lookupUrl: `${sim.url}/tra-cuu`,
          transactionUuid: key,
        },
      },
    ];
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(raw || '{}');
      if (isObj(parsed)) body = parsed;
    } catch {
      return sendJson(res, 400, { errorCode: 'INVALID_JSON' });
    }
    if (req.url === '/invoices') sim.arrived.push(String(body['transactionUuid'] ?? ''));
    if (sim.delayMs > 0) await new Promise((r) => setTimeout(r, sim.delayMs));
    if (req.method === 'POST' && req.url === '/auth/token') {
      sim.tokenRequests += 1;
      if (body['username'] !== sim.username || body['password'] !== sim.password)
        return sendJson(res, 401, { errorCode: 'AUTH_FAILED', description: 'Sai tài khoản hoặc mật khẩu' });
      const token = randomBytes(16).toString('hex');
      tokens.set(token, Date.now() + sim.tokenLifetimeS * 1000);
      return sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: sim.tokenLifetimeS });
    }
    if (req.method === 'POST' && req.url === '/invoices') {
      const [status, answer] = create(req.headers.authorization, body);
      sim.calls.push({ key: String(body['transactionUuid'] ?? ''), status });
      return sendJson(res, status, answer);
    }
    sendJson(res, 404, { errorCode: 'NOT_FOUND' });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => sendJson(res, 500, { errorCode: 'INTERNAL_ERROR' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}
