import { describe, expect, it } from 'vitest';
import {
  alertCrossed,
  deliverAfterQuietHours,
  renderTemplate,
  scaleDecimal,
} from '../../../layers/shared/src/core/market/notification-rules.ts';
import { parseWindow } from '../../../layers/shared/src/core/market/window.ts';

const MIDNIGHT = 1_749_945_600; // a UTC midnight

describe('price alert crossing', () => {
  it('fires when the price reaches the upper threshold from below', () => {
    expect(alertCrossed('1.99', '2', { above: '2' })).toBe('above');
  });

  it('does not fire while the price stays on the same side', () => {
    expect(alertCrossed('2.1', '2.5', { above: '2' })).toBeUndefined();
    expect(alertCrossed('1.5', '1.9', { above: '2' })).toBeUndefined();
  });

  it('fires when the price falls to the lower threshold', () => {
    expect(alertCrossed('0.51', '0.5', { below: '0.5' })).toBe('below');
  });

  it('compares decimals exactly, beyond floating point', () => {
    expect(scaleDecimal('0.300000000000000001')).toBeGreaterThan(scaleDecimal('0.3'));
    expect(alertCrossed('0.3', '0.300000000000000001', { above: '0.300000000000000001' })).toBe('above');
  });
});

describe('quiet hours', () => {
  it('delays a notification inside quiet hours to their end', () => {
    expect(deliverAfterQuietHours(MIDNIGHT + 3600, 0, 360)).toBe(MIDNIGHT + 6 * 3600);
  });

  it('wraps quiet hours past midnight', () => {
    expect(deliverAfterQuietHours(MIDNIGHT + 23 * 3600, 22 * 60, 7 * 60)).toBe(MIDNIGHT + 86_400 + 7 * 3600);
    expect(deliverAfterQuietHours(MIDNIGHT + 3600, 22 * 60, 7 * 60)).toBe(MIDNIGHT + 7 * 3600);
  });

  it('sends at once outside quiet hours or without them', () => {
    expect(deliverAfterQuietHours(MIDNIGHT + 12 * 3600, 22 * 60, 7 * 60)).toBe(MIDNIGHT + 12 * 3600);
    expect(deliverAfterQuietHours(MIDNIGHT + 12 * 3600, null, null)).toBe(MIDNIGHT + 12 * 3600);
  });
});

describe('templates and windows', () => {
  it('fills known placeholders and leaves unknown ones visible', () => {
    expect(renderTemplate('{{a}} and {{b}}', { a: 1 })).toBe('1 and {{b}}');
  });

  it('reads TWAP windows in seconds, minutes, hours and days up to 30 days', () => {
    expect([parseWindow('90'), parseWindow('30m'), parseWindow('24h'), parseWindow('7d')]).toEqual([
      90, 1800, 86_400, 604_800,
    ]);
    expect(parseWindow('31d')).toBeUndefined();
    expect(parseWindow('0')).toBeUndefined();
    expect(parseWindow('1w')).toBeUndefined();
  });
});
