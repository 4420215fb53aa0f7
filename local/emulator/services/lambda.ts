/**
 * Lambda (restJson1, signing service `lambda`): the Invoke API over the functions registered in
 * world.functions, so `aws lambda invoke` and @aws-sdk/client-lambda reach the service's own
 * handlers.
 *
 *   POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]
 *     X-Amz-Invocation-Type RequestResponse (default) → 200, the function's result as the body;
 *       a function error is still 200, with X-Amz-Function-Error: Unhandled and
 *       {"errorType","errorMessage","trace"} as the body (as Lambda does)
 *     Event → 202 and an empty body; the function runs after the reply
 *     DryRun → 204
 *
 *   GET /2015-03-31/functions/{FunctionName}                → GetFunction
 *   GET /2015-03-31/functions/{FunctionName}/configuration  → GetFunctionConfiguration
 *   GET /2015-03-31/functions/                              → ListFunctions (one page)
 *
 * FunctionName is a name, an ARN or a partial ARN (`123456789012:function:name`), optionally
 * qualified; every qualifier runs the one registered code ($LATEST). A function CloudFormation
 * deployed with a VpcConfig answers 409 ResourceConflictException while it is Pending. Other
 * Lambda operations answer a restJson1 UnknownOperationException.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { CodeNotRegisteredError, FunctionNotFoundError, FunctionStateError, type LocalFunction } from '../functions';
import { functionConfiguration } from './lambda-deploy';
import { checkRestJsonFaults } from '../json';
import { EmulatorError } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { World } from '../world';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const FUNCTION_PATH = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?\/?$/;
const FUNCTIONS_PATH = /^\/2015-03-31\/functions\/?$/;
/** Lambda's request payload limits: 6 MB synchronous, 1 MB asynchronous. */
const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD = 1024 * 1024;

/** Lambda's errors: the code in x-amzn-errortype, `{"Type", "Message"}` in the body. */
function sendLambdaError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', Message: message, message });
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': code, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function parsePayload(body: string): unknown {
  // An Invoke without a payload hands the function `{}`.
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new EmulatorError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
  }
}

