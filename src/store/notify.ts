// PostgreSQL LISTEN/NOTIFY for the caches that several nodes on one database must keep fresh (src/services/cacheBus.ts):
// one channel per Mesure schema, so that Mesures sharing a database (tests do) do not hear each other.
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './db';

/** The channel of a schema's cache changes (a NOTIFY channel is database-wide). */
export function changesChannel(schema: string | undefined): string {
  return `mesure_cache:${schema ?? 'public'}`;
}

/** Sends one change to every node listening on the channel (itself included). */
export async function notifyChange(db: Db, channel: string, payload: string): Promise<void> {
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db.kysely);
}

export interface Listening {
  close(): Promise<void>;
}

/**
 * Holds one connection that listens on the channel. `onLost` is called when it drops (changes may have been missed
 * until `onListening` is called again after the reconnection, retried every `retryMs`).
 */
export async function listenForChanges(
  url: string,
  channel: string,
  on: { message(payload: string): void; lost(err: Error): void; listening(): void },
  retryMs = 1000,
): Promise<Listening> {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) on.message(n.payload);
    });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('the listening connection ended')));
    await c.connect();
    await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    on.listening();
  };
  const lost = (c: pg.Client, err: Error) => {
    if (closed || client !== c) return;
    client = null;
    void c.end().catch(() => {});
    on.lost(err);
    schedule();
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch((err: Error) => {
        on.lost(err);
        schedule();
      });
    }, retryMs);
    retry.unref();
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
