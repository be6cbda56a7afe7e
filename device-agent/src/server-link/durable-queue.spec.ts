import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableQueue } from './durable-queue';

describe('DurableQueue', () => {
  it('keeps order across a restart and stays bounded', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dq-')), 'q.json');
    const q = new DurableQueue<number>(file, 3);
    [1, 2, 3, 4].forEach((n) => q.push(n));
    expect(q.dropped).toBe(1);
    const again = new DurableQueue<number>(file, 3);
    expect([again.shift(), again.shift(), again.shift(), again.shift()]).toEqual([2, 3, 4, undefined]);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
  });
  it('starts empty on a corrupt file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dq-')), 'q.json');
    fs.writeFileSync(file, '{not json');
    expect(new DurableQueue<number>(file).length).toBe(0);
  });
});

describe('DurableQueue.replace', () => {
  it('drops superseded entries and appends the new one, keeping the others in order', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dq-')), 'q.json');
    const q = new DurableQueue<{ kind: string; n: number }>(file, 10);
    q.push({ kind: 'health', n: 1 });
    q.push({ kind: 'print', n: 2 });
    q.replace({ kind: 'health', n: 3 }, (e) => e.kind === 'health');
    expect(new DurableQueue<{ kind: string; n: number }>(file).all).toEqual([
      { kind: 'print', n: 2 },
      { kind: 'health', n: 3 },
    ]);
  });
});
