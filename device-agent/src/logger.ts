/**
 * The agent's structured log: one JSON object per line on stdout, personal data redacted by
 * key wherever it sits. A dozen lines instead of pino: on a kiosk PC the agent's idle memory
 * is a budget (pino and its stream workers cost about 10 MB of RSS).
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
type Fields = Record<string, unknown>;
type LogFn = { (message: string): void; (fields: Fields, message?: string): void };

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

const rank: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

export const redactedKeys = new Set([
  'idNumber',
  'fullName',
  'insuranceNumber',
  'address',
  'dateOfBirth',
  'payload',
  'mrz',
  'credential',
  'identity',
  'name',
]);

/** Replaces the value of every redacted key, at any depth, with '[masked]'. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Fields = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactedKeys.has(k) ? '[masked]' : redact(v, depth + 1);
  return out;
}

export function createLogger(level: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const threshold = rank[level as LogLevel] ?? rank.info;
  const make =
    (name: Exclude<LogLevel, 'silent' | 'fatal' | 'trace'>): LogFn =>
    (a: Fields | string, message?: string) => {
      if (rank[name] < threshold) return;
      const fields = typeof a === 'string' ? {} : (redact(a) as Fields);
      const msg = typeof a === 'string' ? a : message;
      write(
        `${JSON.stringify({ level: name, time: Date.now(), name: 'agent', ...fields, ...(msg ? { msg } : {}) })}\n`,
      );
    };
  return { error: make('error'), warn: make('warn'), info: make('info'), debug: make('debug') };
}
