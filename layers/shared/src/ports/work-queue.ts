/**
 * A work queue with a dead-letter queue beside it (SQS in production, fauxqs locally). FIFO
 * queues order messages per `groupId` and drop a second send with the same `deduplicationId`
 * within five minutes; standard queues ignore both.
 */

export interface OutgoingMessage {
  readonly body: unknown;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly delaySeconds?: number;
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: unknown;
  /** How often the queue has handed this message out (1 on the first receive). */
  readonly receiveCount: number;
  readonly groupId: string | undefined;
}

export interface ReceiveOptions {
  /** 1–10. @default 10 */
  readonly maxMessages?: number;
  /** Long-poll seconds. @default 0 */
  readonly waitSeconds?: number;
  readonly visibilityTimeoutSeconds?: number;
}

export interface WorkQueue {
  readonly name: string;
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
  /** Sends in chunks of ten; returns how many messages the queue refused. */
  sendBatch(messages: readonly OutgoingMessage[]): Promise<{ failed: number }>;
  receive(options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Deletes received messages in chunks of ten. */
  deleteBatch(receiptHandles: readonly string[]): Promise<void>;
  /** Puts a message on the dead-letter queue (a received one is deleted from the queue after). */
  sendToDeadLetter(message: OutgoingMessage, received?: ReceivedMessage): Promise<void>;
  /** Receives from the dead-letter queue. */
  receiveDeadLetters(options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  deleteDeadLetter(receiptHandle: string): Promise<void>;
}
