/**
 * What an epoch's channel trees read of their participants, kept for its category trees: a
 * category whose every channel was read whole in this run is built from those lists
 * (core/attention/category-viewers.ts) instead of reading the same participants again.
 */
import type { CategoryChannel } from '../../adapters/db/attention/tree-build-store.ts';
import type { ParticipantLists } from '../../adapters/db/attention/tree-participant-store.ts';
import {
  type AggregatedViewer,
  aggregateCategoryViewers,
  type ChannelViewers,
  channelViewersFromLists,
} from '../../core/attention/category-viewers.ts';

export class ChannelReads {
  readonly #lists = new Map<string, ParticipantLists>();
  #open: number;
  readonly #settled: Promise<void>;
  #settle: () => void = () => {};

  /**
   * Waits for `batches` batches of channel trees to plan their trees (their participants read,
   * the trees sent to be hashed) or to give up: a category then takes this thread while they hash.
   */
  constructor(batches: number) {
    this.#open = batches;
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
    if (batches === 0) this.#settle();
  }

  /** The lists a batch read (again, on a retry: the sealed rows they come from never change). */
  record(lists: readonly ParticipantLists[]): void {
    for (const l of lists) this.#lists.set(l.channel, l);
  }

  /** A batch has planned its trees, or gave up. */
  batchDone(): void {
    this.#open -= 1;
    if (this.#open === 0) this.#settle();
  }

  /** Once every batch has planned its trees or gave up. */
  settled(): Promise<void> {
    return this.#settled;
  }

  /**
   * The category's viewers over `channels`, when every one of them was read whole (its
   * participants within the places read); undefined otherwise.
   */
  viewersOf(channels: readonly CategoryChannel[], places: number): AggregatedViewer[] | undefined {
    const read: ChannelViewers[] = [];
    for (const c of channels) {
      const lists = this.#lists.get(c.channel);
      if (lists === undefined || c.participantCount > places) return undefined;
      const viewers = channelViewersFromLists(c.channel, lists);
      if (viewers !== undefined) read.push(viewers);
    }
    return aggregateCategoryViewers(read);
  }
}

/**
 * The channels of each (category, token group) pair, keyed `<category>\n<token group>`, and of
 * them the pairs whose channels all have their trees built in this run and are read whole.
 */
export function channelsByCategory(
  channels: readonly CategoryChannel[],
  undecided: readonly string[],
  places: number,
): { readonly byPair: Map<string, CategoryChannel[]>; readonly readWhole: Set<string> } {
  const byPair = new Map<string, CategoryChannel[]>();
  for (const c of channels) {
    const key = categoryKey(c.category, c.tokenGroup);
    const list = byPair.get(key);
    if (list === undefined) byPair.set(key, [c]);
    else list.push(c);
  }
  const building = new Set(undecided);
  const readWhole = new Set<string>();
  for (const [key, list] of byPair) {
    if (list.every((c) => building.has(c.channel) && c.participantCount <= places)) readWhole.add(key);
  }
  return { byPair, readWhole };
}

export function categoryKey(category: string, tokenGroup: string): string {
  return `${category}\n${tokenGroup}`;
}
