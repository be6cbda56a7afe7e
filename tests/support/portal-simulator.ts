/**
 * A contract simulator of the social-insurance data portal's check-in service (Decision 4750), on
 * 127.0.0.1, modelled on the insurance gateway's simulator:
 * - `POST /api/token/take`, form `username` + `password` (MD5) → `{ maKetQua: '200', APIKey: {
 *   access_token, id_token, token_type, username, expires_in } }`; wrong credentials → HTTP 401
 *   with maKetQua '401';
 * - `POST /api/egw/guiCheckin4750?token=…&id_token=…&username=…&password=…` with
 *   `{ maCSKCB, checkin: { MA_LK, … } }` → `{ maKetQua: '200', maGiaoDich }`; unknown or expired
 *   tokens → '401' (HTTP 401 when `http401`); missing or malformed fields → '400' with
 *   `loi: [{ truong, moTa }]`; the same MA_LK again with the same content → '201' and the first
 *   maGiaoDich; with other content → '409'.
 * Outages: `down` answers HTTP 503 (maKetQua '503'), `busy` maKetQua '429'; `forceCode` answers any
 * code. Every submission is recorded for the contract checks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readBody } from './read-body';
import { closeServer, sendJson } from './http-simulator';

export interface PortalSubmission {
  query: Record<string, string>;
  body: Record<string, unknown>;
  maKetQua: string;
}

export interface PortalSimulator {
  url: string;
  username: string;
  password: string;
  /** Records received, by MA_LK: the checkin object and its transaction id. */
  received: Map<string, { checkin: Record<string, unknown>; maGiaoDich: string }>;
  submissions: PortalSubmission[];
  tokenRequests: number;
  tokenLifetimeS: number;
  http401: boolean;
  /** Answers every submission with HTTP 503 (an outage). */
  down: boolean;
  /** Answers every submission with maKetQua '429'. */
  busy: boolean;
  /** Answers submissions with this maKetQua, whatever they carry. */
  forceCode: string | undefined;
  /** Refuses records of these MA_LK with '400' (a content rule of the portal we do not know). */
  rejectMaLk: Set<string>;
  delayMs: number;
  expireTokens(): void;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** Fields the portal requires, with the form it checks. */
const REQUIRED: Record<string, RegExp> = {
  MA_LK: /^.{1,100}$/u,
  MA_BN: /^.{1,100}$/u,
  HO_TEN: /^.{1,255}$/u,
  NGAY_SINH: /^\d{8}(\d{4})?$|^\d{4}$/u,
  GIOI_TINH: /^[123]$/u,
  MA_DOITUONG_KCB: /^.{1,4}$/u,
  NGAY_VAO: /^\d{12}$/u,
  MA_LOAI_KCB: /^\d{2}$/u,
  MA_CSKCB: /^[A-Z0-9]{1,10}$/u,
  MA_DICH_VU: /^.{1,50}$/u,
  TEN_DICH_VU: /^.{1,1024}$/u,
  NGAY_YL: /^\d{12}$/u,
};

const canonical = (o: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));

