/**
 * Query-protocol dispatch shared by the form-posting services (EC2's ec2Query; awsQuery ones
 * such as IAM, Auto Scaling, CloudFormation, STS): read the form (POST body, or the query string
 * of a GET), take `Action` and `Version`, count the call, let fault rules throttle it, and run the
 * operation, answering in the protocol's own success and error shapes. An action the service
 * does not emulate answers the error AWS gives for an unknown action, which the CLI and the SDKs
 * print cleanly. Each service only declares its operations (an operation reads what else it
 * needs from the RequestContext: the caller's key, the method, the headers of a presigned GET).
 */
import type { ServerResponse } from 'node:http';
import { EmulatorError, sendEc2Error, sendEc2Result, sendQueryError, sendQueryResult, type XmlValue } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { World } from '../world';

export type QueryResult = Record<string, XmlValue>;
export type QueryOperation = (world: World, form: URLSearchParams, ctx: RequestContext) => QueryResult | Promise<QueryResult>;

interface CommonDefinition {
  /** The SigV4 signing name: routes requests here, prefixes world.calls and names the service in fault rules. */
  name: string;
  /** The API version the service speaks (`Version=`). */
  version: string;
  /** The code a throttle fault answers (EC2 RequestLimitExceeded; IAM, Auto Scaling, CloudFormation and STS Throttling). */
  throttleCode: string;
  /**
   * Whether a `Version` other than `version` is refused. EC2 refuses it; the awsQuery services
   * here have always answered whatever Version the caller sent, and keep doing so.
   */
  checkVersion?: boolean;
  operations: Record<string, QueryOperation>;
}

/** ec2Query: lowerCamel XML without a Result wrapper; errors in `<Response><Errors>`. */
export interface Ec2QueryDefinition extends CommonDefinition {
  protocol: 'ec2Query';
}

/** awsQuery: `<XResponse><XResult>`, lists as `member`; errors in `<ErrorResponse>`. */
export interface AwsQueryDefinition extends CommonDefinition {
  protocol: 'awsQuery';
  /** The response's xmlns, e.g. `https://iam.amazonaws.com/doc/2010-05-08/`. */
  namespace: string;
}

export type QueryServiceDefinition = Ec2QueryDefinition | AwsQueryDefinition;

/**
 * The operations, each run after `settle` has brought the world's clock-driven state up to now:
 * what fell due between calls (a load balancer's deletion, an interface's release) is over before
 * the call reads or changes anything. Timers settle it too, but a call can land before its timer
 * runs, and a restored world has none until it resumes them.
 */
export function settlingFirst(settle: (world: World) => void, operations: Record<string, QueryOperation>): Record<string, QueryOperation> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]): [string, QueryOperation] => [
      name,
      (world, form, ctx) => {
        settle(world);
        return operation(world, form, ctx);
      },
    ]),
  );
}

/** The SDKs POST a form; a GET carries the same parameters in its query string. */
export function queryForm(ctx: Pick<RequestContext, 'body' | 'url'>): URLSearchParams {
  return new URLSearchParams(ctx.body || ctx.url.search.slice(1));
}

/** The error AWS answers for an action the service does not have, in the protocol's wording. */
export function unknownActionError(definition: QueryServiceDefinition, action: string, version: string | null): EmulatorError {
  if (definition.protocol === 'ec2Query') return new EmulatorError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  return new EmulatorError(400, 'InvalidAction', `Could not find operation ${action} for version ${version ?? definition.version}`);
}

/** The operation a request names, after the checks every query service makes; throws the protocol's error otherwise. */
export function resolveOperation(definition: QueryServiceDefinition, world: World, form: URLSearchParams): { action: string; operation: QueryOperation } {
  const action = form.get('Action') ?? '';
  world.calls.push(`${definition.name}:${action || 'Unknown'}`);
  world.faults.checkCall(definition.name, action, definition.throttleCode);
  // EC2 names a missing Action; awsQuery answers it as the empty action it is.
  if (!action && definition.protocol === 'ec2Query') throw new EmulatorError(400, 'MissingAction', 'The request must contain the parameter Action');
  const operation = Object.hasOwn(definition.operations, action) ? definition.operations[action] : undefined;
  if (!operation) throw unknownActionError(definition, action, form.get('Version'));
  const version = form.get('Version');
  if ((definition.checkVersion ?? true) && version && version !== definition.version) throw new EmulatorError(400, 'InvalidParameterValue', `Version ${version} is not supported by the local ${definition.name} emulator (use ${definition.version})`);
  if (definition.protocol === 'ec2Query' && form.get('DryRun') === 'true') throw new EmulatorError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  return { action, operation };
}

/** A ServiceModule for the server: dispatch, success and error rendering in the definition's protocol. */
export function createQueryService(world: World, definition: QueryServiceDefinition): ServiceModule {
  return {
    name: definition.name,
    async handle(ctx: RequestContext): Promise<void> {
      const form = queryForm(ctx);
      const { action, operation } = resolveOperation(definition, world, form);
      const result = await operation(world, form, ctx);
      if (definition.protocol === 'ec2Query') sendEc2Result(ctx.res, action, result);
      else sendQueryResult(ctx.res, action, definition.namespace, result);
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      if (definition.protocol === 'ec2Query') sendEc2Error(res, error.status, error.code, error.message);
      else sendQueryError(res, error.status, error.code, error.message);
    },
  };
}
