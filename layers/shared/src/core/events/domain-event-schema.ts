/**
 * Domain events as they arrive from the bus: EventBridge delivers `{ "detail-type", detail }`
 * envelopes to the queues its rules target, so consumers validate the detail against the type it
 * names before they act on it.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.ts';
import { BINDING_END_REASONS, type DomainEvent } from './domain-events.ts';

const unixSeconds = z.number().int().nonnegative();
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address');
const solanaAddress = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 public key');

export const domainEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('PriceUpdated'),
    chainId: z.number().int().positive(),
    tokenAddress: address,
    poolAddress: address,
    quoteToken: address,
    price: decimal,
    priceX112: decimal,
    blockNumber: z.number().int().nonnegative(),
    timestamp: unixSeconds,
  }),
  z.object({
    type: z.literal('TokenMinted'),
    claimId: z.string().min(1),
    credentialId: z.string().min(1),
    holder: address,
    amount: decimal,
    txHash: z.string().optional(),
    timestamp: unixSeconds,
  }),
  z.object({
    type: z.literal('MilestoneReached'),
    creatorId: z.string().uuid(),
    creator: address,
    stageName: z.string(),
    milestone: z.string().min(1),
    description: z.string(),
    value: decimal,
    timestamp: unixSeconds,
  }),
  z.object({
    type: z.literal('RootPublished'),
    epoch: unixSeconds.refine((epoch) => epoch % 3600 === 0, 'expected an hour start'),
    channel: z.string().min(1),
    root: z.string().regex(/^0x[0-9a-f]{64}$/, 'expected a 0x-prefixed 32-byte hex root'),
    signature: z.string().nullable(),
    slot: z.number().int().nonnegative().nullable(),
    timestamp: unixSeconds,
  }),
  z.object({
    type: z.literal('EpochSealed'),
    epoch: unixSeconds.refine((epoch) => epoch % 3600 === 0, 'expected an hour start'),
    channels: z.number().int().positive(),
    participants: z.number().int().nonnegative(),
    trees: z.number().int().nonnegative(),
    timestamp: unixSeconds,
  }),
  z.object({
    type: z.literal('WalletRebound'),
    userHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a user_hash (64 lowercase hex)'),
    previousWallet: solanaAddress,
    wallet: solanaAddress.nullable(),
    reason: z.enum(BINDING_END_REASONS),
    timestamp: unixSeconds,
  }),
]);

/** An EventBridge event delivered to SQS by a rule (the whole event is the message body). */
export const eventBridgeEnvelopeSchema = z.object({
  'detail-type': z.string().min(1),
  source: z.string(),
  detail: z.record(z.unknown()),
});

/** The domain event in an EventBridge envelope; the detail-type decides which schema applies. */
export function domainEventFromEnvelope(envelope: z.infer<typeof eventBridgeEnvelopeSchema>): DomainEvent {
  const parsed = domainEventSchema.safeParse({ ...envelope.detail, type: envelope['detail-type'] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `${envelope['detail-type']} event: ${issue?.path.join('.') || 'detail'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data as DomainEvent;
}
