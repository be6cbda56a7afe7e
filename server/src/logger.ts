/** Structured logs with personal data redacted by key, wherever it sits. */
import pino, { type Logger } from 'pino';

export const redactedKeys = [
  'idNumber',
  'oldIdNumber',
  'insuranceNumber',
  'fullName',
  'full_name',
  'id_number',
  'address',
  'dateOfBirth',
  'payload',
  'password',
  'credential',
  'token',
  'authorization',
  'cookie',
];

export function createLogger(level: string, name = 'server'): Logger {
  return pino({
    name,
    level,
    redact: { paths: redactedKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[masked]' },
  });
}
export type { Logger };
