/**
 * One domain event of each type, valid under the schema consumers check (domain-event-schema.ts),
 * for an EventBridge rule whose type no function of the stage put on the bus: a stage that runs
 * only the platform core publishes no domain event, yet its notifications rule and the consumer
 * behind its queue are deployed and must work.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import bs58 from 'bs58';
import { domainEventSchema } from '../../layers/shared/src/core/events/domain-event-schema.ts';
import type { DomainEvent } from '../../layers/shared/src/core/events/domain-events.ts';
import type { SeedData } from './seed.ts';

const evmAddress = () => `0x${randomBytes(20).toString('hex')}`;
const solanaAddress = () => bs58.encode(randomBytes(32));

export function sampleDomainEvent(type: string, seed: SeedData): DomainEvent {
  const timestamp = Math.floor(Date.now() / 1000);
  const samples: Record<string, Record<string, unknown>> = {
    PriceUpdated: {
      chainId: 314159,
      tokenAddress: seed.creatorAddress,
      poolAddress: evmAddress(),
      quoteToken: evmAddress(),
      price: '1.5',
      priceX112: '7788445287802241442795744493830144',
      blockNumber: 1,
      timestamp,
    },
    TokenMinted: {
      claimId: `check-${randomUUID()}`,
      credentialId: seed.credentialId,
      holder: seed.credentialHolder,
      amount: '1000',
      timestamp,
    },
    MilestoneReached: {
      creatorId: randomUUID(),
      creator: seed.creatorAddress.toLowerCase(),
      stageName: 'deployment check',
      milestone: 'first-holder',
      description: 'the deployment check reached a milestone',
      value: '1',
      timestamp,
    },
    RootPublished: {
      epoch: seed.epoch,
      channel: seed.channel,
      root: `0x${randomBytes(32).toString('hex')}`,
      signature: null,
      slot: null,
      timestamp,
    },
    EpochSealed: { epoch: seed.epoch, channels: 1, participants: 3, trees: 1, timestamp },
    WalletRebound: {
      userHash: randomBytes(32).toString('hex'),
      previousWallet: solanaAddress(),
      wallet: null,
      reason: 'rebound',
      timestamp,
    },
  };
  const detail = samples[type];
  if (detail === undefined) throw new Error(`the check has no sample ${type} event`);
  // A sample the consumers would refuse proves nothing about them: fail here instead.
  return domainEventSchema.parse({ type, ...detail }) as DomainEvent;
}
