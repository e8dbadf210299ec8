import { describe, expect, it } from 'vitest';
import {
  checkMemoPublication,
  checkProgramPublication,
  type RecordedPublication,
} from '../../../layers/shared/src/core/attention/publication-check.ts';

const ROOT = 'cd'.repeat(32);
const published: RecordedPublication = {
  epoch: 7200,
  channel: 'chan',
  status: 'published',
  root: `0x${ROOT}`,
  signature: 'sig1',
};
const memo = { channel: 'chan', epoch: 7200n, root: ROOT };

describe('checkProgramPublication', () => {
  it('is ok when the ring slot holds the published root', () => {
    expect(checkProgramPublication(published, ROOT)).toEqual({
      ...published,
      ok: true,
      onChain: { root: ROOT, slot: null },
    });
  });

  it('names the problem when the slot holds another root or none', () => {
    expect(checkProgramPublication(published, 'ef'.repeat(32)).problem).toBe(
      'ring slot does not hold the root',
    );
    expect(checkProgramPublication(published, null).ok).toBe(false);
  });

  it('is ok for a root not published yet whatever the slot holds', () => {
    expect(checkProgramPublication({ ...published, status: 'queued' }, null).ok).toBe(true);
  });
});

describe('checkMemoPublication', () => {
  it('is ok when the recorded transaction carries the matching memo', () => {
    expect(checkMemoPublication(published, { failed: false, slot: 42n, memo })).toEqual({
      ...published,
      ok: true,
      onChain: { root: ROOT, slot: 42 },
    });
  });

  it('tells a failed transaction from a memo that does not match', () => {
    expect(checkMemoPublication(published, { failed: true, slot: 1n, memo }).problem).toBe(
      'transaction failed on chain',
    );
    expect(
      checkMemoPublication(published, { failed: false, slot: 1n, memo: { ...memo, epoch: 3600n } }).problem,
    ).toBe('memo does not match the database');
    expect(checkMemoPublication(published, { failed: false, slot: 1n, memo: undefined }).ok).toBe(false);
  });

  it('names a published root without a signature, or one the chain does not know', () => {
    expect(checkMemoPublication({ ...published, signature: null }, null)).toMatchObject({
      ok: false,
      onChain: null,
      problem: 'published without a signature',
    });
    expect(checkMemoPublication(published, null).problem).toBe(
      'the chain does not know the recorded signature',
    );
  });

  it('is ok for an unpublished root the chain does not know', () => {
    const check = checkMemoPublication({ ...published, status: 'pending', signature: null }, null);
    expect(check.ok).toBe(true);
    expect(check).not.toHaveProperty('problem');
  });
});
