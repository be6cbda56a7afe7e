/**
 * The layering of architecture.md is enforced by lint: each case lints a one-line file placed
 * in a package and expects the import to be refused (or accepted). SQL is allowed only in the
 * server's repositories and db layer; socket commands are served only through serveCommands (a
 * hand-written ack listener is refused).
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const x = y;\n`, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['kiosk-ui/src/x.ts', "import { y } from '@kiosk/server';"],
    ['kiosk-ui/src/x.ts', "import { y } from '@kiosk/device-agent';"],
    ['kiosk-ui/src/x.ts', "import { y } from 'node:fs';"],
    ['server/src/x.ts', "import { y } from '@kiosk/protocol/src/mask';"],
    ['server/src/x.ts', "import { y } from '../../device-agent/src/agent';"],
    ['device-agent/src/x.ts', "import { y } from '@kiosk/server';"],
    ['protocol/src/x.ts', "import { y } from 'node:crypto';"],
    ['protocol/src/x.ts', "import { y } from '@kiosk/hardware-profiles';"],
    ['hardware-profiles/src/x.ts', "import { y } from 'node:fs';"],
    ['hardware-profiles/src/x.ts', "import { y } from '@kiosk/device-agent';"],
    ['tests/integration/x.test.ts', "import { y } from '../../server/src/app';"],
  ])('%s refuses %s', async (file, source) => {
    expect(await importErrors(file, source)).not.toHaveLength(0);
  });

  it.each([
    ['kiosk-ui/src/x.ts', "import { y } from '@kiosk/protocol';"],
    ['device-agent/src/x.ts', "import { y } from '@kiosk/hardware-profiles';"],
    ['server/src/x.ts', "import { y } from '@kiosk/protocol';"],
    ['tests/integration/x.test.ts', "import { y } from '@kiosk/server';"],
  ])('%s accepts %s', async (file, source) => {
    expect(await importErrors(file, source)).toHaveLength(0);
  });
});

describe("SQL only in the server's repositories", () => {
  const queries = [
    "import { sql, type Kysely } from 'kysely';",
    'declare const db: Kysely<{ tickets: { id: string } }>;',
    "export const open = () => db.selectFrom('tickets').selectAll().execute();",
    "export const gone = () => db.deleteFrom('tickets').where('id', '=', 'x').execute();",
    'export const ping = () => sql`select 1`.execute(db);',
    'export const unit = () => db.transaction().execute(async () => undefined);',
  ].join('\n');

  async function sqlErrors(file: string): Promise<string[]> {
    const [result] = await eslint.lintText(`${queries}\n`, { filePath: path.join(root, file) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
  }

  it.each([
    'server/src/services/x.service.ts',
    'server/src/http/x.routes.ts',
    'server/src/realtime/x.ts',
    'server/src/integrations/x.module.ts',
    'server/src/x.ts',
  ])('refuses queries, the sql tag and a bare transaction in %s', async (file) => {
    const errors = await sqlErrors(file);
    // selectFrom, deleteFrom, the `sql` import, transaction().
    expect(errors).toHaveLength(4);
    expect(errors.filter((m) => m.includes('server/src/repositories'))).toHaveLength(3);
  });

  it.each(['server/src/repositories/x.repository.ts', 'server/src/db/x.ts'])('accepts them in %s', async (file) => {
    expect(await sqlErrors(file)).toEqual([]);
  });
});

async function handWrittenAckErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('socket commands are served through serveCommands only', () => {
  it.each([
    ['server/src/realtime/x.ts', "socket.on('queue:list', (payload: unknown, ack: unknown) => void ack);"],
    ['server/src/integrations/x.ts', "socket.on('insurance:check', async function (p: unknown, ack: unknown) {});"],
    ['device-agent/src/server-link/x.ts', "socket.once('ticket:print', (p: unknown, reply: unknown) => {});"],
    ['device-agent/src/simulator/x.ts', 'socket.on(event, (p: unknown, ack: unknown, extra: unknown) => {});'],
    ['kiosk-ui/src/kiosk/x.ts', "sim.on('sim:scan', (p: unknown, ack: unknown) => {});"],
    ['tests/integration/x.test.ts', "fake.on('ticket:print', (command: unknown, ack: unknown) => {});"],
  ])('%s refuses %s', async (file, source) => {
    expect(
      await handWrittenAckErrors(file, `declare const socket: any, sim: any, fake: any, event: string;\n${source}`),
    ).not.toHaveLength(0);
  });

  it.each([
    ['kiosk-ui/src/kiosk/x.ts', "socket.on('card:identified', (card: unknown) => void card);"],
    ['server/src/realtime/x.ts', 'serveCommands(socket, staffCommands, handlers, options);'],
    ['scripts/x.mjs', "child.on('exit', (code, signal) => void [code, signal]);"],
  ])('%s accepts %s', async (file, source) => {
    expect(
      await handWrittenAckErrors(
        file,
        `/* global socket, serveCommands, staffCommands, handlers, options, child */\n${source}`,
      ),
    ).toHaveLength(0);
  });
});
