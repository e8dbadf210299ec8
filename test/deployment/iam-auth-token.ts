/**
 * What RDS checks of an IAM database authentication token (the password a function sends as
 * DB_USER, `@aws-sdk/rds-signer`), checked here against the deployment check's stand-in
 * credentials: a SigV4 presigned `connect` URL for the host and port connected to and the user
 * logging in, of the `rds-db` service in the region, signed by those credentials, not expired.
 * Returns why the token is refused, or undefined when it is accepted.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenExpectation {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly nowMs: number;
}

/** RDS accepts a token for at most 15 minutes. */
const MAX_EXPIRES_SECONDS = 900;
const EMPTY_PAYLOAD = createHash('sha256').update('').digest('hex');

export function refuseIamToken(token: string, expected: TokenExpectation): string | undefined {
  let url: URL;
  try {
    url = new URL(`https://${token}`);
  } catch {
    return 'not a presigned URL';
  }
  const host = `${expected.host}:${expected.port}`;
  if (url.host !== host) return `signed for ${url.host}, not ${host}`;
  if (url.pathname !== '/') return 'the path is not /';
  const q = url.searchParams;
  if (q.get('Action') !== 'connect') return 'Action is not connect';
  if (q.get('DBUser') !== expected.user) return `signed for user ${q.get('DBUser')}, not ${expected.user}`;
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return 'not AWS4-HMAC-SHA256';
  if (q.get('X-Amz-SignedHeaders') !== 'host') return 'the signed headers are not host';
  const [keyId, day, region, service, terminator] = (q.get('X-Amz-Credential') ?? '').split('/');
  if (keyId !== expected.credentials.accessKeyId) return 'signed with another access key';
  if (region !== expected.region || service !== 'rds-db' || terminator !== 'aws4_request')
    return `the scope is not ${expected.region}/rds-db`;
  if ((q.get('X-Amz-Security-Token') ?? undefined) !== expected.credentials.sessionToken)
    return 'the session token is not the credentials’';
  const amzDate = q.get('X-Amz-Date') ?? '';
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (Number.isNaN(signedAt) || amzDate.slice(0, 8) !== day) return 'X-Amz-Date is not the scope’s date';
  const expires = Number(q.get('X-Amz-Expires'));
  if (!(Number.isInteger(expires) && expires > 0 && expires <= MAX_EXPIRES_SECONDS))
    return `X-Amz-Expires is not 1-${MAX_EXPIRES_SECONDS} seconds`;
  // A few minutes of clock skew either way, as AWS allows.
  if (expected.nowMs < signedAt - 300_000) return 'signed in the future';
  if (expected.nowMs > signedAt + expires * 1000) return 'expired';

  const canonicalQuery = [...q.entries()]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}`, '', 'host', EMPTY_PAYLOAD].join('\n');
  const scope = `${day}/${region}/rds-db/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key: Buffer = hmac(`AWS4${expected.credentials.secretAccessKey}`, day ?? '');
  for (const part of [region, 'rds-db', 'aws4_request']) key = hmac(key, part ?? '');
  const signature = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(q.get('X-Amz-Signature') ?? '');
  if (given.length !== signature.length || !timingSafeEqual(given, signature))
    return 'the signature does not verify';
  return undefined;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
