/**
 * A bounded, ordered queue kept on disk (atomic rewrite on every change), for facts the server
 * must eventually receive (print reports, device health) while it is unreachable. Oldest entries
 * are dropped past the bound, and the drop is counted.
 */
import fs from 'node:fs';
import path from 'node:path';

export class DurableQueue<T> {
  private items: T[] = [];
  dropped = 0;

  constructor(
    private readonly file: string,
    private readonly maxItems = 1000,
  ) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (Array.isArray(parsed)) this.items = parsed as T[];
    } catch {
      this.items = [];
    }
  }

  get all(): readonly T[] {
    return this.items;
  }
  get length(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    this.items.push(item);
    while (this.items.length > this.maxItems) {
      this.items.shift();
      this.dropped++;
    }
    this.save();
  }
  /** Drops the entries `supersedes` matches (older versions of the same fact), then appends. */
  replace(item: T, supersedes: (existing: T) => boolean): void {
    this.items = this.items.filter((i) => !supersedes(i));
    this.push(item);
  }
  shift(): T | undefined {
    const item = this.items.shift();
    this.save();
    return item;
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.items), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
