/**
 * moto_server for differential conformance tests: started on a free loopback port in its own
 * process group, so stopping it stops only it. Shapes are compared with ./shapes.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunningMoto {
  url: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startMoto(env: NodeJS.ProcessEnv): Promise<RunningMoto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env, detached: true, stdio: 'ignore' });
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop };
    } catch {
      if (Date.now() > deadline) {
        stop();
        throw new Error(`moto_server did not answer on ${url} within 20 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
