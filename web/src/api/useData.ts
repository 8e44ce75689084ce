import { useCallback, useEffect, useRef, useState } from 'react';

export type DataState<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'ok'; data: T; error?: undefined; at: Date }
  | { status: 'error'; data?: T; error: Error };

export interface UseData<T> {
  state: DataState<T>;
  reload: () => void;
}

/**
 * Loads data with `load` (given an AbortSignal), again when `reload` is called, and every `intervalMs`
 * when set (paused while the page is hidden). Keeps the last data when a refresh fails.
 */
export function useData<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs?: number): UseData<T> {
  const [state, setState] = useState<DataState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => setTick((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger
  useEffect(() => {
    const ctl = new AbortController();
    loadRef.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ status: 'ok', data, at: new Date() });
      },
      (error: unknown) => {
        if (ctl.signal.aborted) return;
        const err = error instanceof Error ? error : new Error(String(error));
        setState((prev) => ({ status: 'error', data: prev.data, error: err }));
      },
    );
    return () => ctl.abort();
  }, [tick]);

  useEffect(() => {
    if (!intervalMs) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs, reload]);

  return { state, reload };
}
