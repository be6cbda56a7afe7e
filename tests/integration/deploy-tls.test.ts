/**
 * TLS between kiosks and the server, as deploy/README.md sets it up: a hospital CA made with
 * openssl signs the server certificate, HAProxy (deploy/haproxy/haproxy.cfg) terminates TLS in
 * front of the server, and the agent trusts that CA through SERVER_CA_FILE. An agent so configured
 * enrolls and checks a patient in over https/wss; an agent trusting another CA, or only the
 * system's CAs, refuses the server's certificate — for enrollment and for the socket alike — and
 * says why in its log.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, loadAgentConfig, type Agent, type Logger } from '@kiosk/device-agent';
import { haproxyAvailable, startHaproxy, type Haproxy } from '../support/haproxy';
import { startServer, type RunningServer } from '../support/server-harness';
import { checkInRequest } from '../support/server-process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-tls-'));
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA: self-signed, allowed to sign certificates and nothing else. */
function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.pem`),
    '-subj',
    `/O=Benh vien thu/CN=${name}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

/** The server certificate for `localhost`, signed by the CA `ca`, as one PEM with its key for HAProxy. */
function makeServerCert(ca: string): string {
  openssl('req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(
    file('server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file(`${ca}.pem`),
    '-CAkey',
    file(`${ca}.key`),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  );
  const pem = file('haproxy.pem');
  fs.writeFileSync(
    pem,
    [file('server.crt'), file(`${ca}.pem`), file('server.key')].map((f) => fs.readFileSync(f, 'utf8')).join(''),
  );
  fs.chmodSync(pem, 0o600);
  return pem;
}

/** An agent's log, kept to be read by the test. */
function capturingLog(): Logger & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (a: string | Record<string, unknown>, b?: string): void => {
      lines.push(typeof a === 'string' ? { level, fields: {}, message: a } : { level, fields: a, message: b ?? '' });
    };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

describe.skipIf(!haproxyAvailable())('TLS from kiosk agents to the server through HAProxy', () => {
  let server: RunningServer;
  let lb: Haproxy;
  const agents: Agent[] = [];

  beforeAll(async () => {
    makeCa('hospital-ca');
    makeCa('other-ca');
    const pem = makeServerCert('hospital-ca');
    server = await startServer({ BOOTSTRAP_PAIRING_CODE: 'TLSPAIRCODE1' });
    const address = `127.0.0.1:${server.port}`;
    lb = await startHaproxy([address, address], { certPem: pem });
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await lb?.stop();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const startAgent = async (name: string, env: Record<string, string>, log: Logger) => {
    const agent = await createAgent(
      loadAgentConfig({
        AGENT_PORT: '0',
        AGENT_DATA_DIR: file(`agent-${name}`),
        AGENT_NAME: name,
        SERVER_URL: lb.tlsUrl,
        LOG_LEVEL: 'silent',
        ...env,
      }),
      log,
    );
    agents.push(agent);
    return agent;
  };

  it('an agent trusting the hospital CA enrolls and checks in over TLS', async () => {
    const agent = await startAgent(
      'trusted',
      { SERVER_CA_FILE: file('hospital-ca.pem'), PAIRING_CODE: 'TLSPAIRCODE1' },
      capturingLog(),
    );
    await expect.poll(() => agent.link.state, { timeout: 20_000 }).toBe('connected');
    const receipt = await agent.link.submitCheckIn(checkInRequest(1));
    // A number of the day's series after the blocks leased to this kiosk for offline check-in.
    expect(receipt.ok && receipt.value.ticket.number).toMatch(/^B\d{3}$/u);
  });

  it('an agent trusting another CA, or only the system CAs, refuses the certificate', async () => {
    for (const [name, env] of [
      ['other-ca', { SERVER_CA_FILE: file('other-ca.pem') }],
      ['system-cas', {}],
    ] as const) {
      const log = capturingLog();
      // Enrollment (https) is refused …
      const enrolling = await startAgent(`${name}-enroll`, { ...env, PAIRING_CODE: 'TLSPAIRCODE9' }, log);
      await expect
        .poll(() => log.lines.find((l) => l.message === 'server TLS certificate refused'), { timeout: 20_000 })
        .toBeDefined();
      expect(enrolling.link.state).not.toBe('connected');
      // … and so is the socket (wss) of an agent that already holds a credential.
      const enrolledDir = file(`agent-${name}-socket`);
      fs.mkdirSync(enrolledDir, { recursive: true });
      fs.copyFileSync(file('agent-trusted/credential.json'), path.join(enrolledDir, 'credential.json'));
      const socketLog = capturingLog();
      const connecting = await startAgent(`${name}-socket`, { ...env }, socketLog);
      await expect
        .poll(() => socketLog.lines.find((l) => l.message === 'server TLS certificate refused'), { timeout: 20_000 })
        .toBeDefined();
      expect(connecting.link.state).not.toBe('connected');
      const codes = [...log.lines, ...socketLog.lines].flatMap((l) =>
        l.message === 'server TLS certificate refused' ? [String(l.fields['code'])] : [],
      );
      expect(codes.every((c) => /CERT|SELF_SIGNED|UNABLE_TO/u.test(c))).toBe(true);
    }
    // Only the trusted agent got through to the server.
    const { kysely } = server.app.services.db;
    const enrolled = await kysely.selectFrom('agents').select('name').execute();
    expect(enrolled.map((a) => a.name).filter((n) => n !== 'bootstrap')).toEqual(['trusted']);
  });
});
