import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per container. Specs and events are logged by name and id only, never credentials or tokens. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eks-provisioner' });
