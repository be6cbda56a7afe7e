/**
 * The card terminal's ECR driver over real links: the kernel pty socat makes (serialport's native
 * binding on both ends, the simulated terminal on the far one) and a TCP socket to a simulated
 * terminal listening as a networked one does. Every outcome of a sale goes over the wire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  EcrTerminalDriver,
  SerialTransport,
  SimulatedCardTerminal,
  TcpTransport,
  terminalPeerLinkOf,
  type ByteTransport,
} from '@kiosk/device-agent';
import { listeningCardTerminal } from '../support/card-terminal';
import { killPtyPairs, ptyPair } from '../support/pty';

const settings = {
  kind: 'serial' as const,
  baudRate: 115_200,
  dataBits: 8 as const,
  parity: 'none' as const,
  stopBits: 1 as const,
  flowControl: 'none' as const,
};
const sale = { type: 'sale' as const, amountVnd: 30_000, reference: 'KP0123456789' };
const timeouts = { ackTimeoutMs: 1_000, saleTimeoutMs: 1_500, shortTimeoutMs: 3_000 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  killPtyPairs();
});

async function overPty(): Promise<{ driver: EcrTerminalDriver; terminal: SimulatedCardTerminal }> {
  const pair = await ptyPair();
  const kiosk: ByteTransport = new SerialTransport({ path: pair.device, settings, id: 'terminal' });
  const far = new SerialTransport({ path: pair.host, settings, id: 'terminal-far' });
  await far.open();
  const terminal = new SimulatedCardTerminal(terminalPeerLinkOf(far), { terminalId: 'PTY00001', last4: '9876' });
  const driver = new EcrTerminalDriver(kiosk, timeouts);
  cleanups.push(async () => {
    driver.dispose();
    terminal.stop();
    await kiosk.close();
    await far.close();
  });
  return { driver, terminal };
}

async function overTcp(): Promise<{ driver: EcrTerminalDriver; terminal: SimulatedCardTerminal }> {
  const { terminal, close, port } = await listeningCardTerminal({
    terminalId: 'TCP00001',
    scheme: 'VISA',
    last4: '4242',
  });
  const kiosk = new TcpTransport({ host: '127.0.0.1', port, id: 'terminal-tcp' });
  const driver = new EcrTerminalDriver(kiosk, timeouts);
  cleanups.push(async () => {
    driver.dispose();
    await kiosk.close();
    await close();
  });
  return { driver, terminal };
}

describe.each([
  ['a serial pty', overPty],
  ['TCP', overTcp],
] as const)('card terminal over %s', (_name, connect) => {
  it('approves, declines, is cancelled, is busy', async () => {
    const { driver, terminal } = await connect();
    expect(await driver.request({ type: 'status' })).toMatchObject({ ok: true, value: { state: 'ready' } });
    const approved = await driver.request(sale);
    expect(approved).toMatchObject({
      ok: true,
      value: { outcome: 'approved', amountVnd: 30_000, reference: sale.reference },
    });
    expect(approved.ok && approved.value.type === 'result' && approved.value.last4).toMatch(/^\d{4}$/u);
    for (const [behaviour, outcome] of [
      ['decline', 'declined'],
      ['cancel', 'cancelled'],
      ['busy', 'busy'],
    ] as const) {
      terminal.nextSale(behaviour);
      expect(await driver.request(sale)).toMatchObject({ ok: true, value: { outcome } });
    }
  });

  it('NAKs a corrupt answer and takes it again', async () => {
    const { driver, terminal } = await connect();
    terminal.nextSale('corrupt-then-good');
    expect(await driver.request(sale)).toMatchObject({ ok: true, value: { outcome: 'approved' } });
    expect(driver.counters.naksSent).toBe(1);
  });

  it('times out on silence; recovers a lost approval with LAST and voids it', async () => {
    const { driver, terminal } = await connect();
    terminal.nextSale('no-answer');
    expect(await driver.request(sale)).toMatchObject({ ok: false, error: { code: 'timeout' } });
    terminal.nextSale('approve-answer-lost');
    expect(await driver.request(sale)).toMatchObject({ ok: false, error: { code: 'timeout' } });
    const last = await driver.request({ type: 'last' });
    expect(last).toMatchObject({ ok: true, value: { outcome: 'approved', reference: sale.reference } });
    const rrn = last.ok && last.value.type === 'result' ? (last.value.rrn ?? '') : '';
    expect(rrn).toBe(terminal.lastTransaction?.rrn);
    expect(await driver.request({ type: 'void', rrn })).toMatchObject({ ok: true, value: { outcome: 'approved' } });
  });
});
