/** A message waiting in the outbox, as it will be published. */
export interface OutboxRow {
  seq: number;
  messageId: string;
  type: string;
  /** The whole envelope, as JSON. */
  payload: string;
  createdAt: string;
}

/** What every service keeps for its side of the broker: its inbox and its outbox. */
export interface MessagingStore {
  /**
   * Holds back every other transaction that locks the same correlation id until this one ends,
   * so the messages of one saga are applied one at a time, whichever instance took them. (On
   * SQLite one writer holds everything already.)
   */
  lockConversation(correlationId: string): Promise<void>;
  /**
   * Locks the message's conversation (as `lockConversation` its correlation id), then records
   * the message as handled; false when it already was, so a redelivered or duplicated message
   * has no second effect. Call inside the transaction that applies the effect.
   */
  recordFirstDelivery(message: { messageId: string; type: string; correlationId: string }, now: Date): Promise<boolean>;
  /**
   * Forgets up to `limit` ids handled before `cutoff`, oldest first; how many it forgot. A
   * duplicate of one of them that arrives later is handled again, so the window must outlast
   * any redelivery or outbox resend (see INBOX_RETENTION_MS).
   */
  forgetHandledBefore(cutoff: Date, limit: number): Promise<number>;
  /** Adds messages to send; call inside the transaction that makes the state change. */
  addToOutbox(rows: readonly Omit<OutboxRow, 'seq'>[]): Promise<void>;
  /**
   * Up to `limit` rows to publish, oldest first, none handed out before unless released (or,
   * where several instances share the outbox, unless its claim has lapsed: its relay died).
   * Run outside a transaction: a group's rows are claimed only once they are committed.
   */
  claimOutbox(limit: number): Promise<OutboxRow[]>;
  /** Rows whose publish failed: claimed again by the next `claimOutbox`. */
  releaseOutbox(seqs: readonly number[]): Promise<void>;
  /** Removes published rows. */
  removeFromOutbox(seqs: readonly number[]): Promise<void>;
  /** How many rows wait, and since when the oldest. */
  outboxBacklog(): Promise<{ pending: number; oldest: string | null }>;
}
