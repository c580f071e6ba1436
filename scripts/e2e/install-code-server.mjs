// Installs code-server (a real VS Code 1.100.3 served to a browser) from the npm
// registry into a cache folder outside the repository, so it never reaches the VSIX.
// Offline-safe recipe and workarounds: ../../../shared/notes/vscode-e2e.md (relative to the repo).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { runToCompletion } from './processes.mjs';
import { step } from './log.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

// @vscode/ripgrep (pulled in by code-server) downloads rg from GitHub unless this
// tarball is already in its cache under $TMPDIR; we build it from Debian's ripgrep.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const SYSTEM_RIPGREP = '/usr/bin/rg';

const INSTALL_TIMEOUT_MS = 15 * 60 * 1000;
const COMPLETE_MARKER = '.prompt-capsule-e2e-complete';

export function codeServerCacheDir() {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cacheHome, 'prompt-capsule-e2e', `code-server-${CODE_SERVER_VERSION}`);
}

/** Paths an install must contain to be usable; a half-finished install lacks some. */
function requiredFiles(installDir) {
  const pkg = path.join(installDir, 'node_modules', 'code-server');
  return {
    entry: path.join(pkg, 'out', 'node', 'entry.js'),
    checks: [
      path.join(pkg, 'out', 'node', 'entry.js'),
      path.join(pkg, 'lib', 'vscode', 'out', 'server-main.js'),
      path.join(pkg, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
      path.join(pkg, 'lib', 'vscode', 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
      path.join(installDir, COMPLETE_MARKER),
    ],
  };
}

function installedVersion(installDir) {
  try {
    const pkgJson = path.join(installDir, 'node_modules', 'code-server', 'package.json');
    return JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  } catch {
    return undefined;
  }
}

function isComplete(installDir) {
  return requiredFiles(installDir).checks.every((file) => existsSync(file)) && installedVersion(installDir) === CODE_SERVER_VERSION;
}

/**
 * Returns the path of code-server's `out/node/entry.js`, installing it first when the
 * cache holds no complete install. The install goes to a sibling temp folder that is
 * renamed into place only after it is verified, so an interrupted run leaves nothing
 * that looks installed; a broken leftover is removed and reinstalled.
 */
export async function ensureCodeServer() {
  const installDir = codeServerCacheDir();
  const { entry } = requiredFiles(installDir);
  if (isComplete(installDir)) {
    step(`code-server ${CODE_SERVER_VERSION}: cached in ${installDir}`);
    return entry;
  }
  if (existsSync(installDir)) {
    step(`code-server cache at ${installDir} is incomplete or broken: removing it`);
    rmSync(installDir, { recursive: true, force: true });
  }
  if (!existsSync(SYSTEM_RIPGREP)) {
    throw new Error(`${SYSTEM_RIPGREP} not found: run \`apt-get install -y ripgrep\` (code-server needs it and cannot download it offline)`);
  }

  const parent = path.dirname(installDir);
  mkdirSync(parent, { recursive: true });
  removeAbandonedStaging(parent);
  const staging = mkdtempSync(path.join(parent, `.install-${CODE_SERVER_VERSION}-`));
  const privateTmp = mkdtempSync(path.join(tmpdir(), 'prompt-capsule-e2e-npm-'));
  try {
    const ripgrepCache = path.join(privateTmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
    mkdirSync(ripgrepCache, { recursive: true });
    await runToCompletion('tar', ['-czf', path.join(ripgrepCache, RIPGREP_ASSET), '-C', path.dirname(SYSTEM_RIPGREP), 'rg'], {
      timeoutMs: 30_000,
      capture: true,
    });

    step(`installing code-server@${CODE_SERVER_VERSION} into ${installDir} (one time, about 1-2 min; native modules build from source)`);
    writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'prompt-capsule-e2e-code-server', private: true }, null, 2));
    const env = {
      ...process.env,
      // npm refuses lifecycle scripts as root without this.
      npm_config_unsafe_perm: 'true',
      // node-pty's postinstall runs `npx node-gyp`, which must not prompt.
      npm_config_yes: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      TMPDIR: privateTmp,
    };
    const nodeHeaders = nodeHeadersDir();
    if (!process.env.npm_config_nodedir && nodeHeaders) {
      // Native addons need Node's headers; node-gyp would otherwise download them.
      env.npm_config_nodedir = nodeHeaders;
    }
    // Run from the staging folder so the repository's .npmrc and package.json play no part.
    const output = await runToCompletion('npm', ['install', '--prefix', staging, '--no-save', '--omit=dev', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: staging,
      env,
      timeoutMs: INSTALL_TIMEOUT_MS,
      capture: true,
    });
    writeFileSync(path.join(staging, COMPLETE_MARKER), `code-server@${CODE_SERVER_VERSION} installed ${new Date().toISOString()}\n`);
    const missing = requiredFiles(staging).checks.filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new Error(`code-server install is incomplete, missing:\n  ${missing.join('\n  ')}\nnpm output:\n${output.split('\n').slice(-40).join('\n')}`);
    }
    try {
      renameSync(staging, installDir);
    } catch (error) {
      // Another run may have finished the same install first; theirs is as good as ours.
      if (!isComplete(installDir)) throw error;
    }
    step(`code-server ${CODE_SERVER_VERSION} installed`);
    return entry;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(privateTmp, { recursive: true, force: true });
  }
}

/** Staging folders of installs that were killed (a finished install renames its own away). */
function removeAbandonedStaging(parent) {
  const prefix = `.install-${CODE_SERVER_VERSION}-`;
  for (const name of readdirSync(parent)) {
    const full = path.join(parent, name);
    if (!name.startsWith(prefix)) continue;
    // Younger than the install timeout: possibly a run that is installing right now.
    if (Date.now() - statSync(full).mtimeMs < INSTALL_TIMEOUT_MS) continue;
    rmSync(full, { recursive: true, force: true });
  }
}

/** Folder whose include/node holds the running Node's headers, if it has them. */
function nodeHeadersDir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}
