export { ApiClient, newIdempotencyKey, type AccessEntryRequest, type ApiClientOptions, type RawBody, type StartOptions, type UpgradePlan } from './api-client';
export { ApiProblemError, ApiUnreachableError, describeProblem } from './errors';
export { DEFAULT_ENDPOINT, isLocalEndpoint, resolveEndpoint, stackApiUrl, type ResolvedEndpoint } from './endpoint';
export { regionOfApiUrl, sigV4Signer, type RequestSigner } from './signing';
export * from './types';
export { followOperation, type FollowOptions } from './follow';
export { DEFAULT_RETRY_POLICY, type RetryNotice, type RetryPolicy } from './retry';
