/**
 * A fetch-like request to an emulated cluster's HTTPS endpoint, trusting the local CA (Node's
 * fetch takes no CA). For tests that speak to the Kubernetes API without kubectl.
 */
import { request } from 'node:https';

export interface KubeResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json<T = unknown>(): T;
}

/** `ca` undefined: Node's default trust, which the local CA is not part of. */
export function kubeFetch(url: string, ca: string | undefined, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
