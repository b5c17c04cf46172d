/**
 * One customer session as the SMPP server keeps it: its bind, its raw PDU bytes, its idle timer
 * and its window of unacknowledged deliver_sm (paused after ESME_RTHROTTLED / ESME_RMSGQFUL).
 */
import type { PDU, Session } from 'smpp';
import type { SmppCredential } from '../../store/store.js';
import type { Clock } from '../../model/clock.js';

export type BindType = 'transmitter' | 'receiver' | 'transceiver';

export interface DeliverAnswer {
  /** command_status of the deliver_sm_resp; undefined when none came. */
  status?: number;
  error?: string;
}

export class CustomerSession {
  bind?: BindType;
  credential?: SmppCredential;
  /** A bind is being checked (the password hash takes a moment). */
  binding = false;
  closed = false;
  /** Body of the PDU being handled (everything after command_length). */
  lastRaw?: Buffer;
  private inflight = 0;
  private waiters: Array<() => void> = [];
  private pausedUntil = 0;
  private sent = 0;
  private pending = new Map<number, (answer: DeliverAnswer) => void>();

  constructor(
    readonly session: Session,
    readonly id: number,
    private readonly clock: Clock,
    private readonly window: number,
  ) {
    // The package reads command_length, then the body, from the socket; keeping the last read
    // gives the raw body of the PDU it is about to emit.
    const socket = session.socket as unknown as { read(size?: number): Buffer | null };
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => {
      const chunk = read(size);
      if (chunk && size !== 4) this.lastRaw = chunk;
      return chunk;
    };
  }

  get systemId(): string | undefined {
    return this.credential?.system_id;
  }

  canSubmit(): boolean {
    return this.bind === 'transmitter' || this.bind === 'transceiver';
  }

  canReceive(): boolean {
    return !this.closed && (this.bind === 'receiver' || this.bind === 'transceiver');
  }

  /** Free window slots, 0 while paused. */
  load(): number {
    return this.inflight + (this.clock.now() < this.pausedUntil ? this.window : 0);
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /** Waits for a window slot (and the end of a pause) for at most `timeoutMs`; false if none came. */
  async acquire(timeoutMs: number): Promise<boolean> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      if (this.closed) return false;
      const pauseLeft = this.pausedUntil - this.clock.now();
      if (pauseLeft > 0) {
        if (this.clock.now() + pauseLeft > deadline) return false;
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, pauseLeft));
        continue;
      }
      if (this.inflight < this.window) {
        this.inflight += 1;
        return true;
      }
      const left = deadline - this.clock.now();
      if (left <= 0) return false;
      const got = await new Promise<boolean>((resolve) => {
        const waiter = () => {
          this.clock.clearTimeout(timer);
          resolve(true);
        };
        const timer = this.clock.setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, left);
        this.waiters.push(waiter);
      });
      if (!got) return false;
    }
  }

  release(): void {
    this.inflight = Math.max(0, this.inflight - 1);
    this.waiters.shift()?.();
  }

  /** Sends one deliver_sm and waits for its answer (a slot must be held). */
  deliver(params: Record<string, unknown>, timeoutMs: number): Promise<DeliverAnswer> {
    return new Promise((resolve) => {
      const sequence = ++this.sent;
      const finish = (answer: DeliverAnswer) => {
        this.clock.clearTimeout(timer);
        this.pending.delete(sequence);
        resolve(answer);
      };
      const timer = this.clock.setTimeout(() => finish({ error: 'no deliver_sm_resp in time' }), timeoutMs);
      const sent = this.session.deliver_sm(params, (answer: PDU) => finish({ status: answer.command_status }));
      if (!sent) return finish({ error: 'session closed' });
      this.pending.set(sequence, finish);
    });
  }

  /** The connection is gone: every waiting deliver_sm is answered as lost. */
  markClosed(): void {
    this.closed = true;
    for (const finish of [...this.pending.values()]) finish({ error: 'session closed before deliver_sm_resp' });
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
