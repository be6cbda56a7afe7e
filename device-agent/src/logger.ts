/** Structured logs; personal data is redacted by key and never formatted into messages. */
import pino, { type Logger } from 'pino';

const keys = [
  'idNumber',
  'fullName',
  'insuranceNumber',
  'address',
  'dateOfBirth',
  'payload',
  'mrz',
  'credential',
  'identity',
];

export function createLogger(level: string): Logger {
  return pino({
    name: 'agent',
    level,
    redact: { paths: keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[masked]' },
  });
}
export type { Logger };
