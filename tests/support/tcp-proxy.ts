/**
 * A TCP proxy between a kiosk agent and its server whose link can be cut as a network fault cuts
 * it: `cut()` stops forwarding in both directions without closing anything (packets vanish, no
 * reset — the agent learns only by its time-outs), and new connections are accepted and left
 * hanging. `restore()` drops what was held (as the far end's state would have gone) and forwards
 * new connections again.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  let isCut = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | undefined }>();
  const server = net.createServer((client) => {
    const pair: { client: net.Socket; upstream: net.Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (isCut) return; // accepted, never answered
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (d) => {
      if (!isCut) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!isCut) client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut() {
      isCut = true;
    },
    restore() {
      isCut = false;
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      pairs.clear();
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
