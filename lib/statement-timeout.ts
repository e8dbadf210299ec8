/**
 * The database cancels a function's statement before Lambda ends the function: a tenth of the
 * timeout, at least 2 s, is left for the function to roll back, report and return.
 */
export function statementTimeoutMs(functionTimeoutSeconds: number): number {
  const margin = Math.max(2, Math.ceil(functionTimeoutSeconds / 10));
  return Math.max(1, functionTimeoutSeconds - margin) * 1000;
}
