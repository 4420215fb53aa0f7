/** What the module reads from Backstage's app-config (`eksProvisioner:`). */
export interface Config {
  eksProvisioner?: {
    /** The API's base URL. Default: EKSP_ENDPOINT, else local mode's http://127.0.0.1:3000. */
    endpoint?: string;
    /** A deployed eks-provisioner stack whose ApiUrl output is the endpoint (read with the backend's AWS credentials). */
    stack?: string;
    /** The region of the stack lookup and of SigV4 when the URL does not say. */
    region?: string;
    /** Where the web console is, for the links the actions output. Default: the endpoint itself in local mode. */
    consoleUrl?: string;
    /** How often eks-provisioner:cluster:wait reads the operation, in seconds (default 5). */
    pollIntervalSeconds?: number;
  };
}