export async function startPortalSimulator(
  options: { username?: string; password?: string; port?: number } = {},
): Promise<PortalSimulator> {
  const tokens = new Map<string, { idToken: string; untilMs: number }>();
  let serial = 0;
  const sim: PortalSimulator = {
    url: '',
    username: options.username ?? 'bv92012-cong',
    password: options.password ?? 'mat-khau-cong',
    received: new Map(),
    submissions: [],
    tokenRequests: 0,
    tokenLifetimeS: 3600,
    http401: false,
    down: false,
    busy: false,
    forceCode: undefined,
    rejectMaLk: new Set(),
    delayMs: 0,
    expireTokens: () => tokens.clear(),
    close: () => closeServer(server),
  };

  const submit = (query: Record<string, string>, body: Record<string, unknown>): [number, Record<string, unknown>] => {
    const token = tokens.get(query['token'] ?? '');
    const credentialsOk = query['username'] === sim.username && query['password'] === md5(sim.password);
    if (!token || token.untilMs < Date.now() || token.idToken !== query['id_token'] || !credentialsOk)
      return [sim.http401 ? 401 : 200, { maKetQua: '401', thongBao: 'Token không hợp lệ hoặc đã hết hạn' }];
    if (sim.down) return [503, { maKetQua: '503', thongBao: 'Hệ thống đang bảo trì' }];
    if (sim.busy) return [200, { maKetQua: '429', thongBao: 'Quá nhiều yêu cầu' }];
    if (sim.forceCode) return [200, { maKetQua: sim.forceCode, thongBao: `Mã kết quả ${sim.forceCode}` }];
    const checkin = body['checkin'];
    if (typeof checkin !== 'object' || checkin === null || Array.isArray(checkin))
      return [200, { maKetQua: '400', thongBao: 'Thiếu dữ liệu', loi: [{ truong: 'checkin', moTa: 'Thiếu' }] }];
    const record = checkin as Record<string, unknown>;
    const loi: { truong: string; moTa: string }[] = [];
    if (typeof body['maCSKCB'] !== 'string' || body['maCSKCB'] !== record['MA_CSKCB'])
      loi.push({ truong: 'maCSKCB', moTa: 'Không khớp MA_CSKCB' });
    for (const [field, form] of Object.entries(REQUIRED)) {
      const v = record[field];
      if (v === undefined || v === null || !form.test(String(v))) loi.push({ truong: field, moTa: 'Sai định dạng' });
    }
    const maLk = String(record['MA_LK'] ?? '');
    if (sim.rejectMaLk.has(maLk)) loi.push({ truong: 'MA_THE_BHYT', moTa: 'Thẻ không hợp lệ' });
    if (loi.length > 0) return [200, { maKetQua: '400', thongBao: 'Dữ liệu không hợp lệ', loi }];
    // STT numbers records of one submission: it is not part of the record's identity.
    const { STT: _stt, ...identity } = record;
    const known = sim.received.get(maLk);
    if (known) {
      const { STT: _s, ...knownIdentity } = known.checkin;
      if (canonical(knownIdentity) !== canonical(identity))
        return [200, { maKetQua: '409', thongBao: 'MA_LK đã có với dữ liệu khác' }];
      return [200, { maKetQua: '201', thongBao: 'Đã tiếp nhận trước đó', maGiaoDich: known.maGiaoDich }];
    }
    serial += 1;
    const maGiaoDich = `GD${String(serial).padStart(10, '0')}`;
    sim.received.set(maLk, { checkin: record, maGiaoDich });
    return [200, { maKetQua: '200', thongBao: 'Tiếp nhận thành công', maGiaoDich }];
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (sim.delayMs > 0) await new Promise((r) => setTimeout(r, sim.delayMs));
    if (req.method === 'POST' && url.pathname === '/api/token/take') {
      sim.tokenRequests += 1;
      const form = new URLSearchParams(raw);
      if (form.get('username') !== sim.username || form.get('password') !== md5(sim.password))
        return sendJson(res, 401, { maKetQua: '401', thongBao: 'Sai tài khoản hoặc mật khẩu' });
      const accessToken = randomBytes(16).toString('hex');
      const idToken = randomBytes(16).toString('hex');
      tokens.set(accessToken, { idToken, untilMs: Date.now() + sim.tokenLifetimeS * 1000 });
      return sendJson(res, 200, {
        maKetQua: '200',
        APIKey: {
          access_token: accessToken,
          id_token: idToken,
          token_type: 'Bearer',
          username: sim.username,
          expires_in: String(sim.tokenLifetimeS),
        },
      });
    }
    if (req.method === 'POST' && url.pathname === '/api/egw/guiCheckin4750') {
      const query = Object.fromEntries(url.searchParams);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return sendJson(res, 200, { maKetQua: '400', thongBao: 'JSON không hợp lệ' });
      }
      const [status, answer] = submit(query, body);
      sim.submissions.push({ query, body, maKetQua: String(answer['maKetQua']) });
      return sendJson(res, status, answer);
    }
    sendJson(res, 404, { maKetQua: '404' });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => sendJson(res, 500, { maKetQua: '500' }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}
