/**
 * Bundles the web console (console/src) into three static files: index.html, console/app.js and
 * console/app.css, laid out as they are served (`/`, `/console/app.js`, `/console/app.css`).
 * Local mode builds it in memory when it starts (esbuild: well under a second) and serves it from
 * the REST API's port; `npx tsx console/build.ts [dir]` writes the same files to a directory
 * (default dist/console) to host next to a deployed API.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SOURCE = join(__dirname, 'src');

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
}

/** Path as served (`/`, `/console/app.js`, …) → the file. */
export type ConsoleFiles = Map<string, ConsoleFile>;

export async function buildConsole(options: { minify?: boolean } = {}): Promise<ConsoleFiles> {
  const result = await build({
    entryPoints: [join(SOURCE, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    minify: options.minify ?? true,
    legalComments: 'none',
    outfile: 'app.js',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!script) throw new Error('esbuild produced no app.js for the console');
  return new Map<string, ConsoleFile>([
    ['/', { body: readFileSync(join(SOURCE, 'index.html')), contentType: 'text/html; charset=utf-8' }],
    ['/console/app.js', { body: Buffer.from(script.contents), contentType: 'text/javascript; charset=utf-8' }],
    ['/console/app.css', { body: readFileSync(join(SOURCE, 'app.css')), contentType: 'text/css; charset=utf-8' }],
  ]);
}

/** Writes the bundle under `dir` (index.html at its root), for static hosting. */
export async function writeConsole(dir: string): Promise<string[]> {
  const files = await buildConsole();
  const written: string[] = [];
  for (const [path, file] of files) {
    const target = join(dir, path === '/' ? 'index.html' : path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
    written.push(target);
  }
  return written;
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? join(__dirname, '..', 'dist', 'console'));
  writeConsole(dir).then(
    (files) => process.stdout.write(files.map((f) => `${f} (${readFileSync(f).length} bytes)\n`).join('')),
    (error: unknown) => {
      process.stderr.write(`console build failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
