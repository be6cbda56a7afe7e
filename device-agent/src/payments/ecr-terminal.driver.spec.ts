import { ECR_ACK, ECR_NAK, encodeEcrMessageFrame, until } from '@kiosk/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedByteTransport } from '../simulator/simulated-byte.transport';
import { SimulatedCardTerminal, type TerminalPeerLink } from '../simulator/simulated-card-terminal';
import { EcrTerminalDriver } from './ecr-terminal.driver';

const peerOf = (transport: SimulatedByteTransport): TerminalPeerLink => ({
  send: (bytes) => transport.emitData(bytes),
  onReceive: (listener) => transport.onHostWrite(listener),
});

const sale = { type: 'sale' as const, amountVnd: 30_000, reference: 'KP0123456789' };

function setup(options: ConstructorParameters<typeof EcrTerminalDriver>[1] = {}) {
  const transport = new SimulatedByteTransport('sim-terminal');
  const terminal = new SimulatedCardTerminal(peerOf(transport), { terminalId: 'T0000001', last4: '4321' });
  const driver = new EcrTerminalDriver(transport, {
    ackTimeoutMs: 200,
    saleTimeoutMs: 300,
    shortTimeoutMs: 300,
    ...options,
  });
  return { transport, terminal, driver };
}

let current: ReturnType<typeof setup> | undefined;
afterEach(() => current?.driver.dispose());
const start = (options?: ConstructorParameters<typeof EcrTerminalDriver>[1]) => (current = setup(options));

