/**
 * Argument checks shared by the window definitions: durations are whole, finite milliseconds.
 * Bad values are programmer errors and throw a `RangeError` naming the argument and the value.
 * @example
 * checkPositiveMs('TimeWindows.ofSizeWithNoGrace', 'size', 60_000); // 60000
 */
export function checkPositiveMs(where: string, what: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError(`${where}: ${what} must be a whole number of milliseconds > 0, got ${ms}`);
  return ms;
}

/**
 * Like {@link checkPositiveMs} but allows 0 (grace periods, join `before`/`after`).
 * @example
 * checkNonNegativeMs('TimeWindows.ofSizeAndGrace', 'grace', 0); // 0
 */
export function checkNonNegativeMs(where: string, what: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`${where}: ${what} must be a whole number of milliseconds >= 0, got ${ms}`);
  return ms;
}
