/**
 * The kube agent's code (functions/kube-agent/handler.ts) as an S3 asset: every cluster stack
 * makes its own agent function from it (functions/domain/cluster-template.ts), so the service
 * deploys the code once and the cluster stacks only point at it. Bundled with the same esbuild
 * options as the service's functions (infra/bundling.ts), into the `index.mjs` Lambda loads.
 */
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { BUNDLE_FILE, PROJECT_ROOT, esbuildOptions, kubeAgentEntry } from '../bundling';

export class KubeAgentCode extends Construct {
  readonly asset: Asset;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { entry } = kubeAgentEntry();
    const local: ILocalBundling = {
      tryBundle(outputDir: string): boolean {
        buildSync({ ...esbuildOptions, entryPoints: [entry], outfile: join(outputDir, BUNDLE_FILE) });
        return true;
      },
    };
    this.asset = new Asset(this, 'Asset', {
      path: join(PROJECT_ROOT, 'functions', 'kube-agent'),
      // Local esbuild only (no Docker here); the image is what CDK would fall back to, never used.
      bundling: { local, image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x') },
    });
  }

  /** What the steps that render cluster templates read (functions/shared/config.ts kubeAgentCode). */
  get environment(): Record<string, string> {
    return { KUBE_AGENT_CODE_BUCKET: this.asset.s3BucketName, KUBE_AGENT_CODE_KEY: this.asset.s3ObjectKey };
  }

  /**
   * Lambda reads the code with the credentials of whoever creates the function (the
   * CloudFormation execution role): this one object, not the assets bucket (Asset.grantRead
   * would give every asset of the account).
   */
  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)] }));
  }
}
