/**
 * Where a call comes from, network-wise. Everything the emulator's servers see arrives on
 * 127.0.0.1, so the address cannot tell a Lambda function attached to a VPC from the developer's
 * laptop; this module carries that fact instead:
 *
 * - while the emulator runs a function that has a VpcConfig (functions.ts), the handler runs in a
 *   NetworkScope (an AsyncLocalStorage): the ENI it calls from, its VPC, subnet, security groups
 *   and private IP;
 * - the local runtime's replacement for `https.globalAgent` (local/runtime/network-agent.ts) reads
 *   the scope when it opens a TCP connection and registers the socket's local port here (bound
 *   before the TLS handshake, released when the socket closes);
 * - the emulator's HTTP server looks up `req.socket.remotePort` (same process, loopback) and
 *   finds the caller's ENI; no scope means a caller outside every VPC (the internet).
 *
 * The port bindings are runtime wiring, like registered handlers; the drops (connections a
 * security group or a missing route refused) are kept on the World as a diagnostic tests and
 * developers read (GET /_local/network-drops), since a dropped connection tells its caller nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The network interface a call leaves from: a Lambda function's Hyperplane ENI. */
export interface NetworkScope {
  networkInterfaceId: string;
  vpcId: string;
  subnetId: string;
  securityGroupIds: string[];
  privateIpAddress: string;
  /** Who is calling, for diagnostics: the function's name. */
  functionName: string;
  /** The World whose ports the connection is registered with (one process may run several). */
  network: WorldNetwork;
}

/** A connection the emulated network refused, and why (what a VPC flow log would show as REJECT, with the reason). */
export interface NetworkDrop {
  /** Emulated time, ISO. */
  time: string;
  /** `eni-… (function f, 10.0.1.23)` or an address. */
  source: string;
  destination: string;
  reason: string;
}

const scopes = new AsyncLocalStorage<NetworkScope>();

/** Runs `work` as code attached to `scope`'s ENI: its outbound connections carry the scope. */
export function runInNetworkScope<T>(scope: NetworkScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** The scope of the code running now; undefined outside every VPC. */
export function currentNetworkScope(): NetworkScope | undefined {
  return scopes.getStore();
}

/** A short stable key of a scope: sockets are never shared between scopes (agent pools key on it). */
export function scopeKey(scope: NetworkScope): string {
  return `${scope.networkInterfaceId}/${scope.privateIpAddress}`;
}

export class WorldNetwork {
  /** Connections dropped, in order. */
  readonly drops: NetworkDrop[] = [];
  /** Where drops are reported as they happen (local mode points it at its log); silent by default. */
  warn: (message: string) => void = () => undefined;
  /** Local port of an open client socket → the scope it was opened in. Runtime only. */
  private readonly ports = new Map<number, NetworkScope>();

  constructor(private readonly now: () => Date) {}

  bindPort(port: number, scope: NetworkScope): void {
    this.ports.set(port, scope);
  }

  /** Releases the port, unless another socket bound it since. */
  releasePort(port: number, scope: NetworkScope): void {
    if (this.ports.get(port) === scope) this.ports.delete(port);
  }

  /** The scope a connection from this loopback port was opened in; undefined: from outside. */
  scopeOfPort(port: number | undefined): NetworkScope | undefined {
    return port === undefined ? undefined : this.ports.get(port);
  }

  recordDrop(source: string, destination: string, reason: string): NetworkDrop {
    const drop = { time: this.now().toISOString(), source, destination, reason };
    this.drops.push(drop);
    return drop;
  }
}

/** How a drop names its source. */
export function describeSource(scope: NetworkScope | undefined, outsideIp: string): string {
  return scope ? `${scope.networkInterfaceId} (function ${scope.functionName}, ${scope.privateIpAddress} in ${scope.subnetId})` : outsideIp;
}
