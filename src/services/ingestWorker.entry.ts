// The ingestion worker thread (see ingestWorker.ts): its own SQLite connection, and the services that write clicks and
// webhook deliveries, wired with the same Ingestor hooks as src/main.ts section 4 (attribution re-credits orders after
// events apply; budgets price reported costs). If main.ts gains or loses a hook, the signatures differ and the worker
// refuses to run, so ingestion stays on the request thread rather than apply events differently.
// Its services count into no metrics (GET /metrics): the request thread counts what this thread reports it applied.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/db';
import { AccountDirectory } from './accounts';
import { Writer } from './writer';
import { Ingestor } from './ingest';
import { Tracking } from './tracking';
import { Webhooks } from './webhooks';
import { Attribution, trackingClickResolver } from './attribution';
import { Alerts } from './alerts';
import { Billing } from './billing';
import { Budgets, trackingForGate } from './budgets';
import { Inbox } from './inbox';
import { SecretBox } from './secrets';
import { ErasureKeys } from './erasure';
import { Feedback } from './feedback';
import type { IncomingEvent } from '../domain/types';
import type { PreparedBatch } from './ingest';
import { hookSignature, sameHooks, type FromWorker, type ToWorker, type WorkerSetup } from './ingestWorker';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const send = (m: FromWorker) => port.postMessage(m);

const db = await openDatabase(setup.databaseUrl);
const [currentKey, ...previousKeys] = setup.secretKeys.map((k) => Buffer.from(k, 'base64'));
const box = new SecretBox(currentKey, previousKeys);
const accounts = new AccountDirectory(db);
const writer = new Writer(db);
const ingestor = new Ingestor(db, writer, accounts);
ingestor.erasure = new ErasureKeys(writer, box);
const tracking = new Tracking(db, writer, ingestor, accounts, { publicUrl: setup.publicUrl });
const webhooks = new Webhooks(db, box, writer, ingestor, accounts, setup.publicUrl);
const attribution = new Attribution(db, writer, accounts, trackingClickResolver(() => tracking));
ingestor.afterApply.push(attribution.onEventsApplied);
ingestor.afterApply.push(new Feedback(db).recordFeedback);
const alerts = new Alerts(db, box);
// Alerts are sent by the request thread's Alerts (its sweep retries them too): two senders could deliver one twice.
alerts.kick = () => send({ type: 'alerts' });
const billing = new Billing(db, box, writer, accounts, alerts);
const budgets = new Budgets(db, writer, accounts, ingestor, billing, alerts);
budgets.tracking = trackingForGate(() => tracking);
ingestor.costing = budgets;

const mine = hookSignature(ingestor);
if (!sameHooks(mine, setup.hooks)) {
  send({ type: 'refused', reason: `the request thread's ingestion hooks ${JSON.stringify(setup.hooks)} differ from the worker's ${JSON.stringify(mine)}` });
  await db.close();
  port.close();
} else {
  const inbox = new Inbox(db, writer, tracking, webhooks, ingestor, (report) => send({ type: 'processed', report }));
  const leftover = inbox.start();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'forget') {
      accounts.forget(m.accountId);
      attribution.invalidate(m.accountId);
    } else if (m.type === 'close') {
      // The request thread sends this once every call it made has been answered: nothing is in flight. Rows still in
      // the inbox stay there and are applied at the next start; a slice being applied commits or rolls back whole.
      void inbox.stop().then(() => db.close()).finally(() => port.close());
    } else {
      // Tasks run concurrently: the Writer groups those that arrive together into one transaction (one fsync).
      const { id, task } = m;
      const work: Promise<unknown> =
        task.kind === 'visits' ? inbox.appendVisits(task.accounts, task.visits)
          : task.kind === 'deliveries' ? inbox.appendDeliveries(task.accounts, task.deliveries, task.eventsOnly)
            : task.kind === 'events' ? inbox.appendEvents(task.accountId, JSON.parse(task.events) as IncomingEvent[] | PreparedBatch)
              : task.kind === 'settle' ? inbox.settle(task.seq)
                : task.kind === 'retryDeadLetter' ? inbox.retryDeadLetter(task.accountId, task.id)
                  : inbox.drain();
      work.then(
        (value) => send({ type: 'result', id, ok: true, value }),
        (err: unknown) => send({ type: 'result', id, ok: false, message: (err as Error)?.message ?? String(err) }),
      );
    }
  });
  send({ type: 'ready', leftover });
}
