/** Structured logs with personal data redacted by key, wherever it sits (up to three levels deep). */
import pino, { type DestinationStream, type Logger } from 'pino';

export const redactedKeys = [
  'idNumber',
  'oldIdNumber',
  'insuranceNumber',
  'fullName',
  'full_name',
  'id_number',
  'old_id_number',
  'insurance_number',
  'date_of_birth',
  'address',
  'dateOfBirth',
  'identity',
  'payload',
  'receipt_json',
  'password',
  'credential',
  'pairingCode',
  'token',
  'authorization',
  'cookie',
];

export function createLogger(level: string, name = 'server', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: redactedKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
        censor: '[masked]',
      },
    },
    destination,
  );
}
export type { Logger };
