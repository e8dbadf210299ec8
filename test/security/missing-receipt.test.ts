/**
 * Issue 17, M1: one receipt the RPC answers `null` for (a load-balanced endpoint whose backends
 * disagree, a lagging receipt index) made the confirmer take a mined nonce for "lost" and send
 * the call again under a new nonce: the mint landed twice. Driven against anvil behind a JSON-RPC
 * interceptor that drops the chosen receipts, with the real confirmer and queue consumer.
 */
import { type Contract, ContractFactory, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArtifact } from '../../contracts/compile.ts';
import { enqueueOracleCall } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../local/anvil.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../fixtures/delivery.ts';
import type { JsonRpcInterceptor } from '../fixtures/json-rpc-interceptor.ts';

const AMOUNT = 1_000n;

describe('a receipt the RPC does not return', () => {
  let h: DeliveryHarness;
  let rpc: JsonRpcInterceptor;
  let token: Contract;

  beforeAll(async () => {
    h = await startDeliveryHarness({ interceptRpc: true });
    if (h.interceptor === undefined) throw new Error('harness started without its interceptor');
    rpc = h.interceptor;
    const owner = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, h.anvil.provider());
    const { abi, bytecode } = await loadArtifact('MarketToken');
    const deployed = await new ContractFactory(abi, bytecode, owner).deploy('Reward', 'RWD');
    await deployed.waitForDeployment();
    token = deployed as Contract;
    await (await token.getFunction('setMinter')(h.signer.address, true)).wait();
  });
  afterAll(async () => {
    await h.close();
  });

  interface Sent {
    readonly holder: string;
    readonly callId: number;
    readonly hash: string;
    readonly nonce: number;
  }

  /** A plain mint (not keyed by a claim id) to a holder of its own: sent twice, it mints twice. */
  async function mintSentAndMined(holder: string): Promise<Sent> {
    const { call } = await enqueueOracleCall(h.enqueueDeps, {
      requestId: `mint-once-${holder}`,
      contractAddress: await token.getAddress(),
      targetAddress: holder,
      functionSignature: 'mint(address to, uint256 amount)',
      args: [holder, AMOUNT],
    });
    await h.drain();
    const [attempt] = await h.db.sql<{ tx_hash: string; nonce: bigint }[]>`
      select tx_hash, nonce from delivery.oracle_tx_attempts where call_id = ${call.id}`;
    if (attempt === undefined) throw new Error('the call was not sent');
    const receipt = await h.anvil.provider().getTransactionReceipt(attempt.tx_hash);
    expect(receipt?.status).toBe(1);
    return { holder, callId: call.id, hash: attempt.tx_hash, nonce: Number(attempt.nonce) };
  }

  /** Confirmer passes a minute apart with `blocks` mined between them, then the engine runs until done. */
  async function confirmerPasses(passes: number, blocks: number): Promise<void> {
    for (let pass = 0; pass < passes; pass++) {
      await h.confirm();
      await h.mine(blocks);
      h.advance(61_000);
    }
    await h.drain();
    await h.settle();
  }

  async function expectMintedOnce(sent: Sent): Promise<void> {
    expect(await token.getFunction('balanceOf').staticCall(sent.holder)).toBe(AMOUNT);
    expect(await h.anvil.provider().getTransactionCount(h.signer.address, 'latest')).toBe(sent.nonce + 1);
    const [call] = await h.db.sql<{ status: string; transaction_hash: string }[]>`
      select status, transaction_hash from delivery.oracle_call_history where id = ${sent.callId}`;
    expect(call).toEqual({ status: 'success', transaction_hash: sent.hash });
    const attempts = await h.db.sql<{ outcome: string }[]>`
      select outcome from delivery.oracle_tx_attempts where call_id = ${sent.callId}`;
    expect(attempts.map((a) => a.outcome)).toEqual(['mined']);
  }

  it('a mined transaction whose receipt is answered null once is not sent again under a new nonce', async () => {
    const sent = await mintSentAndMined('0x00000000000000000000000000000000000000b1');
    rpc.dropReceipt(sent.hash, 1);

    await confirmerPasses(4, 3);

    await expectMintedOnce(sent);
  });

  it('a receipt index that lags for several passes while no block is mined does not lose the nonce', async () => {
    const sent = await mintSentAndMined('0x00000000000000000000000000000000000000b2');
    rpc.dropReceipt(sent.hash, 5);

    await confirmerPasses(5, 0);

    await expectMintedOnce(sent);
  });

  it('a receipt missing for fewer passes than the minimum, however many blocks pass, does not lose the nonce', async () => {
    const sent = await mintSentAndMined('0x00000000000000000000000000000000000000b3');
    rpc.dropReceipt(sent.hash, 2);

    await confirmerPasses(2, 30);

    await expectMintedOnce(sent);
  });
});
