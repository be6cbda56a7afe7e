/**
 * kiosk-agent: the field technician's diagnostic CLI. Personal data is masked unless --reveal.
 * Commands that need a device ask the running agent first (it holds the devices open) and fall
 * back to opening discovered devices directly. Exit codes: 0 done, 1 failed, 2 usage.
 */
import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { catalogue, profileById } from '@kiosk/hardware-profiles';
import {
  maskId,
  maskName,
  parseBundleManifest,
  type AgentToKioskUiEvents,
  type ClassifiedScan,
  type DeviceHealth,
  type KioskUiToAgentEvents,
  type Result,
} from '@kiosk/protocol';
import { classifyDevice, discoverOnce, listPcscReaders, PcscTransport, runDoctor } from './transports';
import { BarcodeScanner } from './devices/barcode-scanner.device';
import { EscPosPrinterDriver, encodeTicket } from './printing';
import { bacKeyInfo, classifyScan, readChip, type ChipAccessKey, type ChipReadResult } from './identity';
import { foundFromDiscovered, hardwareOpener } from './devices/hardware.source';
import { loadTrustStore } from './devices/trust-store.loader';
import { testTicket } from './devices/test-ticket';
import { createBundle } from './management/bundle';

// Piped into `head` and the like: a closed stdout ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const VALUE_FLAGS = new Set([
  '--reader',
  '--document-number',
  '--birth-date',
  '--expiry-date',
  '--id-number',
  '--printer',
  '--profile',
  '--out',
  '--timeout',
  '--trust-store',
  '--dir',
  '--version',
  '--key',
  '--entry',
  '--health-check',
]);

interface Args {
  command: string | undefined;
  flags: Set<string>;
  values: Map<string, string>;
  positional: string[];
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    if (VALUE_FLAGS.has(a)) {
      const v = rest[++i];
      if (v === undefined) fail(`${a} needs a value`, 2);
      values.set(a, v);
    } else if (a.startsWith('--')) flags.add(a);
    else positional.push(a);
  }
  return { command, flags, values, positional };
}

const args = parseArgs(process.argv.slice(2));
const json = args.flags.has('--json');
const reveal = args.flags.has('--reveal');
const agentUrl = process.env.AGENT_URL ?? `http://127.0.0.1:${process.env.AGENT_PORT ?? 8731}`;
const timeoutMs = Number(args.values.get('--timeout') ?? 60) * 1000;

function fail(message: string, code = 1): never {
  process.stderr.write(`kiosk-agent: ${message}\n`);
  process.exit(code);
}
const out = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const info = (line: string) => process.stderr.write(`${line}\n`);

function usage(): never {
  process.stderr.write(
    [
      'usage: kiosk-agent <command> [options]',
      '  devices [--json]                 discovered devices, their matched profile and state',
      '  profiles [--json]                the hardware catalogue',
      '  scan [--json] [--reveal] [--timeout <s>]',
      '                                   wait for one scan (running agent, else discovered scanners)',
      '  read-card [--reader <name>] [--json] [--reveal] [--trust-store <dir>] [--timeout <s>]',
      '            (--document-number <doc> | --id-number <12 digits>) --birth-date <YYMMDD> --expiry-date <YYMMDD>',
      '                                   read a chip through a PC/SC reader: DG1, DG13, authenticity',
      '  print-test [--printer <device id>] | --profile <profile id> --out <file>',
      '                                   print a test ticket, or write its ESC/POS bytes to a file',
      '  doctor [--json]                  pcscd, bindings, permissions, udev rules, each with its fix',
      "  sim-scan <payload>               make the running agent's simulated scanner read a code",
      '  bundle --dir <release> --version <x.y.z> --key <ed25519 private PEM> --out <file>',
      '         [--entry main.mjs] [--health-check <script>]',
      '                                   pack and sign an agent bundle for upload on the admin page',
      '',
      `The running agent is reached at ${agentUrl} (AGENT_URL or AGENT_PORT).`,
      '',
    ].join('\n'),
  );
  process.exit(2);
}

// ---- masking ---------------------------------------------------------------------------------