async function invoke(world: World, ctx: RequestContext, functionName: string): Promise<void> {
  const type = String(ctx.req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
    throw new EmulatorError(400, 'InvalidParameterValueException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
  }
  const fn = world.functions.get(functionName);
  const arn = world.functions.arnOf(functionName);
  if (!arn) throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  if (!fn) throw new EmulatorError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  if (fn.deployed && world.functions.stateOf(fn.deployed) !== 'Active') {
    const error = new FunctionStateError(world.functions.stateOf(fn.deployed));
    throw new EmulatorError(409, 'ResourceConflictException', error.message);
  }
  const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (Buffer.byteLength(ctx.body) > limit) throw new EmulatorError(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
  const event = parsePayload(ctx.body);
  if (type === 'DryRun') {
    send(ctx.res, 204, '', { 'x-amzn-requestid': randomUUID() });
    return;
  }
  if (type === 'Event') {
    const invocation = world.functions.invokeAsync(fn.arn, event, { source: 'lambda' });
    send(ctx.res, 202, '', { 'x-amzn-requestid': invocation.requestId });
    return;
  }
  let result;
  try {
    result = await world.functions.invoke(fn.arn, event, { source: 'lambda' });
  } catch (error) {
    if (error instanceof FunctionNotFoundError) throw new EmulatorError(404, 'ResourceNotFoundException', error.message);
    if (error instanceof FunctionStateError) throw new EmulatorError(409, 'ResourceConflictException', error.message);
    if (error instanceof CodeNotRegisteredError) throw new EmulatorError(500, 'ServiceException', error.message);
    throw error;
  }
  const headers: Record<string, string> = { 'x-amzn-requestid': result.invocation.requestId, 'x-amz-executed-version': '$LATEST' };
  if (String(ctx.req.headers['x-amz-log-type'] ?? '') === 'Tail') {
    const id = result.invocation.requestId;
    headers['x-amz-log-result'] = Buffer.from(`START RequestId: ${id} Version: $LATEST\nEND RequestId: ${id}\nREPORT RequestId: ${id}\n`).toString('base64');
  }
  if (result.error) {
    headers['x-amz-function-error'] = 'Unhandled';
    send(ctx.res, 200, JSON.stringify({ errorType: result.error.errorType, errorMessage: result.error.errorMessage, trace: result.error.stackTrace ?? [] }), headers);
    return;
  }
  send(ctx.res, 200, JSON.stringify(result.payload ?? null), headers);
}

/** A function's Configuration: a deployed one's in full, a runtime-registered handler's in brief (it has no deployment to describe). */
function configurationOf(world: World, fn: LocalFunction): Record<string, unknown> {
  if (fn.deployed) return functionConfiguration(world, fn.deployed);
  return { FunctionName: fn.name, FunctionArn: fn.arn, Version: '$LATEST', PackageType: 'Zip', State: 'Active', LastUpdateStatus: 'Successful' };
}

function describe(world: World, ctx: RequestContext, functionName: string, configurationOnly: boolean): void {
  const fn = world.functions.get(functionName);
  if (!fn) throw new EmulatorError(404, 'ResourceNotFoundException', `Function not found: ${world.functions.arnOf(functionName) ?? functionName}`);
  const configuration = configurationOf(world, fn);
  const body = configurationOnly
    ? configuration
    : { Configuration: configuration, Code: { RepositoryType: 'S3', Location: fn.deployed ? `https://${fn.deployed.code.s3Bucket}.s3.${world.region}.amazonaws.com/${fn.deployed.code.s3Key}` : '' }, ...(fn.deployed ? { Tags: fn.deployed.tags } : {}) };
  send(ctx.res, 200, JSON.stringify(body), { 'x-amzn-requestid': randomUUID() });
}

function operationOf(method: string, path: string): { operation: string; functionName?: string } {
  const invoke = INVOKE_PATH.exec(path);
  if (invoke && method === 'POST') return { operation: 'Invoke', functionName: decodeURIComponent(invoke[1]!) };
  if (method === 'GET' && FUNCTIONS_PATH.test(path)) return { operation: 'ListFunctions' };
  const get = FUNCTION_PATH.exec(path);
  if (get && method === 'GET') return { operation: get[2] ? 'GetFunctionConfiguration' : 'GetFunction', functionName: decodeURIComponent(get[1]!) };
  return { operation: 'Unknown' };
}

export function createLambdaService(world: World): ServiceModule {
  return {
    name: 'lambda',
    async handle(ctx: RequestContext): Promise<void> {
      const method = (ctx.req.method ?? 'GET').toUpperCase();
      const { operation, functionName } = operationOf(method, ctx.url.pathname);
      world.calls.push(`lambda:${operation}`);
      checkRestJsonFaults(world, 'lambda', operation, { throttleCode: 'TooManyRequestsException', serverErrorCode: 'ServiceException' });
      if (operation === 'ListFunctions') {
        send(ctx.res, 200, JSON.stringify({ Functions: world.functions.list().map((fn) => configurationOf(world, fn)) }), { 'x-amzn-requestid': randomUUID() });
        return;
      }
      if (operation === 'GetFunction' || operation === 'GetFunctionConfiguration') {
        describe(world, ctx, functionName!, operation === 'GetFunctionConfiguration');
        return;
      }
      const match = INVOKE_PATH.exec(ctx.url.pathname);
      if (!match || method !== 'POST') throw new EmulatorError(404, 'UnknownOperationException', `The local Lambda implements only Invoke (POST /2015-03-31/functions/{FunctionName}/invocations), GetFunction, GetFunctionConfiguration and ListFunctions, not ${method} ${ctx.url.pathname}`);
      // ?Qualifier= names a version or alias: all of them run the one registered code.
      await invoke(world, ctx, decodeURIComponent(match[1]!));
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      sendLambdaError(res, error.status, error.code, error.message);
    },
  };
}
