/**
 * Insurance by CCCD number (Decree 75/2023): a patient who brings only their chip CCCD is looked
 * up at the gateway (the contract simulator) by the 12-digit ID number, with name and birth date,
 * and gets the insurance ticket and the card the gateway found; one without a card, or whose
 * gateway answer needs a human, gets a fee-paying ticket — never a refusal for a card never claimed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { AgentToServerEvents, Identity, ServerToAgentEvents } from '@kiosk/protocol';
import { startBhytSimulator, type BhytSimulator } from '../support/bhyt-simulator';
import { api, login, startServer, type RunningServer } from '../support/server-harness';
import { enrolledAgent, submitCheckIn, checkInsurance } from '../support/server-process';

const lan: Identity = {
  source: 'chip',
  idNumber: '079188012345',
  fullName: 'Nguyễn Thị Lan',
  dateOfBirth: '1988-03-12',
  sex: 'female',
};

describe.each(['required', 'advisory'] as const)('insurance by CCCD number (BHYT_MODE=%s)', (mode) => {
  let gateway: BhytSimulator;
  let server: RunningServer;
  let agent: Socket<ServerToAgentEvents, AgentToServerEvents>;

  beforeAll(async () => {
    gateway = await startBhytSimulator();
    gateway.cards.set('GD4797912345678', {
      maThe: 'GD4797912345678',
      soCCCD: '079188012345',
      hoTen: 'Nguyễn Thị Lan',
      ngaySinh: '12/03/1988',
      gioiTinh: 'Nữ',
      maDKBD: '92012',
      gtTheTu: '01/01/2026',
      gtTheDen: '31/12/2099',
    });
    server = await startServer({
      BOOTSTRAP_PAIRING_CODE: 'CCCDBHYT1234',
      FACILITY_CODE: '92012',
      BHYT_MODE: mode,
      BHYT_GATEWAY_URL: gateway.url,
      BHYT_USERNAME: gateway.username,
      BHYT_PASSWORD: gateway.password,
      BHYT_STAFF_NAME: 'Trần Văn Bình',
      BHYT_STAFF_CCCD: '092080001234',
      BHYT_TIMEOUT_MS: '2000',
    });
    agent = await enrolledAgent(server.url, 'CCCDBHYT1234', 'kiosk-cccd');
  });
  afterAll(async () => {
    agent?.close();
    await server?.stop();
    await gateway?.close();
  });

  const checkIn = (identity: Identity) => submitCheckIn(agent, identity);

  it('a CCCD-only insured patient gets the insurance ticket and the card the gateway found', async () => {
    const pre = await checkInsurance(agent, lan);
    expect(pre).toMatchObject({ ok: true, value: { verdict: 'eligible', maskedCardNumber: 'GD47*******5678' } });

    const r = await checkIn(lan);
    expect(r).toMatchObject({
      ok: true,
      value: { ticket: { serviceType: 'insurance' }, insurance: { verdict: 'eligible' } },
    });
    const looked = gateway.lookups.map((l) => l.body);
    expect(looked).toContainEqual(
      expect.objectContaining({ maThe: '079188012345', hoTen: 'Nguyễn Thị Lan', ngaySinh: '12/03/1988' }),
    );
    if (!r.ok) return;
    const staff = await login(server.url, 'tiepdon', 'tiepdon-demo');
    const patient = await api<{ insuranceNumber: string | null }>(
      server.url,
      staff,
      'GET',
      `/api/queue/tickets/${r.value.ticketId}/patient`,
    );
    expect(patient.body.value?.insuranceNumber).toBe('GD4797912345678');
  });

  it('a CCCD without a card, or with a wrong birth date, is a fee-paying ticket, not a refusal', async () => {
    const noCard = await checkIn({ ...lan, idNumber: '001099077777', fullName: 'Lê Văn Không' });
    expect(noCard).toMatchObject({ ok: true, value: { ticket: { serviceType: 'fee-paying' } } });
    const wrongDate = await checkIn({ ...lan, idNumber: '079188012345', dateOfBirth: '1988-03-13' });
    expect(wrongDate).toMatchObject({ ok: true, value: { ticket: { serviceType: 'fee-paying' } } });
  });
});
