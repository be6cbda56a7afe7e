/**
 * A bounded, ordered queue kept on disk for facts the server must eventually receive (print
 * reports, device health) while it is unreachable. Every change rewrites the file atomically
 * (temporary file, fsync, rename, fsync of the folder; 0600 in a 0700 folder). Oldest entries are
 * dropped past the bound, and the drop is counted. A temporary file a crash left before its
 * rename is deleted at start (the queue file still holds the last whole write). A file that cannot
 * be read is never dropped: it is moved aside (`<file>.corrupt-<time>`), reported through
 * `onCorrupt`, and the queue starts empty beside it.
 */
import fs from 'node:fs';
import { moveAside, removeLeftoverTemporaries, writePrivateFileAtomic } from './private-files';

export interface DurableQueueOptions {
  /** The file could not be read and was moved to `movedTo`. */
  onCorrupt?: (movedTo: string) => void;
}

export class DurableQueue<T> {
  private items: T[] = [];
  dropped = 0;
  /** Where an unreadable file found at start was moved. */
  readonly movedAside: string | undefined;

  constructor(
    private readonly file: string,
    private readonly maxItems = 1000,
    options: DurableQueueOptions = {},
  ) {
    // A write cut short before its rename left a temporary file; the queue file is the last whole one.
    removeLeftoverTemporaries(file);
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // No file yet: an empty queue.
    }
    if (text === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed)) this.items = parsed as T[];
    else {
      this.movedAside = moveAside(file);
      options.onCorrupt?.(this.movedAside);
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
    writePrivateFileAtomic(this.file, JSON.stringify(this.items));
  }
}
