// The Feedback page end to end in real headless Chromium against a real Mesure (SQLite file, real HTTP on 127.0.0.1):
// in French at desktop width, the list loads 50 then "load more" brings the rest, filters by kind and keyword; in
// English at phone width, the campaign page shows its counts and links to its own feedback, and nothing overflows.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, loggedInPage, settle, SHOTS, startE2E, type E2E } from './browser';
import type { IncomingEvent } from '../../src/domain/types';

const OWNER = { email: 'owner@feedback.test', password: 'owner-first-password' };
const MIN = 60_000;

describeInChromium('feedback page in Chromium', 'feedback', () => {
  let e2e: E2E;
  let smsCampaign = '';

  const loggedIn = (locale: 'fr-FR' | 'en-US', width: number, path: string) => loggedInPage(e2e, OWNER, { locale, width }, path);
  const texts = (page: Page) => page.getByTestId('feedback-text').allInnerTexts();

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-feedback-');
    const m = e2e.m;
    const accountId = (await m.deps.accounts.create({ name: 'Feedback shop' })).id;
    await m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    const t0 = Date.now() - 3 * 60 * MIN;
    // WhatsApp: 55 replies, the first a STOP, the second about the delivery. SMS: "Arrêt" (an opt-out) and a complaint.
    const wa = await m.deps.campaigns.create(accountId, { name: "Soldes d'hiver", channel: 'whatsapp' });
    const sms = await m.deps.campaigns.create(accountId, { name: 'Rappel SMS', channel: 'sms' });
    smsCampaign = sms.id;
    const registered = await m.deps.ingestor.register(accountId, wa.id, Array.from({ length: 55 }, (_, i) => ({ recipient: { phone: `+336120000${String(i).padStart(2, '0')}` } })));
    const smsRegistered = await m.deps.ingestor.register(accountId, sms.id, [{ recipient: { phone: '+33613000001' } }, { recipient: { phone: '+33613000002' } }]);
    if (!registered.ok || !smsRegistered.ok) throw new Error('registration failed');
    const text = (i: number) => (i === 0 ? 'STOP' : i === 1 ? 'La livraison était en retard' : `Merci pour l'offre n°${i}`);
    const events: IncomingEvent[] = registered.value.map((r, i) => ({ type: 'replied', at: t0 + i * MIN, ref: { kind: 'id', messageId: r.messageId }, text: text(i) }));
    events.push({ type: 'replied', at: t0 + 100 * MIN, ref: { kind: 'id', messageId: smsRegistered.value[0].messageId }, text: 'Arrêt' });
    events.push({ type: 'complained', at: t0 + 101 * MIN, ref: { kind: 'id', messageId: smsRegistered.value[1].messageId } });
    const ingested = await m.deps.ingestor.ingest(accountId, events);
    if (!ingested.ok) throw new Error(ingested.message);
    await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('lists, loads more and filters, in French at desktop width', async () => {
    const fr = await loggedIn('fr-FR', 1280, '/');
    await fr.getByTestId('nav-feedback').click();
    await fr.getByTestId('feedback-list').waitFor();
    await settle(fr);
    expect(await fr.locator('h1').innerText()).toBe('Retours');
    // 54 replies (55 WhatsApp less the STOP), 2 opt-outs (STOP, Arrêt), 1 complaint: 57 rows.
    expect(await fr.getByTestId('feedback-count-replies').innerText()).toContain('54');
    expect(await fr.getByTestId('feedback-count-optOuts').innerText()).toContain('2');
    expect(await fr.getByTestId('feedback-count-complaints').innerText()).toContain('1');
    expect(await fr.getByTestId('feedback-item').count()).toBe(50);
    // Newest first: the complaint (+101 min), "Arrêt" (+100 min), then WhatsApp's from n°54 down.
    const first = await texts(fr);
    expect(first.slice(0, 3)).toEqual(['Plainte pour spam (sans texte)', 'Arrêt', "Merci pour l'offre n°54"]);
    expect(await fr.getByTestId('feedback-item').first().innerText()).toContain('Plainte');
    await fr.screenshot({ path: join(SHOTS, 'feedback-desktop-fr.png'), fullPage: false });

    await fr.getByTestId('feedback-more').click();
    await expect.poll(() => fr.getByTestId('feedback-item').count()).toBe(57);
    expect((await texts(fr)).slice(-2)).toEqual(['La livraison était en retard', 'STOP']);
    expect(await fr.getByTestId('feedback-more').count()).toBe(0);

    await fr.getByTestId('feedback-kind').selectOption('opt_out');
    await expect.poll(() => texts(fr)).toEqual(['Arrêt', 'STOP']);
    expect(fr.url()).toContain('kind=opt_out');
    await fr.getByTestId('feedback-kind').selectOption('');
    await fr.getByTestId('feedback-keyword').fill('LIVRAISON');
    await expect.poll(() => texts(fr)).toEqual(['La livraison était en retard']);
    // The export link carries the filters, and the owner's session downloads it.
    expect(await fr.getByTestId('feedback-export').getAttribute('href')).toBe('/v1/feedback/export.csv?q=LIVRAISON');
    const csv = await fr.evaluate(async () => (await fetch('/v1/feedback/export.csv?q=LIVRAISON')).text());
    expect(csv.trimEnd().split('\n')).toHaveLength(2);
    expect(csv).toContain('La livraison était en retard');
    await fr.getByTestId('feedback-keyword').fill('rien de tel');
    await fr.getByTestId('feedback-empty').waitFor();
    expect(await fr.getByTestId('feedback-empty').innerText()).toBe('Aucun retour ne correspond à ces filtres.');
  }, 120_000);

  it("reaches a campaign's feedback from its page, in English at phone width", async () => {
    const en = await loggedIn('en-US', 390, `/campaigns/${smsCampaign}`);
    const section = en.getByTestId('section-feedback');
    await section.waitFor();
    expect(await section.locator('h2').innerText()).toBe('Feedback');
    // The SMS campaign: no reply, one opt-out ("Arrêt"), one complaint.
    expect(await en.getByTestId('campaign-feedback-replies').innerText()).toContain('0');
    expect(await en.getByTestId('campaign-feedback-optOuts').innerText()).toContain('1');
    expect(await en.getByTestId('campaign-feedback-complaints').innerText()).toContain('1');
    await en.getByTestId('campaign-feedback-link').click();
    await en.getByTestId('feedback-list').waitFor();
    await settle(en);
    expect(en.url()).toContain(`/feedback?campaign=${smsCampaign}`);
    expect(await en.getByTestId('feedback-campaign').inputValue()).toBe(smsCampaign);
    expect(await texts(en)).toEqual(['Spam complaint (no text)', 'Arrêt']);
    expect(await en.getByTestId('feedback-list').innerText()).toContain('Opt-out');
    expect(await en.getByTestId('feedback-count-optOuts').innerText()).toContain('Opt-out replies');
    // Nothing wider than the phone's screen.
    expect(await en.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await en.screenshot({ path: join(SHOTS, 'feedback-phone-en.png'), fullPage: true });
  }, 120_000);
});
