/** A throwaway self-signed certificate for a test's TLS listener (openssl, P-256, two days). */
import { execFileSync } from 'node:child_process';
import { isIP } from 'node:net';
import path from 'node:path';

/** Writes `key.pem` and `cert.pem` into `dir` for `host` (a name or an IP address, also its subjectAltName). */
export function selfSignedCertificate(dir: string, host: string): { keyFile: string; certFile: string } {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=${isIP(host) ? 'IP' : 'DNS'}:${host}`,
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}
