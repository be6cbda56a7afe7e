/**
 * The layering of architecture.md is enforced by lint: each case lints a one-line file placed
 * in a package and expects the import to be refused (or accepted).
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
