/**
 * awsJson dispatch shared by the JSON-posting services (awsJson1.0: Step Functions, DynamoDB;
 * awsJson1.1: EventBridge): every request is a POST to `/` naming its operation in
 * `X-Amz-Target: Prefix.Operation`, with the input as a JSON object. Count the call, let fault
 * rules throttle it, refuse what the service does not have, parse the body, and answer in the
 * protocol's success and error shapes (`{"__type": "namespace#Code", "message"}`).
 */
import type { ServerResponse } from 'node:http';
import { EmulatorError, sendJson } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { World } from '../world';

export type JsonInput = Record<string, unknown>;
export type AwsJsonProtocol = 'awsJson1.0' | 'awsJson1.1';

/** One operation: what the service hands every operation (its state, a backend...) and the request's input → the answer. */
export type AwsJsonOperation<Context> = (context: Context, input: JsonInput) => unknown;

export interface AwsJsonTarget {
  /** The SigV4 signing name: routes requests here, prefixes world.calls and names the service in fault rules. */
  name: string;
  /** What X-Amz-Target starts with, dot included: `AWSEvents.`, `AWSStepFunctions.`. */
  targetPrefix: string;
}

export interface AwsJsonServiceDefinition<Context> extends AwsJsonTarget {
  protocol: AwsJsonProtocol;
  /** The namespace of error `__type`s: `com.amazonaws.events`. */
  namespace: string;
  /** The service as people call it, for the UnknownOperationException message. */
  title: string;
  operations: Record<string, AwsJsonOperation<Context>>;
  /** The SerializationException message for a body that is not a JSON object (each service words it its own way). */
  malformedBodyMessage: string;
  /** What operations run against, made once the request is known to be valid; may refuse it (a runtime not attached). */
  context(operation: string): Context;
}

export function contentTypeOf(protocol: AwsJsonProtocol): string {
  return protocol === 'awsJson1.0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
}

/** awsJson's error shape, the code qualified by the service's namespace. */
export function sendAwsJsonError(res: ServerResponse, protocol: AwsJsonProtocol, namespace: string, error: EmulatorError): void {
  sendJson(res, error.status, { __type: `${namespace}#${error.code}`, message: error.message }, contentTypeOf(protocol));
}

/**
 * The operation X-Amz-Target names ('' when it names none of this service's), after counting the
 * call as `service:Operation` and letting fault rules throttle or fail it.
 */
export function countTargetedCall(target: AwsJsonTarget, world: World, ctx: Pick<RequestContext, 'req'>): string {
  const header = String(ctx.req.headers['x-amz-target'] ?? '');
  const operation = header.startsWith(target.targetPrefix) ? header.slice(target.targetPrefix.length) : '';
  world.calls.push(`${target.name}:${operation || 'Unknown'}`);
  world.faults.checkCall(target.name, operation);
  return operation;
}

/** The request body as the operation's input: an empty body is `{}`, anything but a JSON object is a SerializationException. */
export function parseJsonInput(body: string, malformedBodyMessage: string): JsonInput {
  let input: unknown;
  try {
    input = body ? JSON.parse(body) : {};
  } catch {
    throw new EmulatorError(400, 'SerializationException', malformedBodyMessage);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new EmulatorError(400, 'SerializationException', malformedBodyMessage);
  return input as JsonInput;
}

/** A ServiceModule for the server: dispatch by X-Amz-Target, success and error rendering in the definition's protocol. */
export function createAwsJsonService<Context>(world: World, definition: AwsJsonServiceDefinition<Context>): ServiceModule {
  return {
    name: definition.name,
    async handle(ctx: RequestContext): Promise<void> {
      const operationName = countTargetedCall(definition, world, ctx);
      const operation = Object.hasOwn(definition.operations, operationName) ? definition.operations[operationName] : undefined;
      if (!operation) {
        const target = String(ctx.req.headers['x-amz-target'] ?? '');
        throw new EmulatorError(400, 'UnknownOperationException', `The local ${definition.title} does not implement ${target || 'this operation (no X-Amz-Target)'}`);
      }
      const input = parseJsonInput(ctx.body, definition.malformedBodyMessage);
      const context = definition.context(operationName);
      sendJson(ctx.res, 200, await operation(context, input), contentTypeOf(definition.protocol));
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      sendAwsJsonError(res, definition.protocol, definition.namespace, error);
    },
  };
}
