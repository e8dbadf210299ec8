import { describe, expect, it } from 'vitest';
import { healthLevel, successRate } from '../../layers/shared/src/core/delivery/delivery-health-level.ts';

describe('successRate', () => {
  it('is the percent of finished calls that succeeded, 100 when none finished', () => {
    expect(successRate(9, 1)).toBe(90);
    expect(successRate(0, 4)).toBe(0);
    expect(successRate(0, 0)).toBe(100);
  });

  it('puts 7 of 10 succeeded at the warning level and 69 of 100 at critical', () => {
    expect(healthLevel(successRate(7, 3))).toBe('warning');
    expect(healthLevel(successRate(69, 31))).toBe('critical');
    expect(healthLevel(successRate(9, 1))).toBe('ok');
  });
});
