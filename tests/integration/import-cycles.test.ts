/**
 * No import cycles inside any package (type-only imports included: they tie modules together just
 * as much for a reader). Imports are read with the TypeScript scanner and resolved the way the
 * packages write them: relative, without an extension (a folder meaning its index.ts), or a
 * Svelte component by its file name; a component's imports are those of its <script> blocks.
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
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const packages = ['protocol', 'hardware-profiles', 'device-agent', 'server', 'kiosk-ui'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(full);
    return (name.endsWith('.ts') && !name.endsWith('.d.ts')) || name.endsWith('.svelte') ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [base, `${base}.ts`, path.join(base, 'index.ts')].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}

function scriptOf(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gu)].map((m) => m[1]).join('\n');
}

/** Every cycle found by a depth-first walk, each as the files around it. */
function importCycles(files: readonly string[], relativeTo: string): string[][] {
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(scriptOf(file), true, true);
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
  return cycles.map((cycle) => cycle.map((f) => path.relative(relativeTo, f)));
}

describe('modules of every package', () => {
  for (const pkg of packages)
    it(`${pkg} imports its own modules without cycles`, () => {
      expect(importCycles(sourceFiles(path.join(root, pkg, 'src')), root)).toEqual([]);
    });

  it('the check finds a cycle made only of type imports, through a folder index and a component', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cycles-'));
    try {
      writeFileSync(path.join(dir, 'encoder.ts'), "import type { Bitmap } from './raster';\nexport const x = 1;\n");
      mkdirSync(path.join(dir, 'raster'));
      writeFileSync(
        path.join(dir, 'raster', 'index.ts'),
        "import type { x } from '../Step.svelte';\nexport type Bitmap = 1;\n",
      );
      writeFileSync(
        path.join(dir, 'Step.svelte'),
        '<script lang="ts">\n  import { x } from \'./encoder\';\n</script>\n<p>{x}</p>\n',
      );
      const cycles = importCycles(sourceFiles(dir), dir);
      expect(cycles).toHaveLength(1);
      expect(new Set(cycles[0])).toEqual(new Set(['encoder.ts', path.join('raster', 'index.ts'), 'Step.svelte']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
