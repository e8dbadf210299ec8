/** The epoch and channel of the claims and epochs routes' paths, checked with the reason in the 400. */

import { ValidationError } from '../../errors.ts';
import { EPOCH_SECONDS, parseTreeName, type TreeName } from './trees.ts';

export function parseEpoch(raw: string): number {
  if (!/^[0-9]{1,12}$/.test(raw)) {
    throw new ValidationError(
      `epoch must be the unix time in seconds of an hour's start, got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  const epoch = Number(raw);
  if (epoch % EPOCH_SECONDS !== 0) {
    throw new ValidationError(
      `epoch must be a multiple of 3600 (the start of a UTC hour), got ${epoch}; did you mean ${epoch - (epoch % EPOCH_SECONDS)}?`,
    );
  }
  return epoch;
}

export function parseChannel(raw: string): TreeName {
  const tree = parseTreeName(raw);
  if (tree === undefined) {
    throw new ValidationError(
      `channel must be a Twitch login (4–25 of a-z, 0-9, _) or a pseudo-channel category:<category>:<group> or carry:<group>, either possibly a shard <name>~2 to <name>~999, got ${JSON.stringify(raw.slice(0, 60))}`,
    );
  }
  return tree;
}
