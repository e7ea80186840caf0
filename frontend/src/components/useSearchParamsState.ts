import { useCallback, useRef } from 'react';
import { useSearchParams, type NavigateOptions } from 'react-router';

/**
 * The URL's query, and an updater that builds on the newest one. React
 * Router's own setter starts from the query of the last render, so when two
 * updates land before the page renders again (two debounced filters settling
 * together) the second would silently drop the first.
 */
export function useSearchParamsState() {
  const [params, setParams] = useSearchParams();
  const latest = useRef(params);
  latest.current = params;
  const update = useCallback(
    (next: (current: URLSearchParams) => URLSearchParams, options?: NavigateOptions) => {
      const p = next(new URLSearchParams(latest.current));
      latest.current = p;
      setParams(p, options);
    },
    [setParams],
  );
  return [params, update] as const;
}
