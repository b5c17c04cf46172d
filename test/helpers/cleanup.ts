/** Things a test file started, closed in reverse order once all its tests ran. */
import { after } from 'node:test';

export function closeAfterAll(): { push(...closers: Array<() => Promise<void>>): void } {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });
  return { push: (...more) => void closers.push(...more) };
}
