/**
 * Re-encrypts personal data under the current column key (DATA_KEY_ID, or the last of DATA_KEYS),
 * and seals what is still plain. Run with the server's environment, old keys still listed:
 *   DATA_KEYS=k1:…,k2:… DATA_KEY_ID=k2 npx tsx server/src/rotate-keys.ts
 * Safe while servers run and safe to repeat; see docs/key-rotation.md.
 */
import { loadConfig, encryptionKeysOf } from './config';
import { migrateToLatest, openDatabase } from './db/database';
import { createRepositories } from './repositories';
import { ColumnCipher } from './repositories/column-cipher';

const config = loadConfig();
const keys = encryptionKeysOf(config);
if (keys.length === 0) {
  process.stderr.write('Column encryption is off (DATA_KEYS unset or DATA_ENCRYPTION=off): nothing to rotate.\n');
  process.exit(1);
}
const cipher = new ColumnCipher(keys, config.DATA_KEY_ID);
const db = await openDatabase(config.DATABASE_URL);
await migrateToLatest(db);
const rewritten = await createRepositories(db, undefined, cipher).privacy.reencrypt();
await db.close();
process.stdout.write(`${JSON.stringify({ keyId: cipher.currentKeyId, rewritten })}\n`);
