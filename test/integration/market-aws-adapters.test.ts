import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { EventBridgeBus } from '../../layers/shared/src/adapters/aws/eventbridge-bus.ts';
import { SesEmailChannel } from '../../layers/shared/src/adapters/aws/ses-email-channel.ts';
import {
  PushSubscriptionGoneError,
  WebPushChannel,
} from '../../layers/shared/src/adapters/web-push-channel.ts';

interface Seen {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

const seen: Seen[] = [];
let respond: (path: string) => { status: number; body: string; type?: string } = () => ({
  status: 200,
  body: '{}',
});
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function record(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    const answer = respond(req.url ?? '');
    res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' }).end(answer.body);
  });
}

let plain: Server;
let tls: ReturnType<typeof createHttpsServer>;
let certificate: Buffer;

beforeAll(async () => {
  plain = createServer(record);
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', () => resolve()));
  // A push service speaks HTTPS only: a certificate made for this test, trusted by this test.
  const dir = mkdtempSync(join(tmpdir(), 'push-tls-'));
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
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  certificate = readFileSync(join(dir, 'cert.pem'));
  const key = readFileSync(join(dir, 'key.pem'));
  rmSync(dir, { recursive: true, force: true });
  tls = createHttpsServer({ key, cert: certificate }, record);
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => plain.close(() => resolve()));
  await new Promise<void>((resolve) => tls.close(() => resolve()));
});

const endpoint = () => `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;

describe('EventBridge bus', () => {
  it('puts each event on the bus with its type as the detail-type', async () => {
    respond = () => ({
      status: 200,
      type: 'application/x-amz-json-1.1',
      body: '{"Entries":[{"EventId":"e-1"}],"FailedEntryCount":0}',
    });
    const bus = new EventBridgeBus(
      new EventBridgeClient({ endpoint: endpoint(), region: 'us-east-1', credentials }),
      'oracle-bus',
    );
    await bus.publish({
      type: 'TokenMinted',
      claimId: 'c-1',
      credentialId: 'cred-1',
      holder: '0xabc',
      amount: '5',
      txHash: undefined,
      timestamp: 1,
    });
    const request = seen.at(-1);
    expect(request?.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    const entry = JSON.parse(request?.body.toString() ?? '{}').Entries[0];
    expect(entry).toMatchObject({
      EventBusName: 'oracle-bus',
      Source: 'engagement-oracle',
      DetailType: 'TokenMinted',
    });
    expect(JSON.parse(entry.Detail)).toMatchObject({ claimId: 'c-1', amount: '5' });
  });

  it('fails when EventBridge refuses the entry, so the caller retries', async () => {
    respond = () => ({
      status: 200,
      type: 'application/x-amz-json-1.1',
      body: '{"Entries":[{"ErrorCode":"ThrottlingException","ErrorMessage":"slow down"}],"FailedEntryCount":1}',
    });
    const bus = new EventBridgeBus(
      new EventBridgeClient({ endpoint: endpoint(), region: 'us-east-1', credentials }),
      'oracle-bus',
    );
    await expect(
      bus.publish({
        type: 'TokenMinted',
        claimId: 'c-2',
        credentialId: 'cred-1',
        holder: '0xabc',
        amount: '5',
        txHash: undefined,
        timestamp: 1,
      }),
    ).rejects.toThrow('EventBridge refused TokenMinted: ThrottlingException slow down');
  });
});

describe('SES email channel', () => {
  it('sends the subject and body from the configured sender', async () => {
    respond = () => ({ status: 200, body: '{"MessageId":"m-1"}' });
    const channel = new SesEmailChannel(
      new SESv2Client({ endpoint: endpoint(), region: 'us-east-1', credentials }),
      'alerts@oracle.example',
    );
    await channel.send({ to: 'viewer@example.org', subject: 'Tokens minted', body: '5 CRED are yours' });
    const request = seen.at(-1);
    expect(request?.path).toBe('/v2/email/outbound-emails');
    expect(JSON.parse(request?.body.toString() ?? '{}')).toMatchObject({
      FromEmailAddress: 'alerts@oracle.example',
      Destination: { ToAddresses: ['viewer@example.org'] },
      Content: {
        Simple: { Subject: { Data: 'Tokens minted' }, Body: { Text: { Data: '5 CRED are yours' } } },
      },
    });
  });
});

describe('web push channel', () => {
  const browser = createECDH('prime256v1');
  browser.generateKeys();
  const subscription = (path: string) =>
    JSON.stringify({
      endpoint: `https://127.0.0.1:${(tls.address() as AddressInfo).port}${path}`,
      keys: {
        p256dh: browser.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
    });
  const vapid = { subject: 'mailto:ops@oracle.example', ...webpush.generateVAPIDKeys() };
  const agent = () => new Agent({ ca: certificate });

  it('delivers an encrypted, VAPID-signed notification to the subscription endpoint', async () => {
    respond = () => ({ status: 201, body: '' });
    await new WebPushChannel(vapid, agent()).send({
      to: subscription('/push/abc'),
      subject: 'Price alert',
      body: 'CRED crossed 1.5',
    });
    const request = seen.at(-1);
    expect(request?.path).toBe('/push/abc');
    expect(request?.headers['content-encoding']).toBe('aes128gcm');
    expect(request?.headers['authorization']).toMatch(new RegExp(`^vapid t=.+, k=${vapid.publicKey}$`));
    // Encrypted for the browser: the text is not in the request.
    expect(request?.body.includes(Buffer.from('CRED crossed'))).toBe(false);
  });

  it('reports a subscription the push service no longer knows as gone', async () => {
    respond = () => ({ status: 410, body: '' });
    await expect(
      new WebPushChannel(vapid, agent()).send({ to: subscription('/push/old'), subject: 's', body: 'b' }),
    ).rejects.toBeInstanceOf(PushSubscriptionGoneError);
  });

  it('refuses a recipient that is not a subscription', async () => {
    await expect(
      new WebPushChannel(vapid).send({ to: 'someone@example.org', subject: 's', body: 'b' }),
    ).rejects.toThrow('push recipient must be a PushSubscription as JSON');
  });
});
