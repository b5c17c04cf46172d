/** A provider connector: hands messages to a provider and reports what happens to them. */
import type { Message, ProviderReport, RecordResult } from '../model/types.js';

export interface Carrier {
  readonly name: string;
  /** Hands a stored message to the provider. Must not throw: failures become reports. */
  submit(message: Message): void;
  /** Picks up a message stored before a restart that is not in a terminal state. */
  resume(message: Message): void;
  stop(): Promise<void>;
}

/** What a carrier calls with each normalized report; resolves once the report is stored. */
export type ReportSink = (report: ProviderReport) => Promise<RecordResult>;
