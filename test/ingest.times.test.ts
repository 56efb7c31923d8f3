// A time that is not a whole number of milliseconds is refused by the ingestor, item by item, before anything is
// written, on both engines alike (issue #20: PostgreSQL's bigint refused one mid-load while SQLite kept it as a real).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

forEachEngine('ingestor: times in whole milliseconds', (engine) => {
  let m: TestMesure;
  beforeEach(async () => {
    m = await makeMesure(engine);
  });
  afterEach(async () => m.cleanup());

  const at = Date.UTC(2026, 11, 1, 10);

  it('refuses a fractional registration time and stores no message of the batch', async () => {
    const c = await m.deps.campaigns.create(m.accountId, { name: 'Times', channel: 'sms' });
    const r = await m.deps.ingestor.register(m.accountId, c.id, [
      { recipient: { phone: '+33612345601' }, registeredAt: at },
      { recipient: { phone: '+33612345602' }, registeredAt: at + 0.5 },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(422);
    expect(r.errors).toEqual([{ index: 1, field: 'registeredAt', message: `${at + 0.5} is not a whole number of milliseconds` }]);
    expect((await m.deps.campaigns.recipients(m.accountId, c.id, { limit: 10 })).items).toEqual([]);
  });

  it('refuses a fractional event time or cost and applies no event of the batch', async () => {
    const c = await m.deps.campaigns.create(m.accountId, { name: 'Times', channel: 'sms' });
    const reg = await m.deps.ingestor.register(m.accountId, c.id, [{ recipient: { phone: '+33612345601' }, registeredAt: at }]);
    if (!reg.ok) throw new Error(reg.message);
    const ref = { kind: 'id' as const, messageId: reg.value[0].messageId };
    // The demo's scan time that stopped `demo --scale 20` on PostgreSQL (issue #20), after a valid one.
    const r = await m.deps.ingestor.ingest(m.accountId, [
      { type: 'sent', at: at + 1000, ref, costMinor: 4.5 },
      { type: 'delivered', at: 1795223859531.6096, ref },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(422);
    expect(r.errors).toEqual([
      { index: 0, field: 'costMinor', message: '4.5 must be a whole number of minor units (cents)' },
      { index: 1, field: 'at', message: '1795223859531.6096 is not a whole number of milliseconds' },
    ]);
    // Nothing applied: the message is still only registered (the `sent` went with the batch).
    const [recipient] = (await m.deps.campaigns.recipients(m.accountId, c.id, { limit: 10 })).items;
    expect(recipient.status).toBe('pending');
    expect(recipient.sentAt).toBeNull();
  });
});
