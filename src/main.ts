// The composition root: config → database → store → services → server, read top to bottom.
import type { FastifyInstance } from 'fastify';
import { MESURE_VERSION, type Config } from './config';
import { migrateToLatest, openDatabase, pendingMigrations, type Db } from './store/db';
import { AccountDirectory } from './services/accounts';
import { Writer } from './services/writer';
import { Ingestor } from './services/ingest';
import { Campaigns } from './services/campaigns';
import { buildApp, type Deps, type RoutePlugin } from './http/app';
import { Alerts } from './services/alerts';
import { Billing } from './services/billing';
import { BudgetSweep, Budgets, trackingForGate } from './services/budgets';
import { SuppressionList } from './services/suppressions';
import { budgetRoutes } from './http/routes/budgets';
import { Attribution, trackingClickResolver } from './services/attribution';
import { Orders } from './services/orders';
import { orderRoutes } from './http/routes/orders';
import { declaredRoutes } from './http/routes/declared';
import { DeclaredSources } from './services/declared';
import { Conversions } from './services/conversions';
import { conversionRoutes } from './http/routes/conversions';
import { Webhooks } from './services/webhooks';
import { providerRoutes } from './http/routes/providers';
import { Sessions } from './services/sessions';
import { sessionResolver, sessionRoutes } from './http/routes/session';
import { settingsRoutes } from './http/routes/settings';
import { AuditTrail } from './services/audit';
import { auditRoutes } from './http/routes/audit';
import { Retention } from './services/retention';
import { retentionRoutes } from './http/routes/retention';
import { dashboardRoutes } from './http/static';
import { Tracking } from './services/tracking';
import { trackingRoutes } from './http/routes/tracking';
import { Journeys } from './services/journeys';
import { Goals } from './services/goals';
import { Experiments } from './services/experiments';
import { Incrementality } from './services/incrementality';
import { journeyRoutes } from './http/routes/journeys';
import { incrementalityRoutes } from './http/routes/incrementality';
import { startIngestWorker } from './services/ingestWorker';
import { Inbox } from './services/inbox';
import { VisitInbox } from './services/visitInbox';
import { DeadLetters, type DeadLetterRetrier } from './services/deadLetters';
import { ingestionRoutes } from './http/routes/ingestion';
import { metricsRoutes, PrometheusMetrics } from './http/metrics';
import { noMetrics } from './services/metrics';
import { countAllDeadLetters, getInboxBacklog } from './store/health';
import { CacheBus } from './services/cacheBus';
import { nodeName, PeriodicJob } from './services/periodic';
import { DataDriven } from './services/dataDriven';
import { prepareStoredSecrets, resolveSecretKeys, SecretBox, type SecretKeys } from './services/secrets';
import { ErasureKeys } from './services/erasure';
import { Contacts } from './services/contacts';
import { ContactPages } from './services/contactPage';
import { contactRoutes } from './http/routes/contacts';
import { Reports } from './services/reports';
import { smtpMailer } from './services/mailer';
import { reportRoutes } from './http/routes/reports';
import { feedbackRoutes } from './http/routes/feedback';
import { productRoutes } from './http/routes/products';
import { Products } from './services/products';
import { Feedback } from './services/feedback';
import { cohortRoutes } from './http/routes/cohorts';
import { Cohorts } from './services/cohorts';


/** PostgreSQL: the largest summed weight (events) of one group commit in the shared writer (see `assemble`). */
const PG_GROUP_WEIGHT = 2_000;
export interface Mesure {
  config: Config;
  db: Db;
  deps: Deps;
  /** The keys that seal stored secrets, and the box that seals and opens them with these keys. */
  secrets: { keys: SecretKeys; box: SecretBox };
  app: FastifyInstance;
  /**
   * Stops in order: no new connections, requests in flight answered (kept-alive connections closed as they finish),
   * clicks queued in memory stored, the ingestion worker's calls answered and its thread ended, background timers
   * stopped, then the database closed.
   */
  close(): Promise<void>;
  /** While `close` runs: what it has not finished yet, in words (the shutdown bound reports it when it cuts). */
  unfinished(): Promise<string[]>;
}

export interface StartOptions {
  /** Run migrations (default) or refuse to start when some are pending. */
  migrate?: boolean;
  logger?: boolean;
  clock?: () => number;
}

