/** Runs statusrelay as a real child process (for crash tests and multi-node tests). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAST_ENV } from './relay.js';
import type { Credentials } from '../../src/intake/accounts.js';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function createAccountCli(databaseUrl: string, name = 'crash test'): Credentials {
  const result = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'account', 'create', '--name', name], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`account create failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `node dist/src/main.js` and resolves once it answers /healthz. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(DIST, 'main.js')], {
    env: { ...process.env, ...FAST_ENV, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`statusrelay exited early with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return { child, baseUrl, exited };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('statusrelay did not start within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
