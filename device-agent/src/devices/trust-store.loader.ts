/**
 * The CSCA trust store from a folder of certificates (.pem .crt .cer .der). No public Vietnamese
 * CSCA list is known, so this is configuration; a file that does not parse is skipped and named
 * (a lasting fault to show, not a reason to refuse to start). No folder → an empty store, and
 * reads report 'no-trust-anchor'. The server's pushed set (master lists, certificates, CRLs an
 * administrator imported) is kept beside it in the agent's data folder and merged with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { trustSetSchema, type TrustSet } from '@kiosk/protocol';
import { createTrustStore, EMPTY_TRUST_STORE, type TrustStore } from '../identity';
import { writePrivateFileAtomic } from '../server-link/private-files';

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

/** The trust set the server pushed last, kept (0600) so it holds across a restart without the server. */
export interface PushedTrust {
  set: TrustSet;
  store: TrustStore;
}

/** The pushed set as a store; DER that does not parse is dropped and counted (the server validated it). */
export function storeOfPushed(set: TrustSet): { store: TrustStore; dropped: number } {
  let dropped = 0;
  const anchors: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  for (const b64 of set.anchors) {
    const der = new Uint8Array(Buffer.from(b64, 'base64'));
    if (createTrustStore([der]).ok) anchors.push(der);
    else dropped++;
  }
  for (const b64 of set.crls) {
    const der = new Uint8Array(Buffer.from(b64, 'base64'));
    if (createTrustStore([], [der]).ok) crls.push(der);
    else dropped++;
  }
  const store = createTrustStore(anchors, crls);
  return { store: store.ok ? store.value : EMPTY_TRUST_STORE, dropped };
}

export function loadPushedTrust(file: string): PushedTrust | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const set = trustSetSchema.safeParse(JSON.parse(text));
    return set.success ? { set: set.data, store: storeOfPushed(set.data).store } : undefined;
  } catch {
    return undefined;
  }
}

export function savePushedTrust(file: string, set: TrustSet): void {
  writePrivateFileAtomic(file, JSON.stringify(set));
}
