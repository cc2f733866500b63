/**
 * Reference counting for something kept running while anybody needs it (a service's live listeners):
 * `start` runs on the first hold, and the stop it returns runs when the last holder lets go. Each release
 * counts once, however often it is called.
 */
export function createHold(start: () => () => void): () => () => void {
  let holders = 0;
  let stop: (() => void) | undefined;
  return () => {
    holders += 1;
    if (holders === 1) stop = start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holders -= 1;
      if (holders > 0) return;
      const stopping = stop;
      stop = undefined;
      stopping?.();
    };
  };
}
