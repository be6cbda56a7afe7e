/**
 * A kiosk power cut loses no printed offline ticket. The agent's data folder is on a real ext4
 * file system over a loop device (mounted with a 600 s journal interval: nothing reaches the
 * device unless fsynced); with the network cut, the kiosk prints tickets from its lease, and the
 * device image is copied at the instant the last ticket has printed (the copy runs synchronously
 * in the agent's own process, so nothing more is written meanwhile). A new agent started on the
 * files recovered from that copy replays every printed ticket to the server, once each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type { AgentToKioskUiEvents, CheckInOutcome, KioskUiToAgentEvents, QueueEntry, Result } from '@kiosk/protocol';
import { api, login } from '../support/server-harness';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { freePort } from '../support/free-port';
import { until } from '../support/until';
import { canSimulatePowerCut, createPowerCutDisk, recoverFiles, type PowerCutDisk } from '../support/loop-disk';

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
const SERVICE = 'noi-tong-quat';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-offline-power-'));
let server: ServerProcess | undefined;
let proxy: TcpProxy | undefined;
let disk: PowerCutDisk | undefined;
const agents: Agent[] = [];

const agentConfig = (dir: string, url: string, pairingCode?: string) =>
  loadAgentConfig({
    AGENT_PORT: '0',
    SERVER_URL: url,
    AGENT_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    HEARTBEAT_INTERVAL_MS: '300',
    OFFLINE_AFTER_MS: '1500',
    ...(pairingCode ? { PAIRING_CODE: pairingCode } : {}),
  });

afterAll(async () => {
  for (const a of agents) await a.close().catch(() => undefined);
  await proxy?.close();
  server?.child.kill('SIGKILL');
  await server?.exited();
  disk?.unmount();
  fs.rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!canSimulatePowerCut())('offline journal across a kiosk power cut', () => {
  it('every printed offline ticket survives the cut and reaches the queue once', async () => {
    const port = await freePort();
    server = await spawnServer({
      port,
      databaseFile: path.join(root, 'kiosk.sqlite'),
      env: { BOOTSTRAP_PAIRING_CODE: 'POWEROFFLINE01' },
    });
    proxy = await startTcpProxy({ host: '127.0.0.1', port });
    disk = createPowerCutDisk(root, 64);
    const dataDir = disk.mountPoint;
    const agent = await createAgent(agentConfig(dataDir, proxy.url, 'POWEROFFLINE01'), createLogger('silent'));
    agents.push(agent);
    const ui: Ui = io(`http://127.0.0.1:${agent.gateway.port}`, { transports: ['websocket'] });
    await until(() => ui.connected && (agent.offline?.journal.remaining().length ?? 0) > 0, {
      what: 'kiosk connected with leases',
    });

    proxy.cut();
    const printed: string[] = [];
    let image = '';
    for (let i = 0; i < 6; i++) {
      const outcome = await new Promise<Result<CheckInOutcome>>((resolve) =>
        ui.emit(
          'checkin:submit',
          {
            checkInId: randomUUID(),
            identity: {
              source: 'cccd-qr',
              idNumber: `0792${String(i).padStart(8, '0')}`,
              fullName: 'Bệnh Nhân Mất Điện',
              dateOfBirth: '1970-01-01',
            },
            serviceId: SERVICE,
            priorityClaims: [],
            consent: true,
          },
          resolve,
        ),
      );
      if (!outcome.ok || !outcome.value.offline) throw new Error('expected an offline ticket');
      expect(outcome.value.print.state).toBe('confirmed');
      printed.push(outcome.value.receipt.ticket.number);
      // The power goes the moment the last ticket is out of the printer.
      if (i === 5) image = disk.cutPower();
    }
    ui.close();
    await agent.close();

    const recovered = path.join(root, 'recovered');
    const names = ['credential.json', 'offline-journal.sqlite', 'offline-journal.sqlite-wal'];
    expect(recoverFiles(image, names, recovered)).toContain('offline-journal.sqlite');
    const recoveredDir = path.join(root, 'recovered-agent');
    fs.mkdirSync(recoveredDir, { mode: 0o700 });
    for (const n of names) {
      const from = path.join(recovered, n);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(recoveredDir, n));
    }

    proxy.restore();
    const rebooted = await createAgent(agentConfig(recoveredDir, proxy.url), createLogger('silent'));
    agents.push(rebooted);
    const journal = rebooted.offline?.journal;
    expect(journal?.entries().map((e) => e.number)).toEqual(printed);
    await until(() => journal?.backlog().backlog === 0, { what: 'recovered journal replayed', timeoutMs: 120_000 });
    const token = await login(server.url, 'admin', 'admin-demo');
    const q = (await api<QueueEntry[]>(server.url, token, 'GET', `/api/queue?serviceId=${SERVICE}`)).body.value ?? [];
    for (const n of printed)
      expect(
        q.filter((e) => e.number === n),
        n,
      ).toHaveLength(1);
  }, 240_000);
});
