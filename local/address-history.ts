/**
 * Which transactions named an address, in the order they landed: what getSignaturesForAddress
 * answers from, newest first, paged with `before` and `until` (both exclusive) and `limit`
 * (1,000 at most), as a Solana node pages its ledger.
 */
import { MEMO_PROGRAM_ID } from '../layers/shared/src/core/solana/program-ids.ts';

export const MAX_SIGNATURES_PER_PAGE = 1000;
const MEMO_V1_PROGRAM_ID = 'Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo';

export interface AddressHistoryQuery {
  readonly before?: string;
  readonly until?: string;
  readonly limit?: number;
}

export class AddressHistory {
  private readonly byAddress = new Map<string, string[]>();

  add(signature: string, addresses: Iterable<string>): void {
    for (const key of new Set(addresses)) {
      const list = this.byAddress.get(key) ?? [];
      list.push(signature);
      this.byAddress.set(key, list);
    }
  }

  /** Signatures newest first; a `before` the address never saw gives an empty page. */
  query(address: string, query: AddressHistoryQuery = {}): string[] {
    const limit = query.limit ?? MAX_SIGNATURES_PER_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SIGNATURES_PER_PAGE) {
      throw new RangeError(`Invalid limit; max ${MAX_SIGNATURES_PER_PAGE}`);
    }
    const list = this.byAddress.get(address) ?? [];
    let end = list.length;
    if (query.before !== undefined) {
      end = list.lastIndexOf(query.before);
      if (end === -1) return [];
    }
    const page: string[] = [];
    for (let i = end - 1; i >= 0 && page.length < limit; i--) {
      const signature = list[i] as string;
      if (signature === query.until) break;
      page.push(signature);
    }
    return page;
  }
}

/** The `memo` a node reports for a transaction: each memo as `[<bytes>] <text>`, joined by "; ". */
export function memoField(
  instructions: readonly { readonly programAddress: string; readonly data: Uint8Array }[],
): string | null {
  const memos = instructions
    .filter((ix) => ix.programAddress === MEMO_PROGRAM_ID || ix.programAddress === MEMO_V1_PROGRAM_ID)
    .map((ix) => `[${ix.data.length}] ${Buffer.from(ix.data).toString('utf8')}`);
  return memos.length === 0 ? null : memos.join('; ');
}
