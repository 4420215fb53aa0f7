/** A value built on first use and kept for the container's life (SDK clients, ports). */
export function once<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}
