/**
 * The kube agent's code in local mode. Each cluster stack deploys the agent as an
 * AWS::Lambda::Function whose Code is an S3 location (KUBE_AGENT_CODE_BUCKET / _KEY); the
 * emulator has no S3, so local mode tells it which handler that location stands for:
 * functions/kube-agent/handler.ts, the code the deployed function runs.
 */
import type { World } from '../emulator/world';

/** Where local mode says the agent's code is, unless the environment says otherwise. */
export const KUBE_AGENT_CODE_DEFAULTS = { KUBE_AGENT_CODE_BUCKET: 'eksp-local-assets', KUBE_AGENT_CODE_KEY: 'kube-agent/index.zip' };

/** The location the environment names (after local mode applied its defaults). */
export function kubeAgentCodeLocation(env: NodeJS.ProcessEnv = process.env): { s3Bucket: string; s3Key: string } {
  return { s3Bucket: env.KUBE_AGENT_CODE_BUCKET ?? KUBE_AGENT_CODE_DEFAULTS.KUBE_AGENT_CODE_BUCKET, s3Key: env.KUBE_AGENT_CODE_KEY ?? KUBE_AGENT_CODE_DEFAULTS.KUBE_AGENT_CODE_KEY };
}

/** Registers the agent's handler for that location; returns the undo. */
export async function registerKubeAgentCode(world: World, env: NodeJS.ProcessEnv = process.env): Promise<() => void> {
  const { handler } = await import('../../functions/kube-agent/handler');
  return world.functions.registerCode(kubeAgentCodeLocation(env), (event) => handler(event));
}
