/**
 * A kiosk paired with a running server, as the relay tests use it: a real agent (simulated
 * devices, real drivers) enrolled with a pairing code, its kiosk page's socket and, when asked,
 * its simulator's socket, each connected before this returns.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { createAgent, createLogger, loadAgentConfig, type Agent } from '@kiosk/device-agent';
import type {
  AgentToKioskUiEvents,
  AgentToSimEvents,
  CheckInOutcome,
  CheckInRequest,
  KioskUiToAgentEvents,
  Result,
  SimToAgentEvents,
} from '@kiosk/protocol';
import { until } from './until';

export type KioskPage = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;
export type SimSocket = Socket<AgentToSimEvents, SimToAgentEvents>;

/**
 * A check-in from the kiosk page (consent given, no priority claims, `extra` over that): the
 * agent's answer, with what it printed.
 */
export const kioskCheckIn = (
  ui: KioskPage,
  identity: CheckInRequest['identity'],
  extra: Partial<CheckInRequest> = {},
): Promise<Result<CheckInOutcome>> =>
  new Promise((resolve) =>
    ui.emit(
      'checkin:submit',
      { checkInId: randomUUID(), identity, serviceId: 'noi-tong-quat', priorityClaims: [], consent: true, ...extra },
      resolve,
    ),
  );

export interface PairedKiosk {
  agent: Agent;
  ui: KioskPage;
  /** The simulator's socket (`withSimulator`), else undefined. */
  sim: SimSocket | undefined;
  dataDir: string;
  close(): Promise<void>;
}

async function connected<S extends Socket>(url: string, listen?: (s: S) => void): Promise<S> {
  const socket = io(url, { transports: ['websocket'], reconnection: false }) as S;
  listen?.(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function startPairedKiosk(
  serverUrl: string,
  o: {
    pairingCode: string;
    env?: Record<string, string>;
    withSimulator?: boolean;
    /** Listeners on the kiosk page's socket, set before it connects. */
    listen?: (ui: KioskPage) => void;
  },
): Promise<PairedKiosk> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paired-kiosk-'));
  const agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      SERVER_URL: serverUrl,
      PAIRING_CODE: o.pairingCode,
      AGENT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...o.env,
    }),
    createLogger('silent'),
  );
  const base = `http://127.0.0.1:${agent.gateway.port}`;
  const ui = await connected<KioskPage>(base, o.listen);
  const sim = o.withSimulator ? await connected<SimSocket>(`${base}/sim`) : undefined;
  await until(() => agent.link.connected, { what: 'the agent connected to the server' });
  return {
    agent,
    ui,
    sim,
    dataDir,
    async close() {
      ui.close();
      sim?.close();
      await agent.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
