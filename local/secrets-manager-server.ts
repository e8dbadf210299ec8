/**
 * A Secrets Manager-compatible endpoint for what the code calls (GetSecretValue, AWS JSON 1.1),
 * so a process configured with secret ARNs runs unchanged against local values: set
 * SECRETS_ENDPOINT (or AWS_ENDPOINT_URL_SECRETS_MANAGER) to its URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerServer {
  readonly url: string;
  /** Secret values by id (ARN or name). */
  readonly secrets: Map<string, string>;
  /** Secret ids asked for, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startSecretsManagerServer(
  secrets: Readonly<Record<string, string>> = {},
): Promise<SecretsManagerServer> {
  const values = new Map(Object.entries(secrets));
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      const target = request.headers['x-amz-target'];
      if (target !== 'secretsmanager.GetSecretValue') {
        return reply(400, {
          __type: 'InvalidRequestException',
          message: `unsupported action ${String(target)}`,
        });
      }
      let id: unknown;
      try {
        id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId;
      } catch {
        return reply(400, { __type: 'InvalidRequestException', message: 'body is not JSON' });
      }
      if (typeof id !== 'string')
        return reply(400, { __type: 'InvalidParameterException', message: 'SecretId' });
      requests.push(id);
      const value = values.get(id);
      if (value === undefined) {
        return reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      return reply(200, { ARN: id, Name: id, SecretString: value, VersionId: 'local' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secrets: values,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