describe('ECR terminal driver against the simulated terminal', () => {
  it('approves a sale with approval code, RRN, scheme and the last 4 digits only', async () => {
    const { driver, terminal } = start();
    const answer = await driver.request(sale);
    expect(answer).toMatchObject({
      ok: true,
      value: {
        type: 'result',
        for: 'sale',
        outcome: 'approved',
        terminalId: 'T0000001',
        reference: sale.reference,
        amountVnd: 30_000,
        scheme: 'NAPAS',
        last4: '4321',
      },
    });
    expect(answer.ok && answer.value.type === 'result' && answer.value.rrn).toMatch(/^\d{12}$/u);
    expect(terminal.requests).toEqual([sale]);
  });

  it.each([
    ['decline', 'declined'],
    ['cancel', 'cancelled'],
    ['busy', 'busy'],
  ] as const)('passes on a %s as %s', async (behaviour, outcome) => {
    const { driver, terminal } = start();
    terminal.behave(behaviour);
    expect(await driver.request(sale)).toMatchObject({ ok: true, value: { outcome } });
  });

  it('gives the decline reason in the terminal words', async () => {
    const { driver, terminal } = start();
    terminal.nextSale('decline');
    expect(await driver.request(sale)).toMatchObject({
      ok: true,
      value: { outcome: 'declined', declineReason: 'INSUFFICIENT FUNDS' },
    });
  });

  it('NAKs a corrupt answer and takes the good one sent again', async () => {
    const { driver, terminal } = start();
    terminal.nextSale('corrupt-then-good');
    expect(await driver.request(sale)).toMatchObject({ ok: true, value: { outcome: 'approved' } });
    expect(driver.counters.naksSent).toBe(1);
    expect(terminal.counters.naksReceived).toBe(1);
  });

  it('times out when the terminal never answers, and is free for the next request', async () => {
    const { driver, terminal } = start();
    terminal.nextSale('no-answer');
    expect(await driver.request(sale)).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(await driver.request({ type: 'status' })).toMatchObject({
      ok: true,
      value: { type: 'status-result', state: 'ready' },
    });
  });

  it('stops a sale waiting for a card with ABORT: the sale ends as cancelled and the driver is free', async () => {
    const { driver, terminal } = start({ saleTimeoutMs: 60_000 });
    terminal.nextSale('no-answer');
    const answer = driver.request(sale);
    await until(() => terminal.requests.length === 1, { what: 'the terminal has the sale' });
    expect(await driver.abort()).toBe(true);
    expect(await answer).toMatchObject({ ok: true, value: { for: 'sale', outcome: 'cancelled' } });
    expect(terminal.requests.map((r) => r.type)).toEqual(['sale', 'abort']);
    expect(terminal.lastTransaction).toMatchObject({ outcome: 'cancelled', reference: sale.reference });
    // Nothing in flight: nothing to stop, and an ABORT is not a request of its own.
    expect(await driver.abort()).toBe(false);
    expect(await driver.request({ type: 'abort' })).toMatchObject({ ok: false, error: { code: 'bad-message' } });
  });

  it('an ABORT asked for before the terminal ACKed the sale goes out on the ACK, not before', async () => {
    const transport = new SimulatedByteTransport('slow-terminal');
    const driver = new EcrTerminalDriver(transport, { ackTimeoutMs: 60_000, saleTimeoutMs: 60_000 });
    current = {
      transport,
      driver,
      terminal: new SimulatedCardTerminal({ send: () => undefined, onReceive: () => () => undefined }),
    };
    const answer = driver.request(sale);
    await until(() => transport.recording.length === 1, { what: 'the sale frame is written' });
    expect(await driver.abort()).toBe(true);
    expect(transport.recording).toHaveLength(1);
    transport.emitData(Uint8Array.of(ECR_ACK));
    const abortFrame = encodeEcrMessageFrame({ type: 'abort' });
    await until(() => transport.recording.length === 2, { what: 'the ABORT frame is written' });
    expect(abortFrame.ok && Array.from(transport.recording[1] ?? [])).toEqual(
      abortFrame.ok && Array.from(abortFrame.value),
    );
    const cancelled = encodeEcrMessageFrame({
      type: 'result',
      for: 'sale',
      outcome: 'cancelled',
      terminalId: 'T0000001',
    });
    if (cancelled.ok) transport.emitData(cancelled.value);
    expect(await answer).toMatchObject({ ok: true, value: { outcome: 'cancelled' } });
  });

  it('recovers an approval whose answer was lost by asking for the last transaction, and voids it', async () => {
    const { driver, terminal } = start();
    terminal.nextSale('approve-answer-lost');
    expect(await driver.request(sale)).toMatchObject({ ok: false, error: { code: 'timeout' } });
    const last = await driver.request({ type: 'last' });
    expect(last).toMatchObject({ ok: true, value: { for: 'last', outcome: 'approved', reference: sale.reference } });
    const rrn = last.ok && last.value.type === 'result' ? last.value.rrn : undefined;
    expect(rrn).toBe(terminal.lastTransaction?.rrn);
    expect(await driver.request({ type: 'void', rrn: rrn ?? '' })).toMatchObject({
      ok: true,
      value: { for: 'void', outcome: 'approved' },
    });
  });

  it('re-sends a frame the terminal NAKs, and gives up after 3 re-sends', async () => {
    const transport = new SimulatedByteTransport('noisy');
    const driver = new EcrTerminalDriver(transport, { ackTimeoutMs: 5_000 });
    current = {
      transport,
      driver,
      terminal: new SimulatedCardTerminal({ send: () => undefined, onReceive: () => () => undefined }),
    };
    transport.onHostWrite(() => transport.emitData(Uint8Array.of(ECR_NAK)));
    expect(await driver.request({ type: 'status' })).toMatchObject({ ok: false, error: { code: 'no-response' } });
    expect(transport.recording).toHaveLength(4);
    expect(driver.counters.resends).toBe(3);
  });

  it('re-sends on silence and reports no-response', async () => {
    const transport = new SimulatedByteTransport('silent');
    const driver = new EcrTerminalDriver(transport, { ackTimeoutMs: 20 });
    current = {
      transport,
      driver,
      terminal: new SimulatedCardTerminal({ send: () => undefined, onReceive: () => () => undefined }),
    };
    expect(await driver.request({ type: 'status' })).toMatchObject({ ok: false, error: { code: 'no-response' } });
    expect(transport.recording).toHaveLength(4);
  });

  it('refuses a second request while one is in flight, and an answer to another question', async () => {
    const { driver, terminal, transport } = start({ saleTimeoutMs: 5_000 });
    terminal.nextSale('no-answer');
    const first = driver.request(sale);
    expect(await driver.request({ type: 'status' })).toMatchObject({ ok: false, error: { code: 'busy' } });
    const framed = encodeEcrMessageFrame({ type: 'status-result', terminalId: 'T0000001', state: 'ready' });
    if (framed.ok) transport.emitData(framed.value);
    expect(await first).toMatchObject({ ok: false, error: { code: 'unexpected-answer' } });
  });

  it('reports a lost link as a fault, not a throw', async () => {
    const { driver, terminal, transport } = start({ saleTimeoutMs: 5_000 });
    terminal.nextSale('no-answer');
    const pending = driver.request(sale);
    transport.unplug();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'link-lost' } });
  });
});
