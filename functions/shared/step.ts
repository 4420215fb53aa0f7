/**
 * Every Task state's handler is `step(validator, run)`: middy with structured logging, the
 * input checked against its schema (a wiring bug fails loudly, by name), and AWS failures given
 * the names the ASL retries or catches.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { CompiledValidator } from '../generated/validators';
import { classifyAwsError, InvalidStepInputError } from './errors';
import { deps, type Deps } from './deps';
import { logger } from './logger';

export function step<Input, Output>(validate: CompiledValidator, run: (input: Input, deps: Deps) => Promise<Output>) {
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
