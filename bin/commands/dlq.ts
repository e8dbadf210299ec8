/**
 * `oracle dlq redrive <queue>` empties a dead-letter queue. For `oracle-calls` every failed call
 * named there is reopened as a new generation with fresh attempts and queued again (the engine
 * decides final failure itself; SQS's receive count does not); an abandoned call, whose effect
 * was compensated (a refunded mint), is refused and named with the reason. Other queues get
 * their messages moved back as they are: `--queue-url` and `--dlq-url` name them.
 */
import { parseArgs } from 'node:util';
import { oracleCallsQueue } from '../../functions/delivery.ts';
import { createPlatform } from '../../functions/platform.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import type { WorkQueue } from '../../layers/shared/src/ports/work-queue.ts';
import { redriveOracleCallDeadLetters } from '../../layers/shared/src/services/delivery/operator-calls.ts';
import { cliActor, recordAdminAction } from '../../layers/shared/src/services/platform/admin-audit.ts';

export const summary = 'redrive a dead-letter queue (oracle-calls: reopen the failed calls)';

const USAGE = `usage:
  oracle dlq redrive oracle-calls                                  (ORACLE_CALLS_QUEUE_URL, ORACLE_CALLS_DLQ_URL)
  oracle dlq redrive <name> --queue-url <url> --dlq-url <url>      (move messages back unchanged)
`;

/** Moves every message from the DLQ back to its queue, keeping FIFO group ids. */
export async function moveBack(queue: WorkQueue): Promise<number> {
  let moved = 0;
  for (;;) {
    const messages = await queue.receiveDeadLetters({ maxMessages: 10, visibilityTimeoutSeconds: 60 });
    if (messages.length === 0) return moved;
    for (const message of messages) {
      await queue.send({
        body: message.body,
        ...(message.groupId === undefined ? {} : { groupId: message.groupId }),
        deduplicationId: `redrive:${message.messageId}`,
      });
      await queue.deleteDeadLetter(message.receiptHandle);
      moved++;
    }
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'queue-url': { type: 'string' }, 'dlq-url': { type: 'string' } },
  });
  const [subcommand, name] = positionals;
  if (subcommand !== 'redrive' || name === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const platform = createPlatform(loadConfig(process.env));
  try {
    if (name === 'oracle-calls') {
      const { sql } = await platform.database();
      const report = await redriveOracleCallDeadLetters(
        { sql, queue: oracleCallsQueue(platform), now: Date.now },
        cliActor(),
      );
      process.stdout.write(
        `oracle-calls DLQ: ${report.received} messages, ${report.reopened} calls reopened, ${report.skipped} skipped, ${report.refused.length} refused\n`,
      );
      for (const { reason } of report.refused) process.stdout.write(`  refused: ${reason}\n`);
      return 0;
    }
    const queueUrl = values['queue-url'];
    const dlqUrl = values['dlq-url'];
    if (queueUrl === undefined || dlqUrl === undefined) {
      process.stderr.write(`queue ${name}: --queue-url and --dlq-url are required\n${USAGE}`);
      return 2;
    }
    // Opened first: a redrive the audit log cannot record is not started.
    const { sql } = await platform.database();
    const queue = platform.queue(queueUrl, '--queue-url', dlqUrl);
    const moved = await moveBack(queue);
    await recordAdminAction(sql, {
      actor: cliActor(),
      action: 'dlq.redrive',
      targetType: 'queue',
      targetId: name,
      before: { deadLetters: moved },
      after: { deadLetters: 0, movedBack: moved },
    });
    process.stdout.write(`${name} DLQ: ${moved} messages moved back\n`);
    return 0;
  } finally {
    await platform.close();
  }
}
