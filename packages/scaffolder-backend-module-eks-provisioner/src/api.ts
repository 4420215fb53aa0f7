/**
 * How the actions reach the eks-provisioner API: the CLI's own client (cli/client), so the routes,
 * problems and SigV4 signing from the standard AWS credential chain are the CLI's, not a copy.
 */
import { ApiClient, isLocalEndpoint, resolveEndpoint } from '../../../cli/client';

export interface EksProvisionerSettings {
  endpoint?: string;
  stack?: string;
  region?: string;
  consoleUrl?: string;
}

/** A client and the links the actions give back; resolved on first use (a stack lookup reaches AWS). */
export interface EksProvisionerApi {
  client: ApiClient;
  /** The operation's resource on the API. */
  operationUrl(id: string): string;
  /** The operation's page in the web console, when there is a console to point at. */
  consoleOperationUrl(id: string): string | undefined;
}

export type ApiSource = () => Promise<EksProvisionerApi>;

export function apiFromClient(client: ApiClient, consoleUrl?: string): EksProvisionerApi {
  // Local mode serves the console at the API's `/`; a deployed console lives wherever it was hosted.
  const consoleBase = (consoleUrl ?? (isLocalEndpoint(new URL(client.baseUrl)) ? client.baseUrl : undefined))?.replace(/\/+$/, '');
  return {
    client,
    operationUrl: (id) => `${client.baseUrl}/operations/${encodeURIComponent(id)}`,
    // The console's hash route for an operation (console/src/router.ts).
    consoleOperationUrl: (id) => (consoleBase ? `${consoleBase}/#/operations/${encodeURIComponent(id)}` : undefined),
  };
}

/**
 * Resolves the endpoint as `eksp` does (endpoint, stack output, EKSP_ENDPOINT, local default) the
 * first time an action runs, and keeps it; a failed lookup is tried again by the next task rather
 * than failing the backend's start.
 */
export function apiSource(settings: EksProvisionerSettings, env: NodeJS.ProcessEnv = process.env): ApiSource {
  let resolved: Promise<EksProvisionerApi> | undefined;
  return () => {
    resolved ??= resolveEndpoint({ endpoint: settings.endpoint, stack: settings.stack, region: settings.region, env })
      .then(({ baseUrl, signer }) => apiFromClient(new ApiClient({ baseUrl, ...(signer ? { signer } : {}) }), settings.consoleUrl))
      .catch((error: unknown) => {
        resolved = undefined;
        throw error;
      });
    return resolved;
  };
}
