/**
 * A contract simulator of the BHXH insurance gateway (vietnam.md §3), on 127.0.0.1:
 * - `POST /api/token/take`, form `username` + `password` (MD5) → `{ maKetQua: '200', APIKey: {
 *   access_token, id_token, token_type, username, expires_in } }` (or the same keys flat);
 *   wrong credentials → HTTP 401 with maKetQua '401';
 * - `POST /api/egw/KQNhanLichSuKCB2024?token=…&id_token=…&username=…&password=…` with
 *   `{ maThe, hoTen, ngaySinh, hoTenCb, cccdCb }` → the documented answer fields. Unknown or
 *   expired tokens → maKetQua '401' (HTTP 401 when `http401`); missing parameters → '205'.
 * Cards answer from their record (000, 010 expired, 050 unknown, 060 wrong name, 070 wrong date of
 * birth), or with any forced code. Every lookup is recorded for the contract checks.
 * Decree 75/2023: a 12-digit CCCD number in place of `maThe` finds the card of its holder
 * (`soCCCD`), with the same name and birth-date checks; the answer carries that card's `maThe`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readBody } from './read-body';
import { sendJson } from './http-simulator';

export interface SimCard {
  maThe: string;
  hoTen: string;
  /** dd/mm/yyyy */
  ngaySinh: string;
  gioiTinh: 'Nam' | 'Nữ';
  maDKBD: string;
  /** dd/mm/yyyy */
  gtTheTu: string;
  gtTheDen: string;
  /** Forces this maKetQua whatever the request says. */
  force?: string;
  ghiChu?: string;
  maTheMoi?: string;
  /** The holder's 12-digit personal identification (CCCD) number: lookups by it find this card. */
  soCCCD?: string;
  gtTheTuMoi?: string;
  gtTheDenMoi?: string;
}

