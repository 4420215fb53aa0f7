/** Hash routes (#/clusters/demo): the console is static files, so no server needs to know its paths. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'clusters' }
  | { page: 'create' }
  | { page: 'cluster'; name: string }
  | { page: 'operation'; id: string }
  | { page: 'settings' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'clusters')) return { page: 'clusters' };
  if (parts.length === 1 && parts[0] === 'new') return { page: 'create' };
  if (parts.length === 1 && parts[0] === 'settings') return { page: 'settings' };
  if (parts.length === 2 && parts[0] === 'clusters') return { page: 'cluster', name: parts[1]! };
  if (parts.length === 2 && parts[0] === 'operations') return { page: 'operation', id: parts[1]! };
  return { page: 'not-found', path };
}

export const href = {
  clusters: () => '#/clusters',
  create: () => '#/new',
  cluster: (name: string) => `#/clusters/${encodeURIComponent(name)}`,
  operation: (id: string) => `#/operations/${encodeURIComponent(id)}`,
  settings: () => '#/settings',
};

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
