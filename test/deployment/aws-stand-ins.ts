/**
 * Small AWS-compatible servers for the services npm has no emulator of (besides the Secrets
 * Manager one in local/): EventBridge (PutEvents), SES v2 (SendEmail), SNS's SMS publish (in
 * front of fauxqs) and the API Gateway management API (PostToConnection). Each speaks the wire protocol the AWS SDK v3 uses, so a function
 * reaches it through the SDK's standard `AWS_ENDPOINT_URL_<SERVICE>` variables, and records
 * what it was asked, for the check to judge.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInServer {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(
  handle: (request: IncomingMessage, body: string, response: ServerResponse) => void | Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      Promise.resolve(handle(request, Buffer.concat(chunks).toString('utf8'), response)).catch(
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ message: String(error) }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The AWS JSON 1.1 protocol: an `X-Amz-Target` header names the operation, bodies are JSON. */
function awsJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

function awsJsonError(response: ServerResponse, status: number, type: string, message: string): void {
  awsJson(response, status, { __type: type, message });
}

export interface PutEvent {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
  readonly eventBusName: string;
  readonly time: string;
}

export interface EventBridgeStandIn extends StandInServer {
  readonly events: PutEvent[];
}

/** EventBridge's PutEvents; each accepted event is handed to `deliver` (the bus's rules). */
export async function startEventBridge(
  deliver: (event: PutEvent) => Promise<void>,
): Promise<EventBridgeStandIn> {
  const events: PutEvent[] = [];
  const { server, url } = await listen(async (request, body, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'AWSEvents.PutEvents') {
      return awsJsonError(response, 400, 'ValidationException', `${target} is not served here`);
    }
    const { Entries = [] } = JSON.parse(body) as {
      Entries?: {
        Source?: string;
        DetailType?: string;
        Detail?: string;
        EventBusName?: string;
        Time?: number;
      }[];
    };
    const accepted: { EventId: string }[] = [];
    for (const entry of Entries) {
      const event: PutEvent = {
        id: randomUUID(),
        source: String(entry.Source),
        detailType: String(entry.DetailType),
        detail: String(entry.Detail ?? '{}'),
        eventBusName: String(entry.EventBusName ?? 'default'),
        time: new Date(entry.Time === undefined ? Date.now() : entry.Time * 1000).toISOString(),
      };
      events.push(event);
      await deliver(event);
      accepted.push({ EventId: event.id });
    }
    awsJson(response, 200, { FailedEntryCount: 0, Entries: accepted });
  });
  return { url, events, close: () => close(server) };
}

export interface SentEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  /** The text body (a confirmation link's token is read from it). */
  readonly body: string;
}

export interface SesStandIn extends StandInServer {
  readonly sent: SentEmail[];
}

/** SES v2's SendEmail (REST JSON: `POST /v2/email/outbound-emails`). */
export async function startSes(): Promise<SesStandIn> {
  const sent: SentEmail[] = [];
  const { server, url } = await listen((request, body, response) => {
    if (request.method !== 'POST' || !request.url?.startsWith('/v2/email/outbound-emails')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `${request.method} ${request.url} is not served here` }));
      return;
    }
    const input = JSON.parse(body) as {
      FromEmailAddress?: string;
      Destination?: { ToAddresses?: string[] };
      Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string } } } };
    };
    sent.push({
      from: String(input.FromEmailAddress),
      to: input.Destination?.ToAddresses ?? [],
      subject: String(input.Content?.Simple?.Subject?.Data ?? ''),
      body: String(input.Content?.Simple?.Body?.Text?.Data ?? ''),
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ MessageId: randomUUID() }));
  });
  return { url, sent, close: () => close(server) };
}

export interface ConnectionPost {
  readonly stage: string;
  readonly connectionId: string;
  readonly data: string;
}

export interface ConnectionsStandIn extends StandInServer {
  readonly posts: ConnectionPost[];
}

/** The API Gateway management API of a WebSocket stage: `POST /{stage}/@connections/{id}`. */
export async function startConnectionsApi(): Promise<ConnectionsStandIn> {
  const posts: ConnectionPost[] = [];
  const { server, url } = await listen((request, body, response) => {
    const match = /^\/(?:([^@/][^/]*)\/)?@connections\/([^/?]+)/.exec(request.url ?? '');
    if (match === null) {
      response.writeHead(404);
      response.end();
      return;
    }
    if (request.method === 'POST') {
      posts.push({ stage: match[1] ?? '', connectionId: decodeURIComponent(match[2] ?? ''), data: body });
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  return { url, posts, close: () => close(server) };
}

export interface SentSms {
  readonly to: string;
  readonly message: string;
}

/**
 * fauxqs names its queues `http://sqs.<region>.localhost:<port>/...`, a host that resolves only
 * with its in-process DNS interception, and the SDK sends each request to its queue URL's host.
 * This proxy gives functions routable URLs on its own host and translates them both ways.
 */
export async function startQueueUrlProxy(
  fauxqsPort: number,
): Promise<StandInServer & { toFauxqs(url: string): string; readonly sms: SentSms[] }> {
  let ownPrefix = '';
  const fauxqsPrefix = `http://sqs.us-east-1.localhost:${fauxqsPort}`;
  const sms: SentSms[] = [];
  const listening = await listen(async (request, body, response) => {
    // SNS's direct publish to a phone number (SMS), which fauxqs does not serve: recorded here.
    const query = new URLSearchParams(body);
    if (query.get('Action') === 'Publish' && query.get('PhoneNumber') !== null) {
      sms.push({ to: query.get('PhoneNumber') ?? '', message: query.get('Message') ?? '' });
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
      return;
    }
    const upstream = await fetch(`http://127.0.0.1:${fauxqsPort}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers: Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))
          .map(([name, value]) => [name, String(value)]),
      ),
      ...(request.method === 'GET' || request.method === 'HEAD'
        ? {}
        : { body: body.split(ownPrefix).join(fauxqsPrefix) }),
    });
    const text = (await upstream.text()).split(fauxqsPrefix).join(ownPrefix);
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
        headers[name] = value;
    });
    response.writeHead(upstream.status, headers);
    response.end(text);
  });
  ownPrefix = listening.url;
  return {
    url: listening.url,
    toFauxqs: (queueUrl) => queueUrl.split(ownPrefix).join(fauxqsPrefix),
    sms,
    close: () => close(listening.server),
  };
}
