/**
 * Notification rules with no I/O: price alert crossings, quiet hours and template rendering.
 */

/** A non-negative decimal string as an integer scaled by 10^digits (extra digits truncated). */
export function scaleDecimal(text: string, digits = 18): bigint {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (match === null) throw new RangeError(`not a decimal: ${text}`);
  const fraction = (match[2] ?? '').slice(0, digits).padEnd(digits, '0');
  return BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt(fraction === '' ? '0' : fraction);
}

export interface PriceAlert {
  readonly above?: string | undefined;
  readonly below?: string | undefined;
}

/**
 * Whether the price crossed a threshold between two observations: from below `above` to at or
 * over it, or from above `below` to at or under it. Without a previous price nothing crossed
 * (an alert set above the current price fires when the price gets there, not at once).
 */
export function alertCrossed(
  previous: string | undefined,
  current: string,
  alert: PriceAlert,
): 'above' | 'below' | undefined {
  if (previous === undefined) return undefined;
  const before = scaleDecimal(previous);
  const now = scaleDecimal(current);
  if (alert.above !== undefined) {
    const threshold = scaleDecimal(alert.above);
    if (before < threshold && now >= threshold) return 'above';
  }
  if (alert.below !== undefined) {
    const threshold = scaleDecimal(alert.below);
    if (before > threshold && now <= threshold) return 'below';
  }
  return undefined;
}

/**
 * When a notification may go out: `now`, or the end of the user's quiet hours if `now` falls in
 * them. Quiet hours are minutes after UTC midnight; a start after the end wraps past midnight.
 */
export function deliverAfterQuietHours(
  now: number,
  startMinute: number | null,
  endMinute: number | null,
): number {
  if (startMinute === null || endMinute === null || startMinute === endMinute) return now;
  const day = Math.floor(now / 86_400) * 86_400;
  const minute = Math.floor((now - day) / 60);
  const wraps = startMinute > endMinute;
  const inQuiet = wraps
    ? minute >= startMinute || minute < endMinute
    : minute >= startMinute && minute < endMinute;
  if (!inQuiet) return now;
  const endToday = day + endMinute * 60;
  return endToday > now ? endToday : endToday + 86_400;
}

/** Fills `{{name}}` placeholders; unknown names stay visible rather than vanish. */
export function renderTemplate(template: string, data: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) =>
    Object.hasOwn(data, name) ? String(data[name]) : whole,
  );
}