const ID_KEYS = new Set(['idNumber', 'oldIdNumber', 'documentNumber', 'insuranceNumber', 'documentNumberField']);
const NAME_KEYS = new Set(['fullName', 'fatherName', 'motherName', 'spouseName', 'name']);
const PLAIN_KEYS = new Set([
  'source',
  'kind',
  'sex',
  'nationality',
  'issuingState',
  'documentCode',
  'format',
  'claimed',
  'reason',
  'lookupCode',
  'status',
  'mime',
  'bytes',
]);

/** Masks personal values by key: IDs keep their ends, names their initials, the rest only a length. */
export function mask(value: unknown, key = ''): unknown {
  if (reveal) return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, key));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  if (typeof value !== 'string' || PLAIN_KEYS.has(key)) return value;
  if (ID_KEYS.has(key)) return maskId(value);
  if (NAME_KEYS.has(key)) return maskName(value);
  return value.length === 0 ? '' : `<${value.length} chars>`;
}

// ---- agent access ------------------------------------------------------------------------------

type Ui = Socket<AgentToKioskUiEvents, KioskUiToAgentEvents>;

async function agentHealth(): Promise<{ devices: DeviceHealth[]; devicesMode?: string } | undefined> {
  try {
    const res = await fetch(`${agentUrl}/health`, { signal: AbortSignal.timeout(1500) });
    return res.ok ? ((await res.json()) as { devices: DeviceHealth[]; devicesMode?: string }) : undefined;
  } catch {
    return undefined;
  }
}

function connectAgent(): Promise<Ui | undefined> {
  const socket: Ui = io(agentUrl, { transports: ['websocket'], reconnection: false, timeout: 2000 });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.close();
      resolve(undefined);
    });
  });
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref()),
  ]);

// ---- commands --------------------------------------------------------------------------------

async function devicesCommand(): Promise<void> {
  const [snapshot, health] = await Promise.all([discoverOnce(), agentHealth()]);
  const rows = snapshot.devices.map((d) => {
    const c = classifyDevice(d);
    const running = health?.devices.find((h) => h.id === d.key);
    return {
      id: d.key,
      transport: d.transport,
      path: d.openPath,
      class: c?.class ?? null,
      profile: c?.profile.id ?? null,
      score: c?.score ?? null,
      state: running?.state ?? (c ? 'not-opened' : 'unmatched'),
      ...(running?.reason && { reason: running.reason }),
    };
  });
  // Devices only the agent knows (simulated ones).
  const agentOnly = (health?.devices ?? []).filter((h) => !rows.some((r) => r.id === h.id));
  const result = {
    agent: health ? `reachable (${health.devicesMode ?? 'unknown'} devices)` : 'not running',
    devices: rows,
    agentDevices: agentOnly.map((h) => ({
      id: h.id,
      class: h.class,
      profile: h.profileId,
      state: h.state,
      ...(h.reason && { reason: h.reason }),
    })),
    transportProblems: snapshot.problems.map((p) => ({ transport: p.source, reason: p.reason })),
  };
  if (json) return out(result);
  process.stdout.write(`agent: ${result.agent}\n`);
  if (rows.length === 0 && agentOnly.length === 0) process.stdout.write('no devices found\n');
  for (const r of rows)
    process.stdout.write(
      `${(r.class ?? '?').padEnd(12)} ${(r.profile ?? '-').padEnd(28)} ${r.state.padEnd(12)} ${r.transport.padEnd(12)} ${r.path}\n`,
    );
  for (const r of result.agentDevices)
    process.stdout.write(
      `${r.class.padEnd(12)} ${r.profile.padEnd(28)} ${r.state.padEnd(12)} ${'agent'.padEnd(12)} ${r.id}\n`,
    );
  for (const p of result.transportProblems) process.stdout.write(`disabled: ${p.transport} — ${p.reason}\n`);
}

function printScan(scan: ClassifiedScan, via: string): void {
  if (json) return out({ via, scan: mask(scan) });
  process.stdout.write(`${scan.kind} (via ${via})\n`);
  const fields =
    'identity' in scan
      ? scan.identity
      : scan.kind === 'rejected'
        ? { claimed: scan.claimed, reason: scan.reason }
        : scan.kind === 'booking-qr'
          ? { bookingCode: scan.bookingCode }
          : { lookupCode: scan.lookupCode };
  for (const [k, v] of Object.entries(mask(fields) as Record<string, unknown>))
    process.stdout.write(`  ${k}: ${String(v)}\n`);
}

