import { describe, expect, it } from 'vitest';
import { KeptFor } from './kept-for';

describe('KeptFor', () => {
  it('keeps a value for its time, then reads again', async () => {
    let now = 0;
    let reads = 0;
    const kept = new KeptFor<number>(2000, 10, () => now);
    const read = async () => ++reads;
    expect(await kept.get('a', read)).toBe(1);
    now = 1999;
    expect(await kept.get('a', read)).toBe(1);
    now = 2000;
    expect(await kept.get('a', read)).toBe(2);
    expect(await kept.get('b', read)).toBe(3);
  });

  it('shares one read between callers asking at once', async () => {
    let reads = 0;
    let release: (v: string) => void = () => undefined;
    const kept = new KeptFor<string>(1000);
    const read = () => {
      reads++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const both = Promise.all([kept.get('k', read), kept.get('k', read)]);
    release('v');
    expect(await both).toEqual(['v', 'v']);
    expect(reads).toBe(1);
  });

  it('does not keep a failed read', async () => {
    const kept = new KeptFor<string>(60_000);
    await expect(kept.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await kept.get('k', async () => 'back')).toBe('back');
  });

  it('forgets everything when cleared, and holds at most `max` keys', async () => {
    let reads = 0;
    const kept = new KeptFor<number>(60_000, 2);
    const read = async () => ++reads;
    await kept.get('a', read);
    kept.clear();
    expect(await kept.get('a', read)).toBe(2);
    await kept.get('b', read);
    await kept.get('c', read); // the third key drops the first two
    expect(await kept.get('a', read)).toBe(5);
  });
});
