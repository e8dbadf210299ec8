/**
 * Mints by sending `mintForClaim` from a local minter key and waiting for the receipt: for the
 * local runtime and tests. Production mints through the delivery engine (delivery-engine-minter.ts).
 * The contract ignores a claim id it has seen, so a resend mints once.
 */
import { Contract, type JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { claimIdBytes32 } from '../../core/market/claim-id.ts';
import { ChainError } from '../../errors.ts';
import type { Minter, MintRequest, MintResult } from '../../ports/minter.ts';
import { TOKEN_ABI } from './market-abi.ts';

export class DirectMinter implements Minter {
  private readonly token: Contract;
  readonly sent: MintRequest[] = [];

  constructor(provider: JsonRpcProvider, minterKey: string, tokenAddress: string) {
    this.token = new Contract(tokenAddress, TOKEN_ABI, new NonceManager(new Wallet(minterKey, provider)));
  }

  async mint(request: MintRequest): Promise<MintResult> {
    this.sent.push(request);
    try {
      const tx = await this.token.getFunction('mintForClaim')(
        claimIdBytes32(request.claimId),
        request.to,
        request.amount,
        {
          gasLimit: 200_000n,
        },
      );
      const receipt = await tx.wait();
      return { txHash: receipt?.hash, status: 'minted' };
    } catch (error) {
      throw new ChainError(`mintForClaim failed: ${(error as Error).message}`, 'unknown', { cause: error });
    }
  }
}
