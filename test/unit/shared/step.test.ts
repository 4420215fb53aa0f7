import type { Context } from 'aws-lambda';
import type { CompiledValidator } from '../../../functions/generated/validators';
import type { Deps } from '../../../functions/shared/deps';
import { useDeps } from '../../../functions/shared/deps';
import { KubernetesConflictError } from '../../../functions/shared/errors';
import { step } from '../../../functions/shared/step';

const context = { functionName: 'eksp-step', awsRequestId: 'req-1' } as unknown as Context;

/** Accepts objects with a string `name`; reports Ajv-style errors otherwise. */
const validate: CompiledValidator = Object.assign(
  (data: unknown) => {
    const ok = typeof data === 'object' && data !== null && typeof (data as { name?: unknown }).name === 'string';
    validate.errors = ok ? null : [{ instancePath: '/name', message: 'must be string', keyword: 'type', schemaPath: '#/properties/name/type', params: {} }];
    return ok;
  },
  { errors: null as CompiledValidator['errors'] },
);

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('step', () => {
  const deps = { marker: 'installed deps' } as unknown as Deps;
  let restore: () => void;
  beforeEach(() => (restore = useDeps(deps)));
  afterEach(() => restore());

  it('runs the step with the validated input and the installed deps', async () => {
    const run = jest.fn(async (input: { name: string }, given: unknown) => `${input.name} with ${(given as unknown as { marker: string }).marker}`);

    await expect(step(validate, {}, run)({ name: 'demo' }, context)).resolves.toBe('demo with installed deps');
  });

  it('refuses input that breaks the schema with InvalidStepInputError naming the field, without running the step', async () => {
    const run = jest.fn();

    const error = await rejectionOf(step(validate, {}, run)({ name: 42 }, context));

    expect(error.name).toBe('InvalidStepInputError');
    expect(error.message).toBe('step input does not match its schema: /name must be string');
    expect(run).not.toHaveBeenCalled();
  });

  it('names an SDK throttling error ThrottlingError', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

    const error = await rejectionOf(step(validate, {}, async () => Promise.reject(throttled))({ name: 'demo' }, context));

    expect(error.name).toBe('ThrottlingError');
    expect(error.cause).toBe(throttled);
  });

  it('names an SDK 5xx AwsUnavailableError', async () => {
    const error = await rejectionOf(step(validate, {}, async () => Promise.reject(Object.assign(new Error('internal'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } })))({ name: 'demo' }, context));

    expect(error.name).toBe('AwsUnavailableError');
  });

  it('builds only the ports the handler declares when none are installed', async () => {
    restore();
    const built: string[] = [];
    const ports = { eks: () => (built.push('eks'), {} as Deps['eks']) };

    const handler = step(validate, ports, async (_input, given) => Object.keys(given).sort());
    const first = await handler({ name: 'demo' }, context);
    await handler({ name: 'again' }, context);
    restore = useDeps(deps);

    expect(first).toEqual(['clock', 'eks', 'settings']);
    expect(built).toEqual(['eks']);
  });

  it('lets our own errors through unchanged', async () => {
    const ours = new KubernetesConflictError('changed', { resource: 'aws-auth' });

    await expect(step(validate, {}, async () => Promise.reject(ours))({ name: 'demo' }, context)).rejects.toBe(ours);
  });
});
