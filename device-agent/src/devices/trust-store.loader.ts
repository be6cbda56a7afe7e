/**
 * The CSCA trust store from a folder of certificates (.pem .crt .cer .der). No public Vietnamese
 * CSCA list is known, so this is configuration; a file that does not parse is skipped and named
 * (a lasting fault to show, not a reason to refuse to start). No folder → an empty store, and
 * reads report 'no-trust-anchor'.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTrustStore, EMPTY_TRUST_STORE, type TrustStore } from '../identity';

export interface LoadedTrustStore {
  store: TrustStore;
  files: number;
  problems: string[];
}

export function loadTrustStore(
  dir: string | undefined,
  extra: ReadonlyArray<string | Uint8Array> = [],
): LoadedTrustStore {
  const problems: string[] = [];
  const entries: (string | Uint8Array)[] = [...extra];
  let files = 0;
  if (dir) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).sort();
    } catch (e) {
      problems.push(`trust store folder unreadable: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    for (const name of names) {
      if (!/\.(pem|crt|cer|der)$/iu.test(name)) continue;
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(path.join(dir, name));
      } catch {
        problems.push(`${name}: unreadable`);
        continue;
      }
      const entry = bytes.includes('-----BEGIN') ? bytes.toString('utf8') : new Uint8Array(bytes);
      if (!createTrustStore([entry]).ok) {
        problems.push(`${name}: not a certificate`);
        continue;
      }
      entries.push(entry);
      files++;
    }
  }
  if (entries.length === 0) return { store: EMPTY_TRUST_STORE, files, problems };
  const store = createTrustStore(entries);
  return { store: store.ok ? store.value : EMPTY_TRUST_STORE, files, problems };
}
