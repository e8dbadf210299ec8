/**
 * A certificate authority made for one run of the check, and a server certificate it signed for
 * the database stand-in (127.0.0.1 and localhost), so functions that verify the database's
 * certificate verify this one through the documented CA variable, and nothing else trusts it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DatabaseCertificates {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export function createDatabaseCertificates(dir: string): DatabaseCertificates {
  mkdirSync(dir, { recursive: true });
  // The `postgres` user (when run as root) reads the certificate from here.
  chmodSync(dir, 0o755);
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=deployment-check CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  );
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.pem'),
  );
  chmodSync(path('server.key'), 0o600);
  return { caFile: path('ca.pem'), certFile: path('server.pem'), keyFile: path('server.key') };
}
