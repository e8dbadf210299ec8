/**
 * A whole number with its thousands grouped by commas, as `toLocaleString('en-US')` writes it,
 * without that call's cost: its first use loads ICU's number formatting, about 25 ms. The route
 * contracts write their limits this way while every API function loads, which is a cold start.
 */
export function groupThousands(value: number | bigint): string {
  const digits = (value < 0 ? -BigInt(value) : BigInt(value)).toString();
  const head = digits.length % 3 || 3;
  const groups = [digits.slice(0, head)];
  for (let i = head; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return `${value < 0 ? '-' : ''}${groups.join(',')}`;
}

/**
 * A decimal integer as the database writes one: up to 15 digits go through a number, which is
 * exact there and parses in a third of the time a BigInt parses text (a sealing run parses
 * hundreds of thousands of them); longer ones as text.
 */
export function decimalBigInt(text: string): bigint {
  return text.length <= 15 ? BigInt(Number(text)) : BigInt(text);
}
