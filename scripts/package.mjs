// Builds a platform-specific VSIX: `node scripts/package.mjs --target linux-x64`.
// Each VSIX carries only its platform's onnxruntime binary (the npm package has all of
// them, 288 MB), and we refuse to ship sources, tests, maps or dev files.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64'];
const ORT_DIRS = { 'linux-x64': 'linux/x64', 'linux-arm64': 'linux/arm64', 'darwin-arm64': 'darwin/arm64', 'darwin-x64': 'darwin/x64', 'win32-x64': 'win32/x64', 'win32-arm64': 'win32/arm64' };

const targetIndex = process.argv.indexOf('--target');
const target = targetIndex === -1 ? 'linux-x64' : process.argv[targetIndex + 1];
if (!PLATFORMS.includes(target)) {
  console.error(`package: unknown --target '${target}' (one of ${PLATFORMS.join(', ')})`);
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const base = readFileSync(join(root, '.vscodeignore'), 'utf8');
const otherPlatforms = Object.entries(ORT_DIRS)
  .filter(([platform]) => platform !== target)
  .map(([, dir]) => `node_modules/onnxruntime-node/bin/napi-v6/${dir}/**`);
const workDir = mkdtempSync(join(tmpdir(), 'capsule-package-'));
const ignoreFile = join(workDir, '.vscodeignore');
writeFileSync(ignoreFile, `${base}\n# other platforms' onnxruntime binaries\n${otherPlatforms.join('\n')}\n`);
// The repository's README shows screenshots by relative path; the VSIX has no web home
// to resolve them against, so its copy of the README leaves the images out.
// vsce wants it inside the extension folder, so it goes to out/ (which is never packaged).
const readme = 'out/vsix/README.md';
mkdirSync(join(root, 'out/vsix'), { recursive: true });
appendFileSync(ignoreFile, 'README.md\n');
writeFileSync(
  join(root, readme),
  readFileSync(join(root, 'README.md'), 'utf8')
    .replace(/^!\[[^\]]*\]\((?!https?:)[^)]*\)\n?/gm, '')
    .replace(/\[([^\]]+)\]\((?!https?:|#)[^)]*\)/g, '$1'),
);

const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
const run = (args) => spawnSync(process.execPath, [vsce, ...args], { cwd: root, encoding: 'utf8' });

try {
  const listing = run(['ls', '--ignoreFile', ignoreFile, '--readme-path', readme]);
  if (listing.status !== 0) throw new Error(`vsce ls failed:\n${listing.stderr}`);
  const files = listing.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const forbidden = files.filter(
    (f) => /\.(map|ts|tsbuildinfo)$/.test(f) || (/^(src|test|webview|scripts|out|\.ci)\//.test(f) && f !== readme) || (f.includes('onnxruntime-node/bin/') && !f.includes(`/${ORT_DIRS[target]}/`)),
  );
  if (forbidden.length > 0) throw new Error(`refusing to package dev files:\n  ${forbidden.join('\n  ')}`);
  const out = join(root, `${pkg.name}-${target}-${pkg.version}.vsix`);
  const result = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--readme-path', readme, '--allow-missing-repository', '--out', out], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('vsce package failed');
  console.log(`packaged ${files.length} files for ${target}: ${out}`);
} catch (error) {
  console.error(`package: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
