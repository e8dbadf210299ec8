import { readdirSync } from 'node:fs';
import { Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, isFresh, loadArtifact, readArtifact } from '../../contracts/compile.ts';

const committed = readdirSync(ARTIFACTS_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length));

describe('contract artifacts', () => {
  it.each(committed)('the committed artifact %s was compiled from the sources as they are now', (name) => {
    const artifact = readArtifact(name);
    expect(artifact).toBeDefined();
    // Stale: run `npx tsx contracts/compile.ts` and commit contracts/artifacts/.
    expect(artifact !== undefined && isFresh(artifact)).toBe(true);
  });

  it('gives the FixedProductMarketMaker with the two oracle functions', async () => {
    const { abi, bytecode } = await loadArtifact('FixedProductMarketMaker');
    const iface = new Interface(abi);
    expect(iface.getFunction('updateRaffleProbability')?.format()).toBe(
      'updateRaffleProbability(uint256,address,uint256)',
    );
    expect(iface.getFunction('updateMarketSentiment')?.format()).toBe(
      'updateMarketSentiment(uint256,address,int256)',
    );
    expect(bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
  });
});
