/** Loads a resource, and polls it again while `keepPolling` says so (a running operation). */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from './client';

export interface Resource<T> {
  data?: T;
  error?: ApiProblem;
  loading: boolean;
  reload: () => void;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[], keepPolling?: (data: T) => boolean, intervalMs = 1000): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiProblem; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const alive = useRef(true);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    alive.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const data = await load();
        if (!alive.current) return;
        setState({ data, loading: false });
        if (keepPolling?.(data)) timer = setTimeout(() => void run(), intervalMs);
      } catch (error) {
        if (!alive.current) return;
        setState((s) => ({ ...s, error: error instanceof ApiProblem ? error : new ApiProblem({ title: 'Error', detail: String(error) }), loading: false }));
      }
    };
    void run();
    return () => {
      alive.current = false;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { ...state, reload };
}
