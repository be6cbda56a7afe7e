/**
 * No import cycles inside the agent (type-only imports included: they tie modules together just
 * as much for a reader). Imports are read with the TypeScript scanner and resolved the way the
 * package writes them: relative, without an extension, a folder meaning its index.ts.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { CPU_BOUND_SPEC_TIMEOUT_MS } from './spec-helpers/timeouts';

vi.setConfig({ testTimeout: CPU_BOUND_SPEC_TIMEOUT_MS });

const srcDir = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** Every cycle found by a depth-first walk, each as the files around it. */
function importCycles(files: readonly string[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    edges.set(
      file,
      importedFiles.flatMap((i) => resolve(file, i.fileName) ?? []),
    );
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles.map((cycle) => cycle.map((f) => path.relative(srcDir, f)));
}

describe('device agent modules', () => {
  it('import one another without cycles', () => {
    expect(importCycles(sourceFiles(srcDir))).toEqual([]);
  });

  it('the check finds a cycle made only of type imports, through a folder index', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cycles-'));
    try {
      writeFileSync(path.join(dir, 'encoder.ts'), "import type { Bitmap } from './raster';\nexport const x = 1;\n");
      mkdirSync(path.join(dir, 'raster'));
      writeFileSync(
        path.join(dir, 'raster', 'index.ts'),
        "import type { x } from '../encoder';\nexport type Bitmap = 1;\n",
      );
      const cycles = importCycles(sourceFiles(dir));
      expect(cycles).toHaveLength(1);
      expect(cycles[0]?.map((f) => path.basename(f))).toEqual(['encoder.ts', 'index.ts', 'encoder.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
