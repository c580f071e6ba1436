// Starts and stops code-server instances with private state folders, so a run never
// reads or writes the user's home directory and runs never see each other's state.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { runToCompletion, startTracked, stopProcess, tail } from './processes.mjs';

const LISTEN_TIMEOUT_MS = 60_000;
const INSTALL_EXTENSION_TIMEOUT_MS = 120_000;

// Quiet, deterministic workbench: nothing opens by itself, nothing is fetched.
const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'files.hotExit': 'off',
  'window.confirmBeforeClose': 'never',
  // VS Code for the Web saves after a delay by default; tests decide when files are saved.
  'files.autoSave': 'off',
};

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Creates the private folders and files one code-server instance uses. */
export function prepareState(stateDir) {
  const dirs = {
    stateDir,
    userDataDir: path.join(stateDir, 'user-data'),
    extensionsDir: path.join(stateDir, 'extensions'),
    xdgConfig: path.join(stateDir, 'xdg-config'),
    xdgData: path.join(stateDir, 'xdg-data'),
    xdgCache: path.join(stateDir, 'xdg-cache'),
    configFile: path.join(stateDir, 'config.yaml'),
    logFile: path.join(stateDir, 'code-server.log'),
  };
  for (const dir of [dirs.userDataDir, dirs.extensionsDir, dirs.xdgConfig, dirs.xdgData, dirs.xdgCache]) {
    mkdirSync(dir, { recursive: true });
  }
  mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  writeFileSync(dirs.configFile, 'auth: none\ncert: false\n');
  return dirs;
}

function commonArgs(dirs) {
  return [
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--config', dirs.configFile,
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
  ];
}

function childEnv(dirs, extraEnv) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    ...extraEnv,
  };
}

/** Installs a VSIX into the instance's extensions folder and returns `--list-extensions` output. */
export async function installExtension(entry, dirs, vsixPath) {
  await runToCompletion(process.execPath, [entry, ...commonArgs(dirs), '--install-extension', vsixPath, '--force'], {
    env: childEnv(dirs, {}),
    timeoutMs: INSTALL_EXTENSION_TIMEOUT_MS,
    capture: true,
  });
  return runToCompletion(process.execPath, [entry, ...commonArgs(dirs), '--list-extensions', '--show-versions'], {
    env: childEnv(dirs, {}),
    timeoutMs: INSTALL_EXTENSION_TIMEOUT_MS,
    capture: true,
  });
}

/**
 * Starts code-server on a free port and resolves once it listens.
 * The returned `stop()` ends it and every process it started.
 */
export async function startCodeServer(entry, dirs, { extraEnv = {} } = {}) {
  const port = await freePort();
  const log = createWriteStream(dirs.logFile);
  const child = startTracked(process.execPath, [entry, ...commonArgs(dirs), '--bind-addr', `127.0.0.1:${port}`], {
    env: childEnv(dirs, extraEnv),
    cwd: dirs.stateDir,
  });
  let output = '';
  const onData = (chunk) => {
    output += chunk;
    log.write(chunk);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`code-server did not print "HTTP server listening" within ${LISTEN_TIMEOUT_MS / 1000} s; log ${dirs.logFile}:\n${tail(output)}`)), LISTEN_TIMEOUT_MS);
    const poll = () => {
      if (/HTTP server listening/.test(output)) done();
    };
    const onExit = (code, signal) => done(new Error(`code-server exited (${code ?? signal}) before listening; log ${dirs.logFile}:\n${tail(output)}`));
    child.stdout.on('data', poll);
    child.stderr.on('data', poll);
    child.once('exit', onExit);
    function done(error) {
      clearTimeout(timer);
      child.stdout.off('data', poll);
      child.stderr.off('data', poll);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
  }).catch(async (error) => {
    await stopProcess(child);
    log.end();
    throw error;
  });

  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    logFile: dirs.logFile,
    output: () => output,
    async stop() {
      await stopProcess(child);
      log.end();
    },
  };
}
