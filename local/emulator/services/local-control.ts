/**
 * The emulator's own controls under /_local (plain JSON, not an AWS protocol; errors are
 * `{"message", "code"}` with an HTTP status). These requests are not AWS calls: they are neither
 * counted in world.calls nor subject to faults.
 *
 *   POST   /_local/faults   {"rules": [...]}  adds fault rules → 200 {"rules": [every active rule]}
 *   GET    /_local/faults                      → {"rules": [...]}
 *   DELETE /_local/faults                      clears every rule → {"rules": []}
 *   GET    /_local/events[?source=&detailType=&bus=&after=N]
 *                                              → {"events": [...], "next": N} every event put on any
 *                                                bus, in order; `after` skips the first N events
 *                                                (pass the previous answer's `next` to poll)
 *   GET    /_local/calls                       → {"total", "calls": {"service:Operation": count}}
 *   GET    /_local/principals[?principal=&call=] → {"calls": [{"call", "principal", "time", "invokedBy"?}]} (who made each call)
 *   GET    /_local/schedules[?group=]          → {"schedules": [...], "firings": [...]} EventBridge
 *                                                Scheduler's schedules (with nextInvocation) and
 *                                                every time one fired
 *   GET    /_local/invocations[?function=&after=N]
 *                                              → {"functions": [{name, arn}], "invocations": [...],
 *                                                "next": N} Lambda invocations in order (Invoke,
 *                                                EventBridge and Scheduler targets)
 *   GET    /_local/network-drops[?after=N]   → {"drops": [{time, source, destination, reason}], "next": N}
 *                                                connections the emulated network dropped (a
 *                                                security group that does not admit the caller, no
 *                                                route), which their callers saw only as a reset
 *   GET    /_local/samples                     → {"samples": [{kind, resource, seconds}]}
 *   POST   /_local/controller-leftovers {"cluster", "service"?, "type"?, "cniInterface"?}
 *                                              → {"vpcId", "loadBalancerArn", "targetGroupArn",
 *                                                "listenerArn", "securityGroupId",
 *                                                "networkInterfaceIds", "cniNetworkInterfaceId"?}
 *                                                what a load balancer controller makes for a
 *                                                Service of type LoadBalancer on the cluster (and
 *                                                an interface the VPC CNI left): elbv2/controller.ts
 *   POST   /_local/classic-leftovers {"cluster", "service"?}
 *                                              → {"vpcId", "loadBalancerName", "dnsName",
 *                                                "securityGroupId", "nodeSecurityGroupId",
 *                                                "networkInterfaceIds"} what the in-tree service
 *                                                controller makes for a Service of type
 *                                                LoadBalancer: a Classic Load Balancer, its
 *                                                k8s-elb-<name> group and the nodes' rule naming
 *                                                it (elb/controller.ts)
 *   GET    /_local/health                      → {"status": "ok", "timeScale", "region", "account"}
 */
import type { ServerResponse } from 'node:http';
import { EmulatorError, sendJson } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { World } from '../world';
import { createClassicLeftovers, type ClassicLeftoversRequest } from './elb/controller';
import { createControllerLeftovers, type LeftoversRequest } from './elbv2/controller';

type Route = (world: World, ctx: RequestContext) => unknown;

