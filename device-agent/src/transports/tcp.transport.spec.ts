import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '@kiosk/protocol';
import { TcpTransport } from './tcp.transport';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(onSocket: (s: Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    server = createServer(onSocket);
    server.listen(0, '127.0.0.1', () => {
      const address = server?.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

describe('TcpTransport (a real socket on loopback)', () => {
  it('writes to the printer and reads its status bytes', async () => {
    const received: Buffer[] = [];
    const port = await listen((s) => {
      s.on('data', (d) => {
        received.push(d);
        if (d.includes(0x10)) s.write(Buffer.from([0x12]));
      });
    });
    const t = new TcpTransport({ host: '127.0.0.1', port });
    const status = new Promise<number[]>((resolve) => t.onData((c) => resolve([...c])));
    await t.open();
    await t.write(Uint8Array.of(0x10, 0x04, 0x01));
    expect(await status).toEqual([0x12]);
    await t.close();
    expect(Buffer.concat(received).toJSON().data).toEqual([0x10, 0x04, 0x01]);
  });

  it('the printer closing the connection is disconnected, once', async () => {
    let peer: Socket | undefined;
    const port = await listen((s) => (peer = s));
    const t = new TcpTransport({ host: '127.0.0.1', port });
    const reasons: string[] = [];
    const closed = new Promise<void>((resolve) =>
      t.onClose((r) => {
        reasons.push(r);
        resolve();
      }),
    );
    await t.open();
    await until(() => peer !== undefined, { what: 'the printer side of the connection' });
    peer?.destroy();
    await closed;
    expect(reasons).toEqual(['disconnected']);
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('a refused connection rejects with a TransportError', async () => {
    const port = await listen(() => undefined);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const t = new TcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 1000 });
    await expect(t.open()).rejects.toMatchObject({ code: 'disconnected' });
  });
});
