/** A TWAP window as the route takes it: seconds, or a number with s, m, h or d ("30m", "24h"). */
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
export const MAX_WINDOW_SECONDS = 30 * 86_400;

export function parseWindow(text: string): number | undefined {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  return seconds >= 1 && seconds <= MAX_WINDOW_SECONDS ? seconds : undefined;
}
