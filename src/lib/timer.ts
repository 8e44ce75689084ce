/**
 * Runs `run` every `intervalMs`, never two at once: a tick that comes while the previous run is still going
 * is skipped. The timer does not keep the process alive. `intervalMs <= 0` disables it.
 */
export function nonOverlappingTimer(
  run: () => Promise<unknown>,
  intervalMs: number,
  onError: (err: Error) => void,
): { stop(): void } {
  if (intervalMs <= 0) return { stop() {} };
  let running = false;
  const t = setInterval(() => {
    if (running) return;
    running = true;
    run()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  t.unref();
  return { stop: () => clearInterval(t) };
}
