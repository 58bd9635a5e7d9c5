/** Polls until `check` holds; fails with what was awaited, never sleeps a fixed time for correctness. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, intervalMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