async function scanCommand(): Promise<void> {
  const socket = await connectAgent();
  if (socket) {
    info('waiting for a scan from the running agent…');
    try {
      const scan = await withTimeout(
        new Promise<ClassifiedScan>((resolve) => socket.once('scan:classified', resolve)),
        timeoutMs,
        'a scan',
      );
      printScan(scan, 'agent');
    } finally {
      socket.close();
    }
    return;
  }
  const snapshot = await discoverOnce();
  const found = snapshot.devices.map(foundFromDiscovered).filter((f) => f?.class === 'scanner');
  if (found.length === 0) fail('no running agent and no scanner found (try: kiosk-agent devices, kiosk-agent doctor)');
  const scanners: BarcodeScanner[] = [];
  const first = new Promise<string>((resolve) => {
    for (const f of found) {
      if (!f || f.profile.class !== 'scanner') continue;
      const link = hardwareOpener.byte(f);
      if (!link.ok) continue;
      const scanner = new BarcodeScanner({
        id: f.key,
        profile: f.profile,
        transport: link.value.transport,
        ...(link.value.settings && { transportSettings: link.value.settings }),
      });
      scanner.onScan((payload) => resolve(payload));
      scanners.push(scanner);
    }
  });
  for (const s of scanners) {
    const started = await s.start();
    if (!started.ok) info(`${s.id}: ${started.error.code} (${started.error.message})`);
  }
  info(`waiting for a scan on ${scanners.map((s) => s.id).join(', ')}…`);
  try {
    printScan(classifyScan(await withTimeout(first, timeoutMs, 'a scan')), 'scanner');
  } finally {
    for (const s of scanners) await s.close();
  }
}

function readCardKey(): ChipAccessKey {
  const dob = args.values.get('--birth-date');
  const exp = args.values.get('--expiry-date');
  const doc = args.values.get('--document-number');
  const id = args.values.get('--id-number');
  if (!dob || !exp || (!doc && !id))
    fail('read-card needs --birth-date and --expiry-date with --document-number or --id-number', 2);
  if (!/^\d{6}$/u.test(dob) || !/^\d{6}$/u.test(exp)) fail('dates are YYMMDD', 2);
  if (id) {
    if (!/^\d{12}$/u.test(id)) fail('--id-number is 12 digits', 2);
    return { kind: 'cccd', idNumber: id, dateOfBirth: dob, dateOfExpiry: exp };
  }
  const info_ = bacKeyInfo(doc ?? '', dob, exp);
  if (!info_.ok) fail(`${info_.error.code}: ${info_.error.message}`, 2);
  return { kind: 'bac-key-info', value: info_.value };
}

function chipReport(reader: string, r: ChipReadResult) {
  const { mrz, dg13, authenticity } = r;
  const dg13Fields = dg13
    ? Object.fromEntries(
        Object.entries(dg13).filter(([k, v]) => k !== 'fields' && k !== 'anomalies' && v !== undefined && v !== ''),
      )
    : null;
  return {
    reader,
    dg1: mask({
      format: mrz.format,
      documentCode: mrz.documentCode,
      issuingState: mrz.issuingState,
      documentNumber: mrz.documentNumber,
      ...(mrz.idNumber && { idNumber: mrz.idNumber }),
      dateOfBirth: mrz.dateOfBirth,
      sex: mrz.sex,
      dateOfExpiry: mrz.dateOfExpiry,
      nationality: mrz.nationality,
      name: `${mrz.primaryIdentifier} ${mrz.secondaryIdentifier}`.trim(),
    }),
    dg13: dg13Fields ? mask(dg13Fields) : null,
    face: r.face ? { mime: r.face.mimeType, bytes: r.face.bytes.length } : null,
    authenticity:
      authenticity.status === 'failed'
        ? { status: authenticity.status, step: authenticity.step, reason: authenticity.reason }
        : authenticity.status === 'unavailable'
          ? { status: authenticity.status, reason: authenticity.reason }
          : {
              status: authenticity.status,
              hashAlgorithm: authenticity.hashAlgorithm,
              dataGroups: authenticity.dataGroups,
              documentSigner: authenticity.documentSigner,
              ...(authenticity.status === 'verified' ? { csca: authenticity.csca } : { reason: authenticity.reason }),
            },
    dataGroups: r.dataGroups,
    stats: {
      apdus: r.stats.apdus,
      bytesRead: r.stats.bytesRead,
      bacAttempts: r.stats.bacAttempts,
      ms: Math.round(r.stats.durationMs),
    },
  };
}

