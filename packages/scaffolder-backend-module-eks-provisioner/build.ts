/**
 * Bundles the module into dist/index.cjs so a Backstage backend can install it from a tarball
 * (`npm pack` here, then `yarn add ./…tgz` there): the CLI client it shares with `eksp` (cli/client),
 * its progress lines and the cluster spec's rules are bundled in, while Backstage and the AWS SDK
 * stay the app's own packages (peerDependencies and dependencies in package.json).
 * Run: npx tsx packages/scaffolder-backend-module-eks-provisioner/build.ts (npm pack runs it too).
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const here = __dirname;
const manifest = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };

async function main(): Promise<void> {
  const result = await build({
    entryPoints: [join(here, 'src/index.ts')],
    outfile: join(here, 'dist/index.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...Object.keys(manifest.peerDependencies), ...Object.keys(manifest.dependencies)],
    metafile: true,
    logLevel: 'warning',
  });
  const [output] = Object.values(result.metafile.outputs);
  process.stdout.write(`dist/index.cjs ${((output?.bytes ?? 0) / 1024).toFixed(1)} KB from ${Object.keys(result.metafile.inputs).length} files\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
