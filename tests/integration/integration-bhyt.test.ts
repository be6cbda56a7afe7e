/**
 * The BHYT eligibility adapter against the gateway's contract simulator: every maKetQua of the
 * table and an unknown one, the token cache, an expired token (401 → new token → one retry), a
 * 401 that persists, refused credentials, a gateway that does not answer in time, and what the
 * requests carry. Then through a real server: required and advisory modes at check-in, the
 * kiosk's pre-check, the staff view of the gateway's note, the Decision 4750 record's card fields.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { AgentToServerEvents, Identity, ServerToAgentEvents } from '@kiosk/protocol';
import { BHYT_RESULT_CODES, BhytGatewayAdapter, UNKNOWN_RESULT, type BhytGatewayOptions } from '@kiosk/server';
import { startBhytSimulator, type BhytSimulator, type SimCard } from '../support/bhyt-simulator';
import {
  api,
  databaseKinds,
  databaseUrl,
  login,
  startServer,
  stopDatabases,
  type RunningServer,
} from '../support/server-harness';
import { enrolledAgent, submitCheckIn, checkInsurance } from '../support/server-process';

const lan: Identity = {
  source: 'bhyt-qr',
  insuranceNumber: 'GD4797912345678',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
};
const card = (maThe: string, extra: Partial<SimCard> = {}): SimCard => ({
  maThe,
  hoTen: 'Nguyễn Thị Lan',
  ngaySinh: '12/03/1988',
  gioiTinh: 'Nữ',
  maDKBD: '92012',
  gtTheTu: '01/01/2026',
  gtTheDen: '31/12/2099',
  ...extra,
});
const staff = { staffName: 'Trần Văn Bình', staffId: '092080001234' };

describe('BHYT gateway adapter against the contract simulator', () => {
  let sim: BhytSimulator;
  const options = (o: Partial<BhytGatewayOptions> = {}): BhytGatewayOptions => ({
    baseUrl: sim.url,
    username: sim.username,
    password: sim.password,
    ...staff,
    timeoutMs: 1_000,
    ...o,
  });
  beforeAll(async () => {
    sim = await startBhytSimulator();
  });
  afterAll(() => sim?.close());

  it.each(Object.entries(BHYT_RESULT_CODES))('maKetQua %s → %o', async (code, meaning) => {
    const maThe = `GD47${code.padStart(11, '0')}`;
    sim.cards.set(
      maThe,
      card(maThe, {
        force: code,
        ...(code === '003' || code === '004'
          ? { maTheMoi: 'GD4797900000099', gtTheTuMoi: '01/01/2027', gtTheDenMoi: '31/12/2027' }
          : {}),
      }),
    );
    const gateway = new BhytGatewayAdapter(options());
    const check = await gateway.check({ ...lan, insuranceNumber: maThe }, maThe);
    gateway.close();
    expect(check).toMatchObject({ resultCode: code, ...meaning });
    if (code === '003' || code === '004')
      expect(check.card).toMatchObject({ newCardNumber: 'GD4797900000099', newValidTo: '2027-12-31' });
  });

  it('an unknown code goes to the counter with the gateway note for staff', async () => {
    sim.cards.set('GD4790000000999', card('GD4790000000999', { force: '999', ghiChu: 'Thẻ đang được xác minh' }));
    const gateway = new BhytGatewayAdapter(options());
    const check = await gateway.check(lan, 'GD4790000000999');
    gateway.close();
    expect(check).toMatchObject({ resultCode: '999', ...UNKNOWN_RESULT, staffNote: 'Thẻ đang được xác minh' });
  });

  it('answers from the card record: eligible with its validity and facility, wrong name, wrong date, expired, unknown', async () => {
    sim.cards.set(lan.insuranceNumber ?? '', card(lan.insuranceNumber ?? ''));
    sim.cards.set('GD4797900000010', card('GD4797900000010', { gtTheDen: '31/12/2025' }));
    const gateway = new BhytGatewayAdapter(options());
    expect(await gateway.check(lan, 'GD4797912345678')).toMatchObject({
      resultCode: '000',
      routing: 'eligible',
      card: {
        cardNumber: 'GD4797912345678',
        validFrom: '2026-01-01',
        validTo: '2099-12-31',
        primaryCareFacility: '92012',
      },
    });
    expect((await gateway.check({ ...lan, fullName: 'Nguyễn Thị Lâm' }, 'GD4797912345678')).resultCode).toBe('060');
    expect((await gateway.check({ ...lan, dateOfBirth: '1988-03-13' }, 'GD4797912345678')).resultCode).toBe('070');
    expect((await gateway.check(lan, 'GD4797900000010')).routing).toBe('fee-paying-or-counter');
    expect((await gateway.check(lan, 'GD4797900000404')).resultCode).toBe('050');
    gateway.close();
  });

  it('sends the MD5 password, the tokens, the staff identity and dd/mm/yyyy; caches the token', async () => {
    const gateway = new BhytGatewayAdapter(options());
    const before = sim.lookups.length;
    await gateway.check(lan, 'GD4797912345678');
    await gateway.check(lan, 'GD4797912345678');
    gateway.close();
    expect(gateway.tokenFetches).toBe(1);
    const [first] = sim.lookups.slice(before);
    expect(first?.query).toMatchObject({
      username: sim.username,
      password: createHash('md5').update(sim.password).digest('hex'),
    });
    expect(first?.query['password']).not.toBe(sim.password);
    expect(first?.body).toEqual({
      maThe: 'GD4797912345678',
      hoTen: 'Nguyễn Thị Lan',
      ngaySinh: '12/03/1988',
      hoTenCb: staff.staffName,
      cccdCb: staff.staffId,
    });
  });

  it.each([
    ['maKetQua 401 in a 200', false],
    ['HTTP 401', true],
  ])('an expired token (%s): a new token and one retry', async (_label, http401) => {
    sim.http401 = http401;
    const gateway = new BhytGatewayAdapter(options());
    expect((await gateway.check(lan, 'GD4797912345678')).resultCode).toBe('000');
    sim.expireTokens();
    expect((await gateway.check(lan, 'GD4797912345678')).resultCode).toBe('000');
    expect(gateway.tokenFetches).toBe(2);
    sim.http401 = false;
    gateway.close();
  });

  it('a token past its expires_in is renewed before use', async () => {
    sim.tokenLifetimeS = 1;
    sim.tokenShape = 'flat';
    const gateway = new BhytGatewayAdapter(options());
    await gateway.check(lan, 'GD4797912345678');
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await gateway.check(lan, 'GD4797912345678')).resultCode).toBe('000');
    expect(gateway.tokenFetches).toBe(2);
    gateway.close();
    sim.tokenLifetimeS = 3600;
    sim.tokenShape = 'apikey';
  });

  it('a 401 that persists, or refused credentials: an admin must look', async () => {
    sim.refuseAllTokens = true;
    const gateway = new BhytGatewayAdapter(options());
    expect(await gateway.check(lan, 'GD4797912345678')).toMatchObject({ routing: 'alert-admin', resultCode: '401' });
    gateway.close();
    sim.refuseAllTokens = false;
    const wrong = new BhytGatewayAdapter(options({ password: 'sai' }));
    expect(await wrong.check(lan, 'GD4797912345678')).toMatchObject({ routing: 'alert-admin', verdict: 'unavailable' });
    wrong.close();
  });

  it('a gateway that does not answer in time: retry later', async () => {
    sim.delayMs = 500;
    const gateway = new BhytGatewayAdapter(options({ timeoutMs: 200 }));
    expect(await gateway.check(lan, 'GD4797912345678')).toMatchObject({
      routing: 'retry-later',
      verdict: 'unavailable',
    });
    sim.delayMs = 0;
    gateway.close();
  });
});

// On PostgreSQL the BHYT answer is stored by the one-statement check-in.
const modes = databaseKinds.flatMap((kind) => (['required', 'advisory'] as const).map((mode) => [mode, kind] as const));
afterAll(() => stopDatabases());

describe.each(modes)('BHYT at check-in through a real server (%s, %s)', (mode, kind) => {
  let sim: BhytSimulator;
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;

  beforeAll(async () => {
    sim = await startBhytSimulator();
    sim.cards.set('GD4797912345678', card('GD4797912345678', { ghiChu: 'Thẻ hợp lệ, ghi chú cho nhân viên' }));
    sim.cards.set('GD4797900000010', card('GD4797900000010', { gtTheDen: '31/12/2025' }));
    sim.cards.set('GD4797900000050', card('GD4797900000050', { force: '050' }));
    sim.cards.set('GD4797900000100', card('GD4797900000100', { force: '100' }));
    server = await startServer({
      ...(await databaseUrl(kind)),
      BOOTSTRAP_PAIRING_CODE: 'BHYTCODE1234',
      FACILITY_CODE: '92012',
      BHYT_MODE: mode,
      BHYT_GATEWAY_URL: sim.url,
      BHYT_USERNAME: sim.username,
      BHYT_PASSWORD: sim.password,
      BHYT_STAFF_NAME: staff.staffName,
      BHYT_STAFF_CCCD: staff.staffId,
      BHYT_TIMEOUT_MS: '1000',
    });
    agent = await enrolledAgent(server.url, 'BHYTCODE1234', 'kiosk-bhyt');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await sim?.close();
  });

  const checkIn = (identity: Identity) => submitCheckIn(agent, identity);

  it("the kiosk's pre-check gets the verdict in words, a masked card and no staff note", async () => {
    const r = await checkInsurance(agent, lan);
    expect(r).toEqual({
      ok: true,
      value: {
        verdict: 'eligible',
        messageKey: 'insurance.eligible',
        resultCode: '000',
        maskedCardNumber: 'GD47*******5678',
        validTo: '2099-12-31',
      },
    });
    expect(JSON.stringify(r)).not.toContain('ghi chú');
  });

  it('an eligible card: an insurance ticket with its verdict; the gateway note for staff; the 4750 card fields', async () => {
    const r = await checkIn(lan);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.ticket.serviceType).toBe('insurance');
    expect(r.value.insurance).toMatchObject({ verdict: 'eligible', resultCode: '000' });
    const admin = await login(server.url, 'admin', 'admin-demo');
    const checks = await api<{ staffNote: string; routing: string }[]>(
      server.url,
      admin,
      'GET',
      `/api/admin/visits/${r.value.visitId}/insurance`,
    );
    expect(checks.body.value).toMatchObject([{ routing: 'eligible', staffNote: 'Thẻ hợp lệ, ghi chú cho nhân viên' }]);
    const record = await server.app.services.db.kysely
      .selectFrom('checkin_records')
      .selectAll()
      .where('visit_id', '=', r.value.visitId)
      .executeTakeFirstOrThrow();
    expect(record).toMatchObject({
      ma_the_bhyt: 'GD4797912345678',
      ma_dkbd: '92012',
      gt_the_tu: '20260101',
      gt_the_den: '20991231',
      ma_doituong_kcb: '1.1',
    });
  });

  it('an expired card (010): a fee-paying ticket when required, the declared one when advisory', async () => {
    const r = await checkIn({ ...lan, insuranceNumber: 'GD4797900000010' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.ticket.serviceType).toBe(mode === 'required' ? 'fee-paying' : 'insurance');
    expect(r.value.insurance).toMatchObject({ verdict: 'expired', messageKey: 'insurance.card-expired' });
  });

  it('a card that needs a human (050): refused to the counter when required, issued with the verdict when advisory', async () => {
    const r = await checkIn({ ...lan, insuranceNumber: 'GD4797900000050' });
    if (mode === 'required')
      expect(r).toEqual({
        ok: false,
        error: {
          code: 'insurance-not-eligible',
          message: 'the BHYT card cannot be used at the kiosk (maKetQua 050)',
          hint: 'go-to-counter',
        },
      });
    else expect(r).toMatchObject({ ok: true, value: { insurance: { verdict: 'go-to-counter', resultCode: '050' } } });
  });

  it('the gateway cannot answer (100): retry later — the counter when required', async () => {
    const r = await checkIn({ ...lan, insuranceNumber: 'GD4797900000100' });
    if (mode === 'required') expect(r).toMatchObject({ ok: false, error: { code: 'insurance-unavailable' } });
    else expect(r).toMatchObject({ ok: true, value: { insurance: { verdict: 'unavailable' } } });
  });

  it('a patient with only a CCCD is looked up by its number (Decree 75/2023); without a card found, fee-paying', async () => {
    const lookups = sim.lookups.length;
    const r = await checkIn({
      source: 'cccd-qr',
      idNumber: '079188012399',
      fullName: 'Lê Văn Tư',
      dateOfBirth: '1970-01-01',
    });
    expect(r).toMatchObject({ ok: true, value: { ticket: { serviceType: 'fee-paying' } } });
    expect(sim.lookups.slice(lookups).map((l) => l.body['maThe'])).toEqual(['079188012399']);
  });

  it('a patient with neither a card nor an ID number is never looked up', async () => {
    const lookups = sim.lookups.length;
    const r = await checkIn({ source: 'manual', fullName: 'Lê Văn Năm', dateOfBirth: '1970-01-01' });
    expect(r).toMatchObject({ ok: true, value: { ticket: { serviceType: 'fee-paying' } } });
    expect(sim.lookups.length).toBe(lookups);
  });
});