async function readCardCommand(): Promise<void> {
  const key = readCardKey();
  const listed = await listPcscReaders();
  if (!listed.ok) fail(`PC/SC unavailable: ${listed.reason} (try: kiosk-agent doctor)`);
  const wanted = args.values.get('--reader');
  const readers = listed.readers.filter((name) => !/\bSAM\b/u.test(name));
  const reader = wanted
    ? (listed.readers.find((n) => n === wanted) ?? listed.readers.find((n) => n.includes(wanted)))
    : readers[0];
  if (!reader)
    fail(
      wanted
        ? `no reader matching "${wanted}" (readers: ${listed.readers.join(', ') || 'none'})`
        : 'no PC/SC reader found',
    );
  const trust = loadTrustStore(args.values.get('--trust-store') ?? process.env.TRUST_STORE_DIR);
  for (const p of trust.problems) info(`trust store: ${p}`);
  const transport = new PcscTransport({ readerName: reader });
  try {
    await transport.open();
    if (!transport.cardPresent) {
      info(`place the card on "${reader}"…`);
      await withTimeout(
        new Promise<void>((resolve) => {
          const off = transport.onCardChange((present) => {
            if (present) {
              off();
              resolve();
            }
          });
        }),
        timeoutMs,
        'a card',
      );
    }
    // An operator tool run by staff at the reader with the holder's card and key in hand: it reads
    // without the kiosk page's privacy notice and consent step (card:presented → card:read), which
    // applies to patients at the kiosk.
    const result = await readChip(transport, { key, trustStore: trust.store });
    if (!result.ok) {
      const e = result.error;
      if (json)
        out({
          reader,
          error: { code: e.code, stage: e.stage, hint: e.hint, message: e.message, ...(e.sw && { sw: e.sw }) },
        });
      fail(`read failed: ${e.code} at ${e.stage} (${e.message})`);
    }
    const report = chipReport(reader, result.value);
    if (json) out(report);
    else {
      process.stdout.write(`reader: ${reader}\n`);
      for (const section of ['dg1', 'dg13', 'face', 'authenticity', 'stats'] as const)
        process.stdout.write(`${section}: ${JSON.stringify(report[section], null, 2)}\n`);
    }
    result.value.face?.bytes.fill(0);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  } finally {
    await transport.close();
  }
}

async function printTestCommand(): Promise<void> {
  const outFile = args.values.get('--out');
  const profileId = args.values.get('--profile');
  if (outFile || profileId) {
    if (!outFile || !profileId) fail('--profile and --out go together', 2);
    const profile = profileById(profileId);
    if (!profile || profile.class !== 'printer')
      fail(`${profileId} is not a printer profile (see: kiosk-agent profiles)`, 2);
    const bytes = encodeTicket(testTicket(), profile).bytes;
    fs.writeFileSync(outFile, bytes);
    const summary = { profile: profile.id, out: outFile, bytes: bytes.length };
    if (json) out(summary);
    else process.stdout.write(`wrote ${bytes.length} bytes of ESC/POS for ${profile.id} to ${outFile}\n`);
    return;
  }
  const printerId = args.values.get('--printer');
  const socket = await connectAgent();
  if (socket) {
    const r = await withTimeout(
      new Promise<Result<{ state: 'confirmed' | 'failed'; reason?: string }>>((resolve) =>
        socket.emit('printer:test', printerId ? { printerId } : {}, resolve),
      ),
      timeoutMs,
      'the printer',
    ).finally(() => socket.close());
    if (!r.ok) fail(`${r.error.code}: ${r.error.message}`);
    report('agent', printerId ?? 'default', r.value);
    return;
  }
  const snapshot = await discoverOnce();
  const printers = snapshot.devices.map(foundFromDiscovered).filter((f) => f?.class === 'printer');
  const found = printerId ? printers.find((f) => f?.key === printerId) : printers[0];
  if (!found || found.profile.class !== 'printer')
    fail(printerId ? `no printer ${printerId} (see: kiosk-agent devices)` : 'no running agent and no printer found');
  const link = hardwareOpener.byte(found);
  if (!link.ok) fail(`${link.error.code}: ${link.error.message}`);
  const driver = new EscPosPrinterDriver(link.value.transport, found.profile);
  try {
    const status = await driver.start();
    if (!link.value.transport.isOpen)
      fail(`${found.key} did not open (${status.conditions.join(', ')}; try: kiosk-agent doctor)`);
    const result = await driver.print(testTicket());
    report(
      'direct',
      found.key,
      result.reason ? { state: result.state, reason: result.reason } : { state: result.state },
    );
  } finally {
    await driver.dispose();
    await link.value.transport.close();
  }
}

