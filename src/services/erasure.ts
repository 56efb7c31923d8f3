// Each account's erasure pepper: the secret key of the one-way hashes (domain/erasure.ts `erasedKey`) an erased person's
// rows and suppression entries keep. Random per account and stored sealed like the other secrets (SecretBox), so that
// `mesure secrets rotate` re-seals it and the hashes stay valid: a key derived from MESURE_SECRET_KEY would change with
// the key, and every erased person would then be forgotten by the send gate.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema';
import { getErasurePepper, insertErasurePepper } from '../store/erasure';
import { findSuppressed } from '../store/suppressions';
import type { Channel } from '../domain/types';
import { erasedKey } from '../domain/erasure';
import type { SecretBox } from './secrets';
import type { Writer } from './writer';

type Handle = Kysely<DB> | Transaction<DB>;

/** Hashes identifiers of one account into their anonymous keys (`erased:<HMAC>`). */
export type Keyer = (identifier: string) => string;

export class ErasureKeys {
  /** Opened peppers: one never changes once made (rotation re-seals it, the plain bytes stay). */
  private readonly opened = new Map<string, Buffer>();

  constructor(private readonly writer: Writer, private readonly box: SecretBox, private readonly clock: () => number = Date.now) {}

  /** The account's keyer; null when it has never erased anyone (no pepper: nothing can be on its erased list). */
  async keyer(h: Handle, accountId: string): Promise<Keyer | null> {
    let pepper = this.opened.get(accountId);
    if (!pepper) {
      const stored = await getErasurePepper(h, accountId);
      if (stored === undefined) return null;
      pepper = Buffer.from(this.box.open(stored), 'base64');
      this.opened.set(accountId, pepper);
    }
    const p = pepper;
    return (identifier) => erasedKey(p, identifier);
  }

  /**
   * The account's keyer, making its pepper first if it has none, in a transaction of its own (committed before any
   * erasure uses it, so a rolled-back erasure never leaves a pepper only this process knows); a concurrent maker wins.
   */
  async ensure(accountId: string): Promise<Keyer> {
    const existing = await this.writer.run((trx) => this.keyer(trx, accountId));
    if (existing) return existing;
    return this.writer.run(async (trx) => {
      await insertErasurePepper(trx, { account_id: accountId, pepper: this.box.seal(randomBytes(32).toString('base64')), created_at: this.clock() });
      return (await this.keyer(trx, accountId))!;
    });
  }

  /**
   * Which of `candidates` (an identifier, as messages store it, and the channel its hash is listed on) belong to an
   * erased person, by index. Empty for an account that never erased anyone.
   */
  async erasedAmong(h: Handle, accountId: string, candidates: { channel: Channel; identifier: string }[]): Promise<Set<number>> {
    const out = new Set<number>();
    const key = candidates.length ? await this.keyer(h, accountId) : null;
    if (!key) return out;
    const hashed = candidates.map((c) => key(c.identifier));
    for (const channel of new Set(candidates.map((c) => c.channel))) {
      const listed = await findSuppressed(h, accountId, channel, hashed.filter((_, i) => candidates[i].channel === channel));
      candidates.forEach((c, i) => {
        if (c.channel === channel && listed.has(hashed[i])) out.add(i);
      });
    }
    return out;
  }
}
