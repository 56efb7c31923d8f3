// The journeys and goals commands as a user runs them: `mesure journeys list|report` and `mesure goals evaluate`,
// as child processes on the SQLite file of a Mesure set up through the API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeMesure, type TestMesure } from './support';
import { runCli, TEST_SECRET_KEY } from '../bench/support';

let m: TestMesure;
let env: Record<string, string>;
let journeyId: string;

beforeAll(async () => {
  m = await makeMesure('sqlite');
  env = { DATABASE_URL: m.config.database.url, MESURE_DEMO: '0', MESURE_SECRET_KEY: TEST_SECRET_KEY };
  const call = async (url: string, payload: object) => (await m.app.inject({ method: 'POST', url, headers: m.auth, payload })).json();
  const campaign = (await call('/v1/campaigns', { name: 'Welcome email', channel: 'email' })).id as string;
  journeyId = (await call('/v1/journeys', { name: 'Welcome', steps: [{ name: 'Email', channel: 'email', campaignIds: [campaign] }] })).id;
  const reg = await call(`/v1/campaigns/${campaign}/messages`, { messages: [{ recipient: { email: 'a@shop.test' } }, { recipient: { email: 'b@shop.test' } }] });
  const ids = reg.messages.map((x: { messageId: string }) => x.messageId);
  const at = new Date().toISOString();
  await call('/v1/events', { events: [{ type: 'delivered', at, messageId: ids[0] }, { type: 'delivered', at, messageId: ids[1] }, { type: 'opened', at, messageId: ids[0] }] });
  await call(`/v1/journeys/${journeyId}/goals`, { kind: 'target', metric: 'openRate', comparator: '>=', target: 0.4 });
}, 30_000);
afterAll(async () => {
  await m.cleanup();
});

it('lists journeys and prints a report with the chosen figures, and writes its recipients as CSV', async () => {
  const list = await runCli(['journeys', 'list', '--account', m.accountId], env);
  expect(list).toContain(`${journeyId}  active  Welcome  [email]`);
  expect(list).toContain('sent 2  open rate 0.5000');
  const csvPath = join(m.config.database.url.replace(/^file:/, '').replace(/mesure\.db$/, ''), 'journey.csv');
  const report = await runCli(['journeys', 'report', journeyId, '--account', m.accountId, '--metrics', 'sent,openRate', '--csv', csvPath], env);
  expect(report).toContain('sent                   2');
  expect(report).toContain('openRate               0.5000');
  expect(report).toContain('Wrote 2 recipient(s)');
  expect(readFileSync(csvPath, 'utf8').trim().split('\n')).toHaveLength(3);
  await expect(runCli(['journeys', 'report', journeyId, '--account', m.accountId, '--metrics', 'happiness'], env)).rejects.toThrow(/unknown figure\(s\) happiness/);
}, 60_000);

it('evaluates goals and stores the snapshot of the day', async () => {
  expect(await runCli(['goals', 'evaluate'], env)).toContain('Evaluated 1 goal(s).');
  const snapshots = await m.db.kysely.selectFrom('goal_snapshots').selectAll().execute();
  expect(snapshots).toHaveLength(1);
  expect(snapshots[0]).toMatchObject({ value: 0.5, progress: 1, achieved: 1 });
}, 60_000);
