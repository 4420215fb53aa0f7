import * as errors from '../../../functions/shared/errors';
import {
  AwsRequestError,
  AwsUnavailableError,
  classifyAwsError,
  ClusterBusyError,
  ClusterExistsError,
  InvalidSpecError,
  isAwsError,
  RETRYABLE_ERRORS,
  StackFailedError,
  TERMINAL_ERRORS,
  ThrottlingError,
} from '../../../functions/shared/errors';

/** An error shaped as SDK v3 throws them. */
const sdkError = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 }, ...extra });

describe('classifyAwsError', () => {
  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException'])('names %s a ThrottlingError', (name) => {
    expect(classifyAwsError(sdkError(name))).toBeInstanceOf(ThrottlingError);
  });

  it('names any error the SDK marks $retryable.throttling a ThrottlingError', () => {
    expect(classifyAwsError(sdkError('SlowDown', { $retryable: { throttling: true } })).name).toBe('ThrottlingError');
  });

  it.each([
    ['a $fault server error', sdkError('InternalFailure', { $fault: 'server' })],
    ['a 5xx answer', sdkError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' })],
    ['ETIMEDOUT', Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })],
    ['EPIPE', Object.assign(new Error('broken pipe'), { code: 'EPIPE' })],
    ['an SDK TimeoutError', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
  ])('names %s an AwsUnavailableError', (_case, error) => {
    expect(classifyAwsError(error).name).toBe('AwsUnavailableError');
  });

  it.each([
    ['a $fault client error', sdkError('AccessDeniedException', { $fault: 'client' })],
    ['a 4xx answer', sdkError('InvalidParameterException')],
  ])('names %s an AwsRequestError', (_case, error) => {
    expect(classifyAwsError(error)).toBeInstanceOf(AwsRequestError);
  });

  it('puts the AWS code and message in the message, the resource first, and chains the cause', () => {
    const original = sdkError('AccessDeniedException', { message: 'not authorized to perform: eks:CreateNodegroup' });

    const named = classifyAwsError(original, 'nodegroup ng-spot');

    expect(named.message).toBe('nodegroup ng-spot: AccessDeniedException: not authorized to perform: eks:CreateNodegroup');
    expect((named as AwsRequestError).resource).toBe('nodegroup ng-spot');
    expect(named.cause).toBe(original);
  });

  it('passes our own errors through unchanged, even with a resource given', () => {
    const ours = new StackFailedError('ROLLBACK_COMPLETE', { resource: 'stack eksp-demo-cluster' });

    expect(classifyAwsError(ours, 'another resource')).toBe(ours);
  });

  it('leaves a plain programming error as it is rather than dress it as an AWS failure', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'outputs')");

    expect(classifyAwsError(bug)).toBe(bug);
  });

  it('wraps a thrown non-error in an Error', () => {
    const named = classifyAwsError('boom');

    expect(named).toBeInstanceOf(Error);
    expect(named.message).toBe('boom');
  });
});

describe('error classes', () => {
  it('lead the message with the resource, since Step Functions keeps only name and message', () => {
    expect(new AwsUnavailableError('PutEvents failed', { resource: 'event bus eksp' }).message).toBe('event bus eksp: PutEvents failed');
    expect(new AwsUnavailableError('PutEvents failed').message).toBe('PutEvents failed');
  });

  it('are named after their class, which is the name the ASL retries or catches', () => {
    for (const name of [...RETRYABLE_ERRORS, ...TERMINAL_ERRORS]) {
      const ErrorClass = (errors as unknown as Record<string, new (...args: never[]) => Error>)[name];
      expect(ErrorClass).toBeDefined();
      expect(name).toMatch(/Error$/);
    }
    expect(new ThrottlingError('x').name).toBe('ThrottlingError');
    expect(new ClusterBusyError('demo', 'op-1').name).toBe('ClusterBusyError');
  });

  it('put no name in both the retryable and the terminal family', () => {
    expect(RETRYABLE_ERRORS.filter((name) => (TERMINAL_ERRORS as readonly string[]).includes(name))).toEqual([]);
  });

  it('InvalidSpecError lists every problem by JSON pointer', () => {
    const error = new InvalidSpecError([
      { pointer: '/managedNodeGroups/0/minSize', message: 'must be ≤ desiredSize' },
      { pointer: '', message: 'must be an object' },
    ]);

    expect(error.message).toBe('/managedNodeGroups/0/minSize: must be ≤ desiredSize; /: must be an object');
    expect(error.problems).toHaveLength(2);
  });

  it('ClusterBusyError and ClusterExistsError say what to do', () => {
    expect(new ClusterBusyError('demo', 'op-1').message).toBe('cluster demo has operation op-1 in progress; retry when it ends');
    expect(new ClusterExistsError('demo', 'ACTIVE').message).toBe('cluster demo already exists (status ACTIVE); choose another name or delete it first');
  });
});

describe('isAwsError', () => {
  it('matches an SDK error by its code, and nothing that is not an object', () => {
    expect(isAwsError(sdkError('ResourceNotFoundException'), 'ResourceInUseException', 'ResourceNotFoundException')).toBe(true);
    expect(isAwsError(sdkError('ResourceInUseException'), 'ResourceNotFoundException')).toBe(false);
    expect(isAwsError(undefined, 'ResourceNotFoundException')).toBe(false);
    expect(isAwsError('ResourceNotFoundException', 'ResourceNotFoundException')).toBe(false);
  });
});