function parseJsonBody(body: string, shape = '{"rules": [...]}'): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body.trim() ? JSON.parse(body) : undefined;
  } catch (error) {
    throw new EmulatorError(400, 'ValidationError', `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EmulatorError(400, 'ValidationError', `body must be ${shape}`);
  return parsed as Record<string, unknown>;
}

function nonNegative(text: string | null): number {
  const value = text === null ? 0 : Number(text);
  if (!Number.isInteger(value) || value < 0) throw new EmulatorError(400, 'ValidationError', `after must be a non-negative integer, got "${text}"`);
  return value;
}

function leftoversRequest(body: Record<string, unknown>): LeftoversRequest {
  const { cluster, service, type, cniInterface } = body;
  if (typeof cluster !== 'string' || !cluster) throw new EmulatorError(400, 'ValidationError', 'cluster must name a cluster');
  if (service !== undefined && (typeof service !== 'string' || !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(service))) throw new EmulatorError(400, 'ValidationError', 'service must be "<namespace>/<name>"');
  if (type !== undefined && type !== 'application' && type !== 'network') throw new EmulatorError(400, 'ValidationError', 'type must be "application" or "network"');
  if (cniInterface !== undefined && typeof cniInterface !== 'boolean') throw new EmulatorError(400, 'ValidationError', 'cniInterface must be a boolean');
  return { cluster, ...(service ? { service } : {}), ...(type ? { type } : {}), ...(cniInterface !== undefined ? { cniInterface } : {}) };
}

function classicLeftoversRequest(body: Record<string, unknown>): ClassicLeftoversRequest {
  const { cluster, service } = body;
  if (typeof cluster !== 'string' || !cluster) throw new EmulatorError(400, 'ValidationError', 'cluster must name a cluster');
  if (service !== undefined && (typeof service !== 'string' || !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(service))) throw new EmulatorError(400, 'ValidationError', 'service must be "<namespace>/<name>"');
  return { cluster, ...(service ? { service } : {}) };
}

const ROUTES: Record<string, Partial<Record<string, Route>>> = {
  '/_local/faults': {
    GET: (world) => ({ rules: world.faults.list() }),
    POST: (world, ctx) => ({ rules: world.faults.add(parseJsonBody(ctx.body).rules) }),
    DELETE: (world) => {
      world.faults.clear();
      return { rules: world.faults.list() };
    },
  },
  '/_local/events': {
    GET: (world, ctx) => {
      const query = ctx.url.searchParams;
      const afterText = query.get('after');
      const after = afterText === null ? 0 : Number(afterText);
      if (!Number.isInteger(after) || after < 0) throw new EmulatorError(400, 'ValidationError', `after must be a non-negative integer, got "${afterText}"`);
      const source = query.get('source');
      const detailType = query.get('detailType') ?? query.get('detail-type');
      const bus = query.get('bus');
      const events = world.busEvents.slice(after).filter((e) => (source === null || e.source === source) && (detailType === null || e.detailType === detailType) && (bus === null || e.bus === bus));
      return { events, next: world.busEvents.length };
    },
  },
  '/_local/calls': {
    GET: (world) => {
      const calls: Record<string, number> = {};
      for (const call of world.calls) calls[call] = (calls[call] ?? 0) + 1;
      return { total: world.calls.length, calls };
    },
  },
  '/_local/principals': {
    // Who made each call, in order; ?principal= narrows to one ARN, ?call= to one service:Operation.
    GET: (world, ctx) => {
      const principal = ctx.url.searchParams.get('principal');
      const call = ctx.url.searchParams.get('call');
      return { calls: world.callPrincipals.filter((c) => (principal === null || c.principal === principal) && (call === null || c.call === call)) };
    },
  },
  '/_local/schedules': {
    GET: (world, ctx) => {
      const group = ctx.url.searchParams.get('group');
      return {
        schedules: world.scheduler.list(group ?? undefined).map(({ clientToken: _token, ...schedule }) => schedule),
        firings: world.scheduler.firings.filter((f) => group === null || f.groupName === group),
      };
    },
  },
  '/_local/invocations': {
    GET: (world, ctx) => {
      const query = ctx.url.searchParams;
      const after = nonNegative(query.get('after'));
      const name = query.get('function');
      const arn = name === null ? undefined : (world.functions.arnOf(name) ?? name);
      return {
        functions: world.functions.list().map((f) => ({ name: f.name, arn: f.arn })),
        invocations: world.functions.invocations.slice(after).filter((i) => arn === undefined || i.functionArn === arn),
        next: world.functions.invocations.length,
      };
    },
  },
  '/_local/network-drops': {
    // Connections the emulated network dropped (a security group, no route): their callers only saw a reset.
    GET: (world, ctx) => {
      const after = nonNegative(ctx.url.searchParams.get('after'));
      return { drops: world.network.drops.slice(after), next: world.network.drops.length };
    },
  },
  '/_local/samples': {
    GET: (world) => ({ samples: world.durations.samples }),
  },
  '/_local/controller-leftovers': {
    POST: (world, ctx) => createControllerLeftovers(world, leftoversRequest(parseJsonBody(ctx.body, '{"cluster": "<name>"}'))),
  },
  '/_local/classic-leftovers': {
    POST: (world, ctx) => createClassicLeftovers(world, classicLeftoversRequest(parseJsonBody(ctx.body, '{"cluster": "<name>"}'))),
  },
  '/_local/health': {
    GET: (world) => ({ status: 'ok', timeScale: world.clock.scale, region: world.region, account: world.account }),
  },
};

export function createLocalControlService(world: World): ServiceModule {
  return {
    name: 'local',
    async handle(ctx: RequestContext): Promise<void> {
      const path = ctx.url.pathname.replace(/\/+$/, '');
      const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
      if (!route) throw new EmulatorError(404, 'NotFound', `no local control at ${ctx.url.pathname}; try ${Object.keys(ROUTES).join(', ')}`);
      const method = (ctx.req.method ?? 'GET').toUpperCase();
      const handler = route[method];
      if (!handler) {
        ctx.res.setHeader('allow', Object.keys(route).join(', '));
        throw new EmulatorError(405, 'MethodNotAllowed', `${method} ${path} is not supported; use ${Object.keys(route).join(' or ')}`);
      }
      sendJson(ctx.res, 200, handler(world, ctx));
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      sendJson(res, error.status, { message: error.message, code: error.code });
    },
  };
}
