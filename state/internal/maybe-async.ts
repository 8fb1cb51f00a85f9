/**
 * Sequencing that stays synchronous when every step is: in-memory stacks open, flush and close
 * without a promise (the test driver and `TaskExecutor.init()` need that), while LevelDB-backed
 * ones return promises.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Runs `next` after `value` — at once if `value` is not a promise. */
export function andThen<T, R>(value: MaybePromise<T>, next: (v: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Runs `step`, then `cleanup` whether or not it failed (sync `try/finally` when both are sync). */
export function andFinally<T>(step: () => MaybePromise<T>, cleanup: () => MaybePromise<void>): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = step();
  } catch (err) {
    return andThen(cleanup(), () => {
      throw err;
    });
  }
  if (!(result instanceof Promise)) return andThen(cleanup(), () => result);
  return result.then(
    (v) => andThen(cleanup(), () => v),
    (err) =>
      andThen(cleanup(), () => {
        throw err;
      }),
  );
}
