/**
 * Waits until `condition` holds, checking every `intervalMs`; fails after `timeoutMs` with `message`. For
 * liveness in tests that cross processes, connections or real clocks (never as a speed assertion).
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  message = `the condition did not hold within ${timeoutMs} ms`,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
