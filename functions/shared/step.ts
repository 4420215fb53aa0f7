/**
 * Every Task state's handler is `step(validator, ports, run)`: middy with structured logging, the
 * input checked against its schema (a wiring bug fails loudly, by name), only the declared ports,
 * and AWS failures given the names the ASL retries or catches.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { CompiledValidator } from '../generated/validators';
import { classifyAwsError, InvalidStepInputError } from './errors';
import { wire, type PortFactories, type PortName, type StepDeps } from './deps';
import { logger } from './logger';

export function step<Input, Output, K extends PortName>(validate: CompiledValidator, ports: PortFactories<K>, run: (input: Input, deps: StepDeps<K>) => Promise<Output>) {
  const deps = wire(ports);
  return middy(async (event: unknown): Promise<Output> => {
    if (!validate(event)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      throw new InvalidStepInputError(`step input does not match its schema: ${problems}`);
    }
    try {
      return await run(event as Input, deps());
    } catch (error) {
      const named = classifyAwsError(error);
      logger.warn('step failed', { errorName: named.name, errorMessage: named.message });
      throw named;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
