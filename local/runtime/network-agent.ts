/**
 * The local runtime's `https.globalAgent`: handler code calls `https.request` without an agent
 * (functions/ports/kubernetes.ts), so a replacement here makes its connections carry the network
 * scope the emulator runs a VPC function in (local/emulator/network-scope.ts), without changing
 * handler code:
 *
 * - getName() includes the scope: a kept-alive socket opened from one ENI is never reused by code
 *   in another scope (or outside every VPC);
 * - createConnection() opens the TCP socket itself and, once it is connected, binds its local
 *   port to the scope in that World — before the TLS handshake starts, so the server (same
 *   process, loopback) finds the caller by `req.socket.remotePort` — and releases it on close.
 *
 * Only 127.0.0.1 is used (macOS has no other loopback addresses by default). Installs are
 * counted: the original agent comes back when the last local cloud that installed it stops.
 */
import https from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { currentNetworkScope, scopeKey } from '../emulator/network-scope';

class ScopedHttpsAgent extends https.Agent {
  override getName(options?: https.RequestOptions): string {
    const scope = currentNetworkScope();
    const name = super.getName(options as never);
    return scope ? `${name}:scope=${scopeKey(scope)}` : name;
  }

  override createConnection(options: Record<string, unknown>, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const scope = currentNetworkScope();
    if (!scope) return (https.Agent.prototype as unknown as { createConnection: (o: unknown, cb?: unknown) => Duplex }).createConnection.call(this, options, callback);
    const raw: Socket = tcpConnect({ host: String(options.host ?? 'localhost'), port: Number(options.port ?? 443), ...(options.localAddress ? { localAddress: String(options.localAddress) } : {}) });
    // Registered before tls.connect adds its own 'connect' listener, so the port is bound before the ClientHello leaves.
    raw.once('connect', () => {
      const port = raw.localPort;
      if (port === undefined) return;
      scope.network.bindPort(port, scope);
      raw.once('close', () => scope.network.releasePort(port, scope));
    });
    return (https.Agent.prototype as unknown as { createConnection: (o: unknown, cb?: unknown) => Duplex }).createConnection.call(this, { ...options, socket: raw }, callback);
  }
}

interface Installed {
  original: https.Agent;
  agent: ScopedHttpsAgent;
  count: number;
}

let installed: Installed | undefined;

/** Puts the scoped agent in place of https.globalAgent; returns the undo (idempotent). */
export function installNetworkAgent(): () => void {
  if (installed) installed.count += 1;
  else {
    const original = https.globalAgent;
    const agent = new ScopedHttpsAgent({ ...original.options });
    https.globalAgent = agent;
    installed = { original, agent, count: 1 };
  }
  let undone = false;
  return () => {
    if (undone || !installed) return;
    undone = true;
    installed.count -= 1;
    if (installed.count > 0) return;
    if (https.globalAgent === installed.agent) https.globalAgent = installed.original;
    installed.agent.destroy();
    installed = undefined;
  };
}