export interface Lookup {
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export interface BhytSimulator {
  url: string;
  username: string;
  password: string;
  cards: Map<string, SimCard>;
  lookups: Lookup[];
  tokenRequests: number;
  /** expires_in of new tokens, seconds. */
  tokenLifetimeS: number;
  /** Token under APIKey (default) or at the top level. */
  tokenShape: 'apikey' | 'flat';
  /** Refused tokens answer HTTP 401 instead of maKetQua '401' in a 200. */
  http401: boolean;
  /** Every token is refused (credentials revoked upstream). */
  refuseAllTokens: boolean;
  delayMs: number;
  /** The gateway is down: every request gets HTTP 503. */
  down: boolean;
  /** Forgets every issued token: the next lookup gets a 401. */
  expireTokens(): void;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

const toDate = (dmy: string) => {
  const [d, m, y] = dmy.split('/');
  return new Date(`${y}-${m}-${d}T00:00:00Z`);
};

export async function startBhytSimulator(
  options: { username?: string; password?: string; port?: number } = {},
): Promise<BhytSimulator> {
  const tokens = new Map<string, { idToken: string; untilMs: number }>();
  const sim: BhytSimulator = {
    url: '',
    username: options.username ?? 'bv92012',
    password: options.password ?? 'mat-khau-thu',
    cards: new Map(),
    lookups: [],
    tokenRequests: 0,
    tokenLifetimeS: 3600,
    tokenShape: 'apikey',
    http401: false,
    refuseAllTokens: false,
    delayMs: 0,
    down: false,
    expireTokens: () => tokens.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const answer = (body: Record<string, unknown>): Record<string, unknown> => {
    const asked = String(body['maThe'] ?? '');
    const byCccd = /^\d{12}$/u.test(asked);
    const card = byCccd ? [...sim.cards.values()].find((c) => c.soCCCD === asked) : sim.cards.get(asked);
    const maThe = card?.maThe ?? asked;
    const base = {
      maThe,
      hoTen: card?.hoTen ?? '',
      ngaySinh: card?.ngaySinh ?? '',
      gioiTinh: card?.gioiTinh ?? '',
      diaChi: card ? 'Phường Ninh Kiều, TP. Cần Thơ' : '',
      maDKBD: card?.maDKBD ?? '',
      cqBHXH: card ? 'BHXH TP. Cần Thơ' : '',
      gtTheTu: card?.gtTheTu ?? '',
      gtTheDen: card?.gtTheDen ?? '',
      maKV: '',
      ngayDu5Nam: '',
      maSoBHXH: card?.soCCCD ?? maThe.slice(-10),
      maTheCu: '',
      maTheMoi: card?.maTheMoi ?? '',
      gtTheTuMoi: card?.gtTheTuMoi ?? '',
      gtTheDenMoi: card?.gtTheDenMoi ?? '',
    };
    const result = (maKetQua: string, ghiChu: string) => ({ maKetQua, ghiChu: card?.ghiChu ?? ghiChu, ...base });
    if (!card) return result('050', 'Không tìm thấy thông tin thẻ');
    if (card.force) return result(card.force, `Mã kết quả ${card.force}`);
    if (String(body['hoTen'] ?? '').normalize('NFC') !== card.hoTen.normalize('NFC'))
      return result('060', 'Họ tên không đúng');
    const dob = String(body['ngaySinh'] ?? '');
    if (dob !== card.ngaySinh && dob !== card.ngaySinh.slice(-4)) return result('070', 'Ngày sinh không đúng');
    if (toDate(card.gtTheDen).getTime() < Date.now()) return result('010', 'Thẻ hết giá trị sử dụng');
    return result('000', 'Thông tin thẻ chính xác');
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (sim.delayMs > 0) await new Promise((r) => setTimeout(r, sim.delayMs));
    if (sim.down) return sendJson(res, 503, { maKetQua: '503', ghiChu: 'Hệ thống đang bảo trì' });
    if (req.method === 'POST' && url.pathname === '/api/token/take') {
      sim.tokenRequests += 1;
      const form = new URLSearchParams(raw);
      if (form.get('username') !== sim.username || form.get('password') !== md5(sim.password))
        return sendJson(res, 401, { maKetQua: '401', ghiChu: 'Sai tài khoản hoặc mật khẩu' });
      const accessToken = randomBytes(16).toString('hex');
      const idToken = randomBytes(16).toString('hex');
      tokens.set(accessToken, { idToken, untilMs: Date.now() + sim.tokenLifetimeS * 1000 });
      const key = {
        access_token: accessToken,
        id_token: idToken,
        token_type: 'Bearer',
        username: sim.username,
        expires_in: String(sim.tokenLifetimeS),
      };
      return sendJson(
        res,
        200,
        sim.tokenShape === 'apikey' ? { maKetQua: '200', APIKey: key } : { maKetQua: '200', ...key },
      );
    }
    if (req.method === 'POST' && url.pathname === '/api/egw/KQNhanLichSuKCB2024') {
      const query = Object.fromEntries(url.searchParams);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return sendJson(res, 200, { maKetQua: '205', ghiChu: 'Sai tham số' });
      }
      sim.lookups.push({ query, body });
      const token = tokens.get(query['token'] ?? '');
      const credentialsOk = query['username'] === sim.username && query['password'] === md5(sim.password);
      if (
        sim.refuseAllTokens ||
        !token ||
        token.untilMs < Date.now() ||
        token.idToken !== query['id_token'] ||
        !credentialsOk
      )
        return sendJson(res, sim.http401 ? 401 : 200, {
          maKetQua: '401',
          ghiChu: 'Token không hợp lệ hoặc đã hết hạn',
        });
      for (const field of ['maThe', 'hoTen', 'ngaySinh', 'hoTenCb', 'cccdCb'])
        if (typeof body[field] !== 'string' || body[field] === '')
          return sendJson(res, 200, { maKetQua: '205', ghiChu: `Thiếu tham số ${field}` });
      return sendJson(res, 200, answer(body));
    }
    sendJson(res, 404, { maKetQua: '404' });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => sendJson(res, 500, { maKetQua: '101' }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}
