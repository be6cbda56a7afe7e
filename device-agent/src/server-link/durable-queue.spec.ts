import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableQueue } from './durable-queue';
import { corruptFilesIn } from './private-files';

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
  it('moves a corrupt file aside (never drops it), reports it and starts empty beside it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-'));
    const file = path.join(dir, 'q.json');
    fs.writeFileSync(file, '[{"kind":"print","rep');
    const moved: string[] = [];
    const q = new DurableQueue<number>(file, 10, { onCorrupt: (to) => moved.push(to) });
    expect(q.length).toBe(0);
    expect(moved).toHaveLength(1);
    expect(path.basename(moved[0] ?? '')).toMatch(/^q\.json\.corrupt-\d{4}-\d{2}-\d{2}T/u);
    expect(fs.readFileSync(moved[0] ?? '', 'utf8')).toBe('[{"kind":"print","rep');
    expect(corruptFilesIn(dir)).toEqual([path.basename(moved[0] ?? '')]);
    q.push(1);
    expect(new DurableQueue<number>(file).all).toEqual([1]);
    // A readable file that is not a list is not the queue either.
    fs.writeFileSync(file, '{"not":"a list"}');
    expect(new DurableQueue<number>(file).movedAside).toBeDefined();
  });
  it('writes atomically: 0600 in a 0700 folder, no temporary file left behind', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dq-')), 'agent');
    const file = path.join(dir, 'q.json');
    const q = new DurableQueue<number>(file);
    q.push(1);
    q.push(2);
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readdirSync(dir)).toEqual(['q.json']);
  });
  it('a crash between writing the temporary file and the rename leaves the previous queue, and the leftover goes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-'));
    const file = path.join(dir, 'q.json');
    const q = new DurableQueue<number>(file);
    [1, 2].forEach((n) => q.push(n));
    // What a power cut mid-write leaves: the new content half written under a temporary name
    // (another process id's), the rename never done.
    fs.writeFileSync(path.join(dir, 'q.json.tmp-4242'), '[1,2,3', { mode: 0o600 });
    const moved: string[] = [];
    const again = new DurableQueue<number>(file, 10, { onCorrupt: (to) => moved.push(to) });
    expect(again.all).toEqual([1, 2]);
    expect(moved).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['q.json']);
    // A truncated queue file itself (no atomic rename on that file system) is moved aside, never dropped.
    fs.writeFileSync(file, '[1,');
    const third = new DurableQueue<number>(file, 10, { onCorrupt: (to) => moved.push(to) });
    expect(third.length).toBe(0);
    expect(moved).toHaveLength(1);
    expect(fs.readFileSync(moved[0] ?? '', 'utf8')).toBe('[1,');
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
