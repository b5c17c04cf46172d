/**
 * Fails a test file that leaves sockets, servers, timers or child processes behind. What keeps
 * the process alive once every test and `after` hook of the file ran, beyond what was active
 * when this module loaded (stdio aside), is reported as a leak. Every test file
 * imports it itself, and helpers do not, so the bench (which uses helpers) runs without
 * node:test's hooks (test/leak-guard.test.ts checks both).
 * Only referenced handles and timers count: unref()'d ones do not keep a process alive.
 */
import { after } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import type net from 'node:net';

/** Closing is asynchronous: a socket destroyed by the last hook is gone a few ticks later. */
const SETTLE_MS = 2_000;
/** Active resources that have no handle object; their counts are compared instead. */
const COUNTED = ['Timeout', 'Immediate'];

const activeHandles = (): object[] => (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
const stdio = () => new Set<object>([process.stdin, process.stdout, process.stderr]);

const handlesAtStart = new Set(activeHandles());
const countsAtStart = countTypes();

// Queued: registered once the test file's imports and body have run, so after the file's own
// top-level `after` hooks, and run last. A top-level await in a test file would break this
// (test/leak-guard.test.ts forbids one).
queueMicrotask(() => after(checkForLeaks));

async function checkForLeaks(): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  let leaks = findLeaks();
  while (leaks.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    leaks = findLeaks();
  }
  if (leaks.length === 0) return;
  // The leaked handles would keep this file's process, and so `npm test`, from ever ending.
  setTimeout(() => process.exit(1), 1_000).unref();
  throw new Error(`the file left behind: ${leaks.join('; ')}`);
}

function findLeaks(): string[] {
  const ignored = stdio();
  const handles = activeHandles().filter((handle) => !handlesAtStart.has(handle) && !ignored.has(handle));
  const counts = countTypes();
  const extra = COUNTED.flatMap((type) => {
    const more = (counts.get(type) ?? 0) - (countsAtStart.get(type) ?? 0);
    return more > 0 ? [`${more} ${type}${more > 1 ? 's' : ''} (a timer not cleared)`] : [];
  });
  return [...handles.map(describeHandle), ...extra];
}

function countTypes(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function describeHandle(handle: object): string {
  const name = handle.constructor?.name ?? 'handle';
  if (name === 'ChildProcess') {
    const child = handle as ChildProcess;
    return `child process ${child.pid} (${child.spawnargs.join(' ')})`;
  }
  if (name === 'Server') {
    const address = (handle as net.Server).address();
    if (!address) return 'server (closing)';
    return `server listening on ${typeof address === 'string' ? address : `${address.address}:${address.port}`}`;
  }
  if (name === 'Socket') {
    const socket = handle as net.Socket;
    if (socket.remotePort === undefined) return 'socket (not connected)';
    return `socket ${socket.localAddress}:${socket.localPort} -> ${socket.remoteAddress}:${socket.remotePort}`;
  }
  return name;
}
