/**
 * The value each secret holds, in the shape README.md documents for it ("Deploying to AWS": the
 * secrets table), and the database secret in the shape RDS generates. The check stores these in
 * its Secrets Manager stand-in; a function that reads a secret in another shape fails there as
 * it would on AWS.
 */
import bs58 from 'bs58';
import webpush from 'web-push';

/** Values the stand-ins hand out (keys generated per run, fixture credentials). */
export interface SecretMaterial {
  readonly evmPrivateKey: string;
  readonly solanaSecretKey: Uint8Array;
  readonly twitch: { readonly clientId: string; readonly clientSecret: string };
  readonly ingestApiKey: string;
  readonly adminToken: string;
  readonly airApiKey: string;
  readonly database: {
    readonly username: string;
    readonly password: string;
    readonly host: string;
    readonly port: number;
    readonly dbname: string;
    readonly clusterIdentifier: string;
  };
}

/** The README's name of each secret (`engagement-oracle/<stage>/<name>`) → its JSON value. */
export const DOCUMENTED_SECRET_SHAPES: Readonly<
  Record<string, (m: SecretMaterial) => Record<string, unknown>>
> = {
  EvmSignerKey: (m) => ({ privateKey: m.evmPrivateKey }),
  SolanaPublisherKeypair: (m) => ({ secretKey: bs58.encode(m.solanaSecretKey) }),
  TwitchCredentials: (m) => ({ clientId: m.twitch.clientId, clientSecret: m.twitch.clientSecret }),
  IngestApiKeys: (m) => ({ primary: m.ingestApiKey }),
  AdminTokens: (m) => ({ primary: m.adminToken }),
  WebPushVapidKeys: () => ({
    subject: 'mailto:deployment-check@example.org',
    ...webpush.generateVAPIDKeys(),
  }),
  AirApiKey: (m) => ({ apiKey: m.airApiKey }),
};

/** What RDS writes into a cluster's generated secret once it is attached to the cluster. */
export function rdsGeneratedSecret(m: SecretMaterial): Record<string, unknown> {
  return {
    username: m.database.username,
    password: m.database.password,
    engine: 'postgres',
    host: m.database.host,
    port: m.database.port,
    dbname: m.database.dbname,
    dbClusterIdentifier: m.database.clusterIdentifier,
  };
}

/**
 * The value of one template secret: the documented shape by its name's last segment, the RDS
 * shape for the secret attached to the cluster; `undefined` for a secret nobody documented.
 */
export function secretValue(
  secretName: string,
  attachedToDatabase: boolean,
  material: SecretMaterial,
): string | undefined {
  if (attachedToDatabase) return JSON.stringify(rdsGeneratedSecret(material));
  const shape = DOCUMENTED_SECRET_SHAPES[secretName.split('/').pop() ?? ''];
  return shape === undefined ? undefined : JSON.stringify(shape(material));
}

/**
 * ECS's injection of a task definition secret: `ValueFrom` is the secret's ARN, optionally
 * followed by `:json-key:version-stage:version-id`; with a key, only that key's value.
 */
export function ecsSecretValue(valueFrom: string, read: (secretArn: string) => string | undefined): string {
  const match = /^(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:[^:]+)(?::([^:]*):([^:]*):([^:]*))?$/.exec(
    valueFrom,
  );
  if (match === null) throw new Error(`ValueFrom ${valueFrom} is not a Secrets Manager secret ARN`);
  const [, arn = '', jsonKey = ''] = match;
  const value = read(arn);
  if (value === undefined) throw new Error(`no secret ${arn}`);
  if (jsonKey === '') return value;
  const parsed = JSON.parse(value) as Record<string, unknown>;
  if (!(jsonKey in parsed)) throw new Error(`secret ${arn} has no key ${jsonKey}`);
  const field = parsed[jsonKey];
  return typeof field === 'string' ? field : JSON.stringify(field);
}
