/** The SQL dialects the server runs on. */
export type DialectName = 'sqlite' | 'postgres';
