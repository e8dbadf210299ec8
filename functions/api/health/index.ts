/** GET /health: every dependency this deployment is configured with, up or down, with latency. */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { config } from '../../../layers/shared/src/config.ts';
import { checkHealth, type HealthCheck, jsonRpcPing } from '../../../layers/shared/src/services/health.ts';
import { database } from '../../dependencies.ts';
import { httpHandler, json } from '../http.ts';

export function configuredChecks(): HealthCheck[] {
  const c = config();
  const checks: HealthCheck[] = [
    {
      name: 'database',
      check: async () => {
        const { sql } = await database();
        await sql`select 1`;
      },
    },
  ];
  // The queues this deployment gives the function (the ingest queue only where attention runs).
  const queueUrls = [c.INGEST_QUEUE_URL, c.NOTIFICATIONS_QUEUE_URL].filter((url) => url !== undefined);
  if (queueUrls.length > 0) {
    const endpoint = c.SQS_ENDPOINT;
    const client = sqsClient({ region: c.AWS_REGION, ...(endpoint === undefined ? {} : { endpoint }) });
    checks.push({
      name: 'queues',
      check: async () => {
        for (const url of queueUrls) {
          await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
        }
      },
    });
  }
  const evm = c.EVM_RPC_URL;
  if (evm !== undefined) checks.push({ name: 'evm', check: () => jsonRpcPing(evm, 'eth_chainId') });
  const solana = c.SOLANA_RPC_URL;
  if (solana !== undefined) checks.push({ name: 'solana', check: () => jsonRpcPing(solana, 'getHealth') });
  return checks;
}

export const handler = httpHandler(async () => {
  const report = await checkHealth(configuredChecks());
  return json(report.status === 'ok' ? 200 : 503, report);
});
