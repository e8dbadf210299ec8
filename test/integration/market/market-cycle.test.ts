import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnvilHandle, startAnvil } from '../../../local/anvil.ts';
import { runMarketCycle } from '../../../local/market/market-cycle.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';

let anvil: AnvilHandle;
let t: TestDatabase;
beforeAll(async () => {
  anvil = await startAnvil();
  t = await createTestDatabase();
});
afterAll(async () => {
  await anvil.stop();
  await t.close();
});

describe('market cycle on a local chain', () => {
  it('prices, TWAPs and ranks every token, mints generated tokens and sends the notifications they raise', async () => {
    const summary = await runMarketCycle({ sql: t.sql, anvil, rounds: 2 });

    expect(summary.checks).toEqual({
      everyTokenPriced: true,
      twapForEveryToken: true,
      rankingsCoverEveryToken: true,
      mintedOnChainEqualsClaims: true,
      revokedCredentialGotNothing: true,
      streamDeliveredEveryUpdate: true,
      notificationsSent: true,
      subscribersConfirmedContacts: true,
    });
    expect(summary.ok).toBe(true);
    expect(summary.tokensGenerated.claimsMinted).toBe(2);
    // Two minted claims and one crossed price alert, each to one email address; the subscribers
    // signed in with generated keys and confirmed three emails and a phone first.
    expect(summary.notifications.byChannel).toEqual({ email: 3, sms: 0, push: 0 });
    expect(summary.notifications.verified).toBe(4);
    expect(summary.ingestion.transactions).toBe(summary.trades + 3);
  });
});
