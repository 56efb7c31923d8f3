// Keeps the in-memory caches of several nodes on one database fresh: a change made through one node (account settings
// or suspension, a revoked link, a provider secret) is dropped from that node's caches at once and announced to the
// others with PostgreSQL NOTIFY, which drop it when they hear it (milliseconds). While a node's listening connection is
// down it may miss changes: it drops every cache when the connection is lost and again when it listens anew.
// SQLite has one serving process: the bus only drops the caches of this process.
import type { Db } from '../store/db';
import { changesChannel, listenForChanges, notifyChange, type Listening } from '../store/notify';

export type CacheChange =
  | { kind: 'account'; accountId: string }
  | { kind: 'link'; accountId: string; token: string }
  | { kind: 'secret'; accountId: string; provider: string };

/** What a cache does with a change: `everything` when changes may have been missed. */
export type CacheListener = (change: CacheChange | 'everything') => void;

export class CacheBus {
  private readonly listeners: CacheListener[] = [];
  private listening: Listening | null = null;
  private readonly channel: string;

  constructor(private readonly db: Db, private readonly url: string) {
    this.channel = changesChannel(db.schema);
  }

  /** PostgreSQL: listens for the other nodes' changes before the node serves (a start that cannot listen fails). */
  async start(): Promise<this> {
    if (this.db.kind !== 'postgres') return this;
    this.listening = await listenForChanges(this.url, this.channel, {
      message: (payload) => {
        let change: CacheChange;
        try {
          change = JSON.parse(payload) as CacheChange;
        } catch {
          return;
        }
        this.deliver(change);
      },
      lost: (err) => {
        process.stderr.write(`[caches] the connection that hears other nodes' changes was lost (${err.message}): caches dropped, reconnecting\n`);
        this.deliver('everything');
      },
      listening: () => this.deliver('everything'),
    });
    return this;
  }

  subscribe(listener: CacheListener): void {
    this.listeners.push(listener);
  }

  /** Drops the change from this node's caches now, then tells the other nodes (after the change has committed). */
  async publish(change: CacheChange): Promise<void> {
    this.deliver(change);
    if (this.db.kind !== 'postgres') return;
    try {
      await notifyChange(this.db, this.channel, JSON.stringify(change));
    } catch (err) {
      // The change itself is stored; only the other nodes' caches stay stale, until their own expiry.
      process.stderr.write(`[caches] could not announce a change to the other nodes: ${(err as Error).message}\n`);
    }
  }

  private deliver(change: CacheChange | 'everything'): void {
    for (const l of this.listeners) l(change);
  }

  async close(): Promise<void> {
    await this.listening?.close();
    this.listening = null;
  }
}
