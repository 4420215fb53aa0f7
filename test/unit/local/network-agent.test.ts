/**
 * The local runtime's https.globalAgent replacement: installs are counted (local clouds start and
 * stop many times in one process), the original agent comes back with the last uninstall, and
 * connections opened in a network scope are pooled apart and bound to the scope by local port
 * for exactly as long as the socket is open.
 */
import https from 'node:https';
import { createServer, type Server } from 'node:net';
import { runInNetworkScope, WorldNetwork, type NetworkScope } from '../../../local/emulator/network-scope';
import { installNetworkAgent } from '../../../local/runtime/network-agent';

function scopeIn(network: WorldNetwork): NetworkScope {
  return { networkInterfaceId: 'eni-0123456789abcdef0', vpcId: 'vpc-1', subnetId: 'subnet-1', securityGroupIds: ['sg-1'], privateIpAddress: '10.0.1.23', functionName: 'agent', network };
}

describe('installNetworkAgent', () => {
  it('replaces https.globalAgent until the last install is undone, then restores the original', () => {
    const original = https.globalAgent;

    const first = installNetworkAgent();
    const replaced = https.globalAgent;
    const second = installNetworkAgent();
    first();
    first();
    const stillReplaced = https.globalAgent;
    second();

    expect(replaced).not.toBe(original);
    expect(stillReplaced).toBe(replaced);
    expect(https.globalAgent).toBe(original);
  });

  it('pools scoped connections apart from unscoped ones', () => {
    const undo = installNetworkAgent();
    try {
      const options = { host: '127.0.0.1', port: 4566 };
      const outside = https.globalAgent.getName(options);
      const inside = runInNetworkScope(scopeIn(new WorldNetwork(() => new Date())), () => https.globalAgent.getName(options));

      expect(inside).not.toBe(outside);
      expect(inside).toContain('eni-0123456789abcdef0');
    } finally {
      undo();
    }
  });

  describe('a connection opened in a scope', () => {
    let server: Server;
    let port: number;
    const accepted: Array<{ remotePort: number; close(): void }> = [];

    beforeAll(async () => {
      server = createServer((socket) => accepted.push({ remotePort: socket.remotePort!, close: () => socket.destroy() }));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is bound to the scope by its local port while open, and released when it closes', async () => {
      const undo = installNetworkAgent();
      const network = new WorldNetwork(() => new Date());
      const scope = scopeIn(network);
      try {
        // The plain TCP server never answers the ClientHello: the request waits until the socket is destroyed.
        const request = runInNetworkScope(scope, () => https.request({ host: '127.0.0.1', port, path: '/' }));
        const failed = new Promise<void>((resolve) => request.on('error', () => resolve()));
        request.end();
        while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const serverSide = accepted[0]!;

        expect(network.scopeOfPort(serverSide.remotePort)).toBe(scope);

        serverSide.close();
        await failed;
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(network.scopeOfPort(serverSide.remotePort)).toBeUndefined();
      } finally {
        undo();
      }
    });
  });
});