function report(via: string, printer: string, r: { state: string; reason?: string }): void {
  if (json) out({ via, printer, ...r });
  else process.stdout.write(`test ticket on ${printer} (via ${via}): ${r.state}${r.reason ? ` — ${r.reason}` : ''}\n`);
  if (r.state !== 'confirmed') process.exitCode = 1;
}

async function doctorCommand(): Promise<void> {
  const problems = await runDoctor();
  if (json) out(problems);
  else if (problems.length === 0) process.stdout.write('no problems found\n');
  else for (const p of problems) process.stdout.write(`✗ ${p.code}: ${p.message}\n  fix: ${p.fix}\n`);
  if (problems.length > 0) process.exitCode = 1;
}

async function simScan(payload: string): Promise<void> {
  const socket = io(`${agentUrl}/sim`, { transports: ['websocket'], reconnection: false, timeout: 3000 });
  const result = await new Promise<Result<null>>((resolve) => {
    socket.on('connect_error', (e) => resolve({ ok: false, error: { code: 'agent-unreachable', message: e.message } }));
    socket.on('connect', () => socket.emit('sim:scan', { payload }, resolve));
  });
  socket.close();
  if (!result.ok) fail(`scan failed: ${result.error.code} (${result.error.message})`);
  process.stdout.write('scanned\n');
}

function bundleCommand(): void {
  const dir = args.values.get('--dir');
  const version = args.values.get('--version');
  const key = args.values.get('--key');
  const outFile = args.values.get('--out');
  if (!dir || !version || !key || !outFile) fail('bundle needs --dir, --version, --key and --out', 2);
  const healthCheck = args.values.get('--health-check');
  const bundle = createBundle({
    dir,
    version,
    entry: args.values.get('--entry') ?? 'main.mjs',
    ...(healthCheck ? { healthCheck } : {}),
    privateKeyPem: fs.readFileSync(key, 'utf8'),
  });
  const { parsed, ...upload } = bundle;
  const checked = parseBundleManifest(upload.manifest);
  if (!checked.ok) fail(`${checked.error.code}: ${checked.error.message}`, 2);
  fs.writeFileSync(outFile, JSON.stringify(upload));
  if (json) out({ out: outFile, ...parsed });
  else
    process.stdout.write(
      `signed ${parsed.version} (${parsed.sizeBytes} bytes, sha256 ${parsed.sha256}) → ${outFile}\n`,
    );
}

try {
  switch (args.command) {
    case 'devices':
      await devicesCommand();
      break;
    case 'profiles':
      if (json) out(catalogue);
      else
        for (const p of catalogue)
          process.stdout.write(`${p.class.padEnd(12)} ${p.id.padEnd(32)} ${p.vendor} ${p.model}\n`);
      break;
    case 'scan':
      await scanCommand();
      break;
    case 'read-card':
      await readCardCommand();
      break;
    case 'print-test':
      await printTestCommand();
      break;
    case 'doctor':
      await doctorCommand();
      break;
    case 'bundle':
      bundleCommand();
      break;
    case 'sim-scan':
      if (!args.positional[0]) usage();
      await simScan(args.positional[0]);
      break;
    default:
      usage();
  }
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
// Native bindings (smartcard's monitor, serialport) may hold the event loop: the command is done.
process.exit(process.exitCode ?? 0);
