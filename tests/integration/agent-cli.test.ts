/**
 * The kiosk-agent CLI, each command spawned as a technician runs it (node + tsx through the bin):
 * devices and scan against a running agent with simulated devices, print-test to the agent's
 * simulated printer and to a file decoded back with decodeEscPos, doctor, profiles, sim-scan, and
 * read-card through a real pcscd with vsmartcard-vpcd and the virtual CCCD behind it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  createAgent,
  createLogger,
  createTestPki,
  decodeEscPos,
  loadAgentConfig,
  VirtualCccdChip,
  type VpcdCard,
  type Agent,
} from '@kiosk/device-agent';
import { profileById } from '@kiosk/hardware-profiles';
import type { AgentToSimEvents, Result, SimToAgentEvents } from '@kiosk/protocol';
import { startPcscd, vpcdChipCard, VPCD_READER as READER, waitForCardState, type Pcscd } from '../support/pcscd';
import { until } from '../support/until';
import { CCCD_QR as QR } from '../support/cccd';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'device-agent/bin/kiosk-agent.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    done: done.then((r) => ({ ...r, stdout, stderr })),
  };
}
const run = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

let agent: Agent;
let agentEnv: Record<string, string>;
let sim: Socket<AgentToSimEvents, SimToAgentEvents>;

beforeAll(async () => {
  agent = await createAgent(
    loadAgentConfig({
      AGENT_PORT: '0',
      AGENT_DATA_DIR: path.join(work, 'agent'),
      SERVER_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
      SCAN_DUPLICATE_WINDOW_MS: '0',
    }),
    createLogger('silent'),
  );
  agentEnv = { AGENT_URL: `http://127.0.0.1:${agent.gateway.port}` };
  sim = io(`${agentEnv.AGENT_URL}/sim`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => sim.once('connect', () => resolve()));
});

afterAll(async () => {
  sim?.close();
  await agent?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kiosk-agent CLI', () => {
  it('profiles --json lists the catalogue; an unknown command prints the usage and exits 2', async () => {
    const r = await run(['profiles', '--json']);
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id);
    expect(ids).toContain('simulated.card-reader');
    const named = (JSON.parse(r.stdout) as { simulated: boolean; generic: boolean }[]).filter(
      (p) => !p.simulated && !p.generic,
    );
    expect(named.length).toBeGreaterThanOrEqual(20);
    const bad = await run(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('read-card');
  });

  it('devices --json: discovery plus the running agent’s devices and states', async () => {
    const r = await run(['devices', '--json'], agentEnv);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      agent: string;
      devices: unknown[];
      agentDevices: { id: string; class: string; profile: string; state: string }[];
      transportProblems: { transport: string; reason: string }[];
    };
    expect(report.agent).toBe('reachable (simulated devices)');
    // The plainest simulated kiosk: no card terminal unless one is configured (CARD_TERMINAL).
    expect(report.agentDevices.map((d) => [d.id, d.class, d.profile, d.state]).sort()).toEqual([
      ['sim-card-reader', 'card-reader', 'simulated.card-reader', 'ready'],
      ['sim-printer', 'printer', 'simulated.printer-80', 'ready'],
      ['sim-scanner', 'scanner', 'simulated.scanner', 'ready'],
    ]);
    expect(Array.isArray(report.transportProblems)).toBe(true);
    const text = await run(['devices'], agentEnv);
    expect(text.stdout).toMatch(/printer\s+simulated\.printer-80\s+ready/u);
  });

  it('scan waits for one scan from the running agent and prints it masked, or revealed', async () => {
    for (const reveal of [false, true]) {
      const { child, done } = start(['scan', '--json', ...(reveal ? ['--reveal'] : [])], agentEnv);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      await until(() => expect(stderr).toContain('waiting for a scan'));
      const ack = await new Promise<Result<null>>((resolve) => sim.emit('sim:scan', { payload: QR }, resolve));
      expect(ack.ok).toBe(true);
      const r = await done;
      expect(r.code).toBe(0);
      const printed = JSON.parse(r.stdout) as { via: string; scan: { kind: string; identity: Record<string, string> } };
      expect(printed.via).toBe('agent');
      expect(printed.scan.kind).toBe('cccd-qr');
      if (reveal) {
        expect(printed.scan.identity).toMatchObject({ idNumber: '079188012345', fullName: 'Nguyễn Thị Lan' });
      } else {
        expect(printed.scan.identity).toMatchObject({ idNumber: '0791****2345', fullName: 'N. T. Lan' });
        expect(r.stdout).not.toContain('079188012345');
        expect(r.stdout).not.toContain('Ninh Kiều');
      }
    }
  });

  it('print-test --printer prints a test ticket on the agent’s simulated printer', async () => {
    const r = await run(['print-test', '--printer', 'sim-printer', '--json'], agentEnv);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ via: 'agent', printer: 'sim-printer', state: 'confirmed' });
    expect(agent.simulated?.printer.jobs.at(-1)?.lines.join('\n')).toContain('T000');
    const missing = await run(['print-test', '--printer', 'nope'], agentEnv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-printer');
  });

  it('print-test --profile --out writes the raw ESC/POS bytes, which decode back to the ticket', async () => {
    for (const profile of ['simulated.printer-80', 'epson.tm-t88vi', 'xprinter.xp-58iih']) {
      const file = path.join(work, `${profile}.bin`);
      const r = await run(['print-test', '--profile', profile, '--out', file]);
      expect(r.code).toBe(0);
      const bytes = fs.readFileSync(file);
      expect(r.stdout).toContain(`wrote ${bytes.length} bytes`);
      const receipt = decodeEscPos(new Uint8Array(bytes));
      expect(receipt.truncated).toBe(false);
      expect(receipt.unknown).toEqual([]);
      expect(receipt.lines.join('\n')).toContain('T000');
      const p = profileById(profile);
      if (p?.class !== 'printer') throw new Error(`${profile} is not a printer`);
      // Models without a native QR command get the code as a raster image; without a cutter, no cut.
      if (p.capabilities.nativeQr) expect(receipt.qrPayloads).toEqual(['TK:PRINTTEST']);
      expect(receipt.lines.join('\n')).toContain('PRINTTEST');
      expect(receipt.blocks.some((b) => b.kind === 'raster')).toBe(true);
      expect(receipt.cuts.length).toBe(p.capabilities.cutter === 'none' ? 0 : 1);
    }
    const bad = await run(['print-test', '--profile', 'acs.acr1252u', '--out', path.join(work, 'x.bin')]);
    expect(bad.code).toBe(2);
  });

  it('doctor prints each problem with its fix; the exit code says whether there were any', async () => {
    const r = await run(['doctor', '--json']);
    const problems = JSON.parse(r.stdout) as { code: string; message: string; fix: string }[];
    for (const p of problems) {
      expect(p.code).toMatch(/^[a-z0-9-]+$/u);
      expect(p.fix.length).toBeGreaterThan(0);
    }
    expect(r.code).toBe(problems.length > 0 ? 1 : 0);
    const text = await run(['doctor']);
    expect(text.stdout).toMatch(problems.length > 0 ? /fix: / : /no problems found/u);
  });

  it('without a running agent: devices says so, scan and print-test look for real devices and name what is missing', async () => {
    const none = { AGENT_URL: 'http://127.0.0.1:9' };
    const devices = await run(['devices', '--json'], none);
    expect(devices.code).toBe(0);
    expect((JSON.parse(devices.stdout) as { agent: string }).agent).toBe('not running');
    const scan = await run(['scan', '--timeout', '2'], none);
    expect(scan.code).toBe(1);
    expect(scan.stderr).toMatch(/no running agent and no scanner found|timed out waiting for a scan/u);
    const print = await run(['print-test'], none);
    expect(print.code).toBe(1);
    expect(print.stderr).toMatch(/no running agent and no printer found|did not open/u);
    const key = await run(['read-card', '--birth-date', '880312'], none);
    expect(key.code).toBe(2);
  });

  it('sim-scan makes the running agent’s simulated scanner read a code', async () => {
    const before = agent.registry.get('sim-scanner')?.counters.scans ?? 0;
    const r = await run(['sim-scan', QR], agentEnv);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('scanned\n');
    await until(() => expect(agent.registry.get('sim-scanner')?.counters.scans).toBe(before + 1));
  });
});

// ---- read-card through the real PC/SC stack --------------------------------------------------

let pcscd: Pcscd | undefined;

describe('kiosk-agent read-card (pcscd + vsmartcard-vpcd + virtual CCCD)', () => {
  const pki = createTestPki();
  const trustDir = path.join(work, 'csca');
  let card: VpcdCard | undefined;

  beforeAll(async () => {
    pcscd = await startPcscd();
    fs.mkdirSync(trustDir, { recursive: true });
    fs.writeFileSync(path.join(trustDir, 'test-csca.pem'), pki.csca.pem);
    card = vpcdChipCard(new VirtualCccdChip({ pki, faceBytes: 12_000 }));
    await card.insert();
    // The card lies on the reader before each command runs, as a technician would place it: the CLI
    // asks for a card only when pcscd reports none, so wait until pcscd has seen this one.
    await waitForCardState(true);
  });

  afterAll(async () => {
    await card?.remove();
    await pcscd?.stop();
  });

  it('reads DG1, DG13 and a verified authenticity by the CCCD number, masked', async () => {
    const r = await run([
      'read-card',
      '--reader',
      'Virtual PCD',
      '--id-number',
      '079188012345',
      '--birth-date',
      '880312',
      '--expiry-date',
      '280312',
      '--trust-store',
      trustDir,
      '--json',
      '--timeout',
      '20',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      reader: string;
      dg1: Record<string, string>;
      dg13: Record<string, unknown>;
      face: { mime: string; bytes: number };
      authenticity: { status: string };
    };
    expect(report.reader).toBe(READER);
    expect(report.dg1).toMatchObject({
      documentCode: 'ID',
      issuingState: 'VNM',
      idNumber: '0791****2345',
      sex: 'female',
    });
    expect(report.dg13).toMatchObject({ idNumber: '0791****2345', fullName: 'N. T. Lan' });
    expect(r.stdout).not.toContain('079188012345');
    expect(r.stdout).not.toContain('Kinh');
    expect(report.face).toEqual({ mime: 'image/jpeg', bytes: 12_000 });
    expect(report.authenticity.status).toBe('verified');
  });

  it('--reveal with the MRZ document number shows the chip data; no trust store → no-trust-anchor', async () => {
    const r = await run([
      'read-card',
      '--document-number',
      '188012345',
      '--birth-date',
      '880312',
      '--expiry-date',
      '280312',
      '--json',
      '--reveal',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      dg1: Record<string, string>;
      dg13: Record<string, unknown>;
      authenticity: { status: string };
    };
    expect(report.dg1.idNumber).toBe('079188012345');
    expect(report.dg13).toMatchObject({
      fullName: 'Nguyễn Thị Lan',
      placeOfResidence: 'Phường Ninh Kiều, TP. Cần Thơ',
    });
    expect(report.authenticity.status).toBe('no-trust-anchor');
  });

  it('a wrong key is refused with a code, exit 1', async () => {
    const r = await run([
      'read-card',
      '--id-number',
      '001093047064',
      '--birth-date',
      '930105',
      '--expiry-date',
      '330105',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bac-refused');
  });
});
