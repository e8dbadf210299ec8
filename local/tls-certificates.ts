/**
 * A certificate authority and a server certificate made at run time, for a TLS stand-in of a
 * managed endpoint (RDS Proxy, the Aurora cluster): clients verify the chain against the CA
 * (DATABASE_CA_FILE) and the host name against the certificate's names, as on AWS.
 */
import { generate } from 'selfsigned';

export interface CertificateAuthority {
  /** PEM certificate: what a client trusts. */
  readonly certificate: string;
  readonly privateKey: string;
}

export interface ServerCertificate {
  readonly certificate: string;
  readonly privateKey: string;
}

const days = (n: number) => new Date(Date.now() + n * 86_400_000);

export async function createCertificateAuthority(
  name = 'Engagement Oracle test CA',
): Promise<CertificateAuthority> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: days(-1),
    notAfterDate: days(30),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { certificate: pems.cert, privateKey: pems.private };
}

/** A server certificate for exactly these DNS names, signed by `ca`. */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  dnsNames: readonly [string, ...string[]],
): Promise<ServerCertificate> {
  const pems = await generate([{ name: 'commonName', value: dnsNames[0] }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: days(-1),
    notAfterDate: days(30),
    ca: { key: ca.privateKey, cert: ca.certificate },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2 as const, value })) },
    ],
  });
  return { certificate: pems.cert, privateKey: pems.private };
}
