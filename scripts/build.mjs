// Builds every bundle with esbuild: extension host, worker thread, CLI (node, cjs) and
// the Budget Panel webview (browser). `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { chmod, cp, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  // vscode is provided by the host; onnxruntime-node carries native .node files.
  external: ['vscode', 'onnxruntime-node'],
  define: { __CAPSULE_VERSION__: JSON.stringify(pkg.version) },
};

const builds = [
  { ...nodeCommon, entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(root, 'dist/extension.js') },
  { ...nodeCommon, entryPoints: [join(root, 'src/core/worker/worker.ts')], outfile: join(root, 'dist/worker.js') },
  { ...nodeCommon, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/cli.js') },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    entryPoints: [join(root, 'webview/main.ts')],
    outfile: join(root, 'dist/webview.js'),
  },
];

async function copyAssets() {
  // Codicons: the font and stylesheet @vscode-elements/elements expects, served locally.
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  await mkdir(join(root, 'dist/codicons'), { recursive: true });
  await cp(join(codicons, 'codicon.css'), join(root, 'dist/codicons/codicon.css'));
  await cp(join(codicons, 'codicon.ttf'), join(root, 'dist/codicons/codicon.ttf'));
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await copyAssets();
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes...');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  await copyAssets();
  await chmod(join(root, 'dist/cli.js'), 0o755);
}
