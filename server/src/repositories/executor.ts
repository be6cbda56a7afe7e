/**
 * How repositories meet transactions, the one convention of this folder:
 * - A repository is built once from the `Db` (see `createRepositories`).
 * - A method whose first parameter is `trx: Executor` runs inside the caller's unit of work: the
 *   handle is the transaction a `Committer` (db/group-commit.ts) gave the caller. Such methods
 *   never run a statement anywhere else.
 * - Every other method runs on the repository's own database handle, each statement committing
 *   on its own.
 * - Repositories never begin, commit or roll back a transaction: services (and the integrations'
 *   workers) open units of work through a `Committer` and pass its handle down.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** The database, or the transaction of a unit of work (a `Transaction<Database>` is one). */
export type Executor = Kysely<Database>;
