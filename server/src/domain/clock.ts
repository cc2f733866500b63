/** Time as the domain sees it: passed in, so rules and expiries are tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move; for tests. */
export function fixedClock(
  start: Date,
): Clock & { advance(milliseconds: number): void; set(to: Date): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (milliseconds) => {
      current += milliseconds;
    },
    set: (to) => {
      current = to.getTime();
    },
  };
}