/** Opens the database, migrates it and wires every service; does not listen. */
export async function assemble(config: Config, opts: StartOptions = {}): Promise<Mesure> {
  // 1. The key that seals stored secrets (required on PostgreSQL; on SQLite the key file is made on first start),
  // then the database, migrated (or refused when migrations are pending and we were told not to run them).
  const keys = resolveSecretKeys(config);
  if (keys.source.kind === 'file' && keys.source.created) {
    process.stderr.write(`Created ${keys.source.path}: the key that seals the secrets stored in the database. Back it up apart from the database.\n`);
  }
  const secretBox = new SecretBox(keys.current, keys.previous);
  const db = await openDatabase(config.database.url, { schema: config.database.schema, poolSize: config.nodes.poolSize, sqlLog: config.sqlLog });
  try {
    if (opts.migrate === false) {
      const pending = await pendingMigrations(db);
      if (pending.length) {
        throw new Error(`The database is not migrated (${pending.length} pending: ${pending.join(', ')}). Run \`mesure migrate\` first.`);
      }
    } else {
      await migrateToLatest(db);
    }
  } catch (err) {
    await db.close();
    throw err;
  }

  // 2. Metrics (GET /metrics, MESURE_METRICS=1): a registry of this instance's own; services count into it, and its
  // gauges read the inbox, the dead letters and the connection pool when scraped. Off: services count into nothing.
  const clock = opts.clock ?? Date.now;
  const metrics = config.metrics.enabled
    ? new PrometheusMetrics({
      engine: db.kind,
      version: MESURE_VERSION,
      inbox: () => getInboxBacklog(db),
      deadLetters: () => countAllDeadLetters(db),
      pool: db.poolUse,
      clock,
    })
    : undefined;
  const counted = metrics ?? noMetrics;
  /** Where `close` is (see `unfinished`). */
  let stage: 'serving' | 'requests' | 'ingestion' | 'background' | 'database' | 'closed' = 'serving';

  // 3. Several nodes on one PostgreSQL database (docs/SCALING.md): the caches hear the other nodes' changes, and
  // periodic work is claimed per period in the database so that one node runs it. On SQLite: this process alone.
  let changes: CacheBus;
  try {
    changes = await new CacheBus(db, config.database.url).start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const node = nodeName(config.nodes.id);

  // 4. Core services.
  const accounts = new AccountDirectory(db, clock, changes);
  changes.subscribe(accounts.dropCached);
  // PostgreSQL: groups of at most 2,000 events (four API batches of 500) per transaction; the visits' folds join them
  // (below), so a group holding the daily-count and rollup rows' locks is not long. (SQLite: one writer, and the
  // worker's inbox takes the API's events.)
  const writer = new Writer(db, db.kind === 'postgres' ? PG_GROUP_WEIGHT : undefined);
  try {
    const { sealed } = await prepareStoredSecrets(db, writer, keys, secretBox);
    if (sealed) process.stderr.write(`Sealed ${sealed} secret(s) stored in plain text by an earlier version.\n`);
  } catch (err) {
    await changes.close();
    await db.close();
    throw err;
  }
  const ingestor = new Ingestor(db, writer, accounts, clock, counted);
  // Each account's erasure pepper: registration, the send gate and orders recognise erased people by their hashes.
  const erasureKeys = new ErasureKeys(writer, secretBox, clock);
  ingestor.erasure = erasureKeys;
  const campaigns = new Campaigns(db, accounts, undefined, clock);
  const deps = {
    config, db, accounts, ingestor, campaigns, writer, clock,
    publicUrl: config.http.publicUrl,
    bodyLimitBytes: config.http.bodyLimitBytes,
    logger: opts.logger,
    metrics,
  } as Deps;
  const plugins: RoutePlugin[] = [];
  if (metrics) plugins.push(metricsRoutes(metrics, config.metrics));

  // 5. Product areas: each adds its services to `deps` and its routes to `plugins`.
  // Provider webhooks (WhatsApp, Twilio, SendGrid, Mailgun, Postmark) and each account's provider secrets.
  deps.webhooks = new Webhooks(db, secretBox, writer, ingestor, accounts, config.http.publicUrl, clock, counted, changes);
  changes.subscribe(deps.webhooks.dropCached);
  plugins.push(providerRoutes);
  // Dashboard: sessions, settings, and the built front end at `/` (its catch-all GET never shadows API routes).
  // The audit trail first: its hook records every successful change of a route that declares an action.
  deps.audit = new AuditTrail(db, clock);
  plugins.push(auditRoutes);
  deps.sessions = new Sessions(db, accounts, deps.audit, clock);
  plugins.push(sessionRoutes, settingsRoutes, dashboardRoutes(config.webDist));

  // Tracking: short links, QR codes and the open pixel; clicks are batched into group commits.
  deps.tracking = new Tracking(db, writer, ingestor, accounts, { publicUrl: config.http.publicUrl, clock, changes });
  changes.subscribe(deps.tracking.dropCached);
  plugins.push(trackingRoutes);

  // Journeys, goals, A/B variants and holdout groups; goals and variants also appear on the campaign page, and
  // goals are evaluated daily (the timer stops when the app closes).
  deps.journeys = new Journeys(db, writer, accounts, campaigns, clock);
  deps.goals = new Goals(db, writer, accounts, campaigns, deps.journeys, clock);
  deps.experiments = new Experiments(db, writer, ingestor, accounts, campaigns, clock);
  campaigns.extras.push(async (accountId, id) => ({
    goals: (await deps.goals.list(accountId, { kind: 'campaign', id })) ?? [],
    variants: await deps.experiments.variantsForPage(accountId, id),
  }));
  // Incrementality: the campaigns with a holdout give their channel a factor, and every campaign its incremental
  // revenue and ROAS beside the attributed ones (cached per account; settings changes drop it on every node).
  deps.incrementality = new Incrementality(db, accounts, deps.experiments, clock);
  changes.subscribe(deps.incrementality.dropCached);
  campaigns.extras.push(async (accountId, id, figures) => {
    const campaign = await campaigns.get(accountId, id);
    return { incrementality: campaign ? await deps.incrementality.forCampaign(accountId, id, campaign.channel, figures) : null };
  });
  // Once a UTC day across the nodes: each looks every minute (the first a little after start, off the start's load).
  const goalEvaluation = new PeriodicJob({
    db, job: 'goal-evaluation', periodMs: 86_400_000, tickMs: 60_000, firstTickMs: 30_000, node, clock, run: async () => { await deps.goals.evaluateAll(); },
  }).start();
  plugins.push(journeyRoutes, incrementalityRoutes, (app) => { app.addHook('onClose', () => goalEvaluation.stop()); });

  // Orders and attribution: orders in (Shopify, CSV, API), one credit per order split across campaigns; the campaign
  // figures read their money here, and events ingested after an order re-credit it in the same transaction.
  const attribution = new Attribution(db, writer, accounts, trackingClickResolver(() => (deps as { tracking?: unknown }).tracking));
  changes.subscribe(attribution.dropCached);
  deps.orders = new Orders(db, secretBox, writer, accounts, attribution, clock, counted);
  deps.orders.erasure = erasureKeys;
  campaigns.money = attribution;
  ingestor.afterApply.push(attribution.onEventsApplied);
  // The data-driven model: fitted on demand and once a UTC day across the nodes for the accounts that credit by it.
  deps.dataDriven = new DataDriven(db, writer, accounts, attribution, (accountId) => deps.orders.recompute(accountId), clock);
  const dataDrivenJob = new PeriodicJob({
    db, job: 'data-driven-fit', periodMs: 86_400_000, tickMs: 60_000, firstTickMs: 45_000, node, clock, run: async () => { await deps.dataDriven.refitAll(); },
  }).start();
  plugins.push(orderRoutes, (app) => { app.addHook('onClose', () => dataDrivenJob.stop()); });
  // Declared sources: what buyers say brought them, mapped by the owner's rules, beside the attributed credit.
  deps.declared = new DeclaredSources(db, writer, accounts, attribution);
  plugins.push(declaredRoutes);
  // Conversions other than orders (sign-ups, bookings, visits…): credited by the same engine, re-credited by the same
  // late events (Attribution.onEventsApplied), shown per type on the campaign page.
  deps.conversions = new Conversions(db, writer, accounts, deps.orders, attribution, clock);
  campaigns.extras.push(async (accountId, id) => ({ conversionsByType: await deps.conversions.ofCampaign(accountId, id) }));
  deps.goals.conversionCount = (accountId, campaignIds, type) => deps.conversions.countOfCampaigns(accountId, campaignIds, type);
  plugins.push(conversionRoutes);
  // What sold: order lines share each credit (written with the credits); the product report and a campaign's top products.
  deps.products = new Products(db, attribution);
  campaigns.extras.push(async (accountId, id) => ({ products: await deps.products.topOfCampaign(accountId, id) }));
  plugins.push(productRoutes);

  // Recipients' feedback: replies and complaints kept with their text as they apply (a hook, also in the worker), listed
  // account-wide and counted on the campaign page.
  deps.feedback = new Feedback(db);
  ingestor.afterApply.push(deps.feedback.recordFeedback);
  campaigns.extras.push(async (accountId, id) => ({ feedback: await deps.feedback.counts(accountId, id) }));
  plugins.push(feedbackRoutes);

  // Retention cohorts: rollups kept by the ingestion, the orders and the erasure in their transactions; read alone here.
  deps.cohorts = new Cohorts(db, accounts, clock);
  plugins.push(cohortRoutes);

  // Budgets: cost models, the send gate (reservations under a ledger row lock), provider costs priced during
  // ingestion, invoices and Stripe, signed alerts; a sweep expires reservations and retries alerts (stopped on close).
  deps.alerts = new Alerts(db, secretBox, clock, { metrics: counted });
  deps.billing = new Billing(db, secretBox, writer, accounts, deps.alerts, clock, counted);
  deps.budgets = new Budgets(db, writer, accounts, ingestor, deps.billing, deps.alerts, clock);
  deps.budgets.tracking = trackingForGate(() => (deps as { tracking?: unknown }).tracking);
  deps.suppressionList = new SuppressionList(db, accounts, clock);
  // One person's data: lookup, export and erasure (erased people stay on the suppression list as keyed hashes).
  deps.contacts = new Contacts(db, writer, accounts, erasureKeys, deps.audit, clock);
  // The contact page: who a person is, their lifetime figures and their timeline across channels (reads only).
  deps.contactPages = new ContactPages(db, accounts);
  plugins.push(contactRoutes);
  ingestor.costing = deps.budgets;
  campaigns.onBudgetChange = (accountId, id) => deps.budgets.budgetChanged(accountId, id);
  campaigns.onSendDateChange = (accountId, id) => ingestor.sendDateChanged(accountId, id);
  campaigns.extras.push(async (accountId, id) => ({ budget: await deps.budgets.campaignBudget(accountId, id) }));
  // The sweep runs once per period (MESURE_SWEEP_INTERVAL_S) across the nodes. Its periods are real time (a test's
  // fixed clock would otherwise hold it in one period: it ran every 30 s whatever the clock before). The first look is
  // one period after start, as before: a short-lived process (a CLI command) never sweeps.
  const budgetSweep = new BudgetSweep({ budgets: deps.budgets, billing: deps.billing, alerts: deps.alerts, metrics: counted });
  const sweepJob = new PeriodicJob({ db, job: 'budget-sweep', periodMs: config.nodes.sweepIntervalMs, firstTickMs: config.nodes.sweepIntervalMs, node, clock: Date.now, run: () => budgetSweep.runOnce() }).start();
  plugins.push(budgetRoutes, (app) => {
    app.addHook('onClose', async () => {
      await sweepJob.stop();
      await budgetSweep.stop();
    });
  });

  // Scheduled e-mail reports (docs/OPERATIONS.md): each member's weekly or monthly report over SMTP (MESURE_SMTP_URL),
  // from the services above. Each node looks every MESURE_REPORTS_INTERVAL_S (periods of real time, as the sweep), one
  // node per period sends what is due, and each member's slot is claimed in report_runs, so it goes out once.
  const mailer = config.reports.smtpUrl ? smtpMailer(config.reports.smtpUrl) : null;
  deps.reports = new Reports({
    db, writer, accounts, campaigns, budgets: deps.budgets, billing: deps.billing, mailer, from: config.reports.from,
    publicUrl: config.http.publicUrl, publicUrlSet: config.http.publicUrlSet, clock,
  });
  const reportJob = new PeriodicJob({
    db, job: 'reports', periodMs: config.reports.intervalMs, firstTickMs: config.reports.intervalMs, node, clock: Date.now,
    run: async () => {
      const t = await deps.reports.runDue();
      if (t.due) process.stderr.write(`[reports] ${t.sent} sent, ${t.failed} failed (tried again at the next tick)\n`);
    },
  }).start();
  plugins.push(reportRoutes, (app) => {
    app.addHook('onClose', async () => {
      await reportJob.stop();
      mailer?.close();
    });
  });

  // Retention: each account's bounds on IP addresses, user agents and per-recipient rows, applied daily in small
  // batches through the writer (the timer stops, and a run in progress ends after its batch, when the app closes).
  deps.retention = new Retention(db, writer, accounts, clock);
  const stopRetention = deps.retention.startDaily();
  plugins.push(retentionRoutes, (app) => { app.addHook('onClose', stopRetention); });

  // SQLite: clicks, webhook deliveries and API events are written by a worker thread with its own connection and the same ingestion
  // hooks as above (so keep this last in the section), so requests are not held up by a commit's fsync. The worker
  // stores them in its inbox, answers, and applies them in the background (src/services/inbox.ts). Closed after the
  // click queue is in the inbox; what the inbox still holds is applied at the next start.
  const ingestWorker = await startIngestWorker({
    db, config, ingestor, accounts, secretKeys: keys, customClock: opts.clock !== undefined,
    onAlerts: () => deps.alerts.kick(),
    onProcessed: (report) => {
      deps.tracking.noteProcessed(report);
      deps.webhooks.noteTally(report.tally);
      ingestor.noteApplied(report.events);
    },
  });
  if (ingestWorker) {
    deps.tracking.offload = ingestWorker;
    deps.webhooks.offload = ingestWorker;
    // API events are stored by the worker and applied moments after the answer: reads wait for them (Deps.readBarrier).
    deps.readBarrier = (accountId) => ingestWorker.settled(accountId);
    plugins.push((app) => {
      app.addHook('onClose', async () => {
        stage = 'ingestion';
        await deps.tracking.persist();
        await ingestWorker.close();
        stage = 'background';
      });
    });
  }
  // PostgreSQL: a click, scan or open is stored first as a row of its own in the inbox, on a connection of its own (one
  // plain insert per batch, no shared row: stored within milliseconds of its redirect even while an events group holds
  // the daily-count and rollup rows), then folded into the figures in slices through the events' writer, each slice
  // ahead of the event batches waiting; any node folds what any node stored, once (src/services/visitInbox.ts).
  // Started here, after every ingestion hook.
  const visitInbox = db.kind === 'postgres'
    ? new VisitInbox(db, db.ownConnection!(), writer, deps.tracking, { fold: config.nodes.foldVisits }).start()
    : undefined;
  if (visitInbox) {
    deps.tracking.visitInbox = visitInbox;
    plugins.push((app) => {
      app.addHook('onClose', async () => {
        stage = 'ingestion';
        await deps.tracking.persist();
        // Fold what is stored (for at most half the shutdown bound: other nodes may keep storing), so that a restart's
        // first reads find the figures whole; what is left stays stored, folded by another node or at the next start.
        let bound: NodeJS.Timeout | undefined;
        await Promise.race([visitInbox.drain(), new Promise((done) => { bound = setTimeout(done, config.shutdown.timeoutMs / 2); })]);
        clearTimeout(bound);
        await visitInbox.stop();
        stage = 'background';
      });
    });
  }
  // Dead letters: inbox rows that could not be applied after their tries, listed, applied again or discarded. The worker
  // applies them again; a SQLite server without it (MESURE_INGEST_WORKER=0) runs an inbox here instead, which applies
  // what a previous process left and nothing new. PostgreSQL: the visit inbox folds them again.
  let retrier: DeadLetterRetrier | null = ingestWorker ?? visitInbox ?? null;
  if (!ingestWorker && db.kind === 'sqlite') {
    const leftovers = new Inbox(db, writer, deps.tracking, deps.webhooks, ingestor, (report) => {
      deps.tracking.noteProcessed(report);
      deps.webhooks.noteTally(report.tally);
      ingestor.noteApplied(report.events);
    });
    leftovers.start();
    retrier = leftovers;
    plugins.push((app) => { app.addHook('onClose', () => leftovers.stop()); });
  }
  deps.deadLetters = new DeadLetters(db, retrier);
  plugins.push(ingestionRoutes);

  // Closing hooks run last registered first, all after the server has stopped: this one marks that point.
  plugins.push((app) => { app.addHook('onClose', async () => { stage = 'background'; }); });

  // 6. The HTTP application (not listening yet).
  const app = await buildApp(deps, plugins, { sessionResolver: sessionResolver(deps.sessions) });
  return {
    config, db, deps, app,
    secrets: { keys, box: secretBox },
    close: async () => {
      stage = 'requests';
      await app.close();
      await changes.close();
      stage = 'database';
      await db.close();
      stage = 'closed';
    },
    unfinished: async () => {
      const left: string[] = [];
      if (stage === 'closed') return left;
      const open = stage === 'requests' ? await new Promise<number>((done) => app.server.getConnections((err, n) => done(err ? 0 : n))) : 0;
      if (open > 0) left.push(`${open} client connection(s) still open with a request not yet answered (not acknowledged: the client sees an error and may retry)`);
      const queued = deps.tracking.stats.queued;
      if (queued > 0) left.push(`${queued} click(s)/scan(s)/open(s) redirected but not yet stored (lost)`);
      if (stage === 'ingestion') {
        left.push(db.kind === 'postgres'
          ? 'the visit inbox had not stopped folding: clicks it stored stay in the inbox and are folded by another node or at the next start'
          : 'the ingestion worker had not finished: items it acknowledged are in its inbox and are applied at the next start');
      }
      if (stage === 'background') left.push('the background work (budget sweep and its alert deliveries, goals, retention, scheduled reports, dead-letter inbox) had not stopped');
      if (stage === 'database') left.push('the database connection had not closed');
      return left;
    },
  };
}
