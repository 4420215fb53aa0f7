/**
 * Stands in for @aws-sdk/credential-provider-node in the Lambda bundles only (an esbuild alias in
 * infra/bundling.ts). Lambda always hands a function its role's credentials in the environment,
 * so the SSO, INI, process, web-identity and IMDS providers of the full chain — and the STS/SSO
 * clients they pull in — are dead weight there: about 90 KB of every bundle. Tests and local runs
 * are not bundled and keep the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
