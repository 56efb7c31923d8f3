// Incrementality for every campaign (issue #24, part 3): the campaigns with a holdout of their own measure how much of
// their attributed revenue they caused; pooled per channel, that factor gives every other campaign of the channel an
// incremental revenue and ROAS, and suggests the attribution window whose revenue matches the measure.
import type { Db } from '../store/db';
import { getCampaign } from '../store/campaigns';
import { listCampaignHoldoutIds, listTreatedOrderAges } from '../store/incrementality';
import {
  CANDIDATE_WINDOWS_HOURS, campaignIncrementality, pooledFactor, revenueWithinWindows, standardErrorOf, suggestWindow,
  type CampaignIncrementality, type Estimate, type PooledFactor, type WindowSuggestion,
} from '../domain/stats';
import { DEFAULT_WINDOWS } from '../domain/attribution';
import { CHANNELS, type Channel } from '../domain/types';
import type { AccountDirectory } from './accounts';
import type { CacheListener } from './cacheBus';
import type { Experiments } from './experiments';

const CONFIDENCE = 0.95;
/**
 * How long a computed report serves. Settings changes drop it at once (the cache bus); new orders and events show
 * within this time. It keeps the campaign page and GET /v1/incrementality to a map lookup between refreshes.
 */
const CACHE_MS = 60_000;
const HOUR = 3_600_000;

export interface HoldoutCampaign {
  campaignId: string;
  name: string;
  channel: Channel;
  holdoutShare: number;
  status: 'ok' | 'not_enough_data';
  reason: string | null;
  windowDays: number;
  attributedRevenueMinor: number;
  incrementalRevenueMinor: Estimate | null;
  /** Its own incremental ÷ attributed revenue. */
  factor: Estimate | null;
  /** Part of its channel's pooled factor (status ok and attributed revenue above zero). */
  pooled: boolean;
}

export interface ChannelIncrementality {
  channel: Channel;
  factor: PooledFactor | null;
  suggestion: (WindowSuggestion & { windowsHours: Record<string, number> }) | null;
}

export interface IncrementalityReport {
  currency: string;
  confidence: number;
  channels: ChannelIncrementality[];
  campaigns: HoldoutCampaign[];
}

export class Incrementality {
  private readonly cache = new Map<string, { at: number; key: string; report: Promise<IncrementalityReport> }>();

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountDirectory,
    private readonly experiments: Experiments,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Settings changed here or on another node (windows, model, currency): the next read computes again. */
  readonly dropCached: CacheListener = (change) => {
    if (change === 'everything') this.cache.clear();
    else if (change.kind === 'account') this.cache.delete(change.accountId);
  };

  /**
   * The factors per channel, the campaigns they come from and the window suggestions. Cached per account; a holdout
   * set on another campaign since (one read of the holdout settings, by their key) computes them again at once.
   */
  async report(accountId: string): Promise<IncrementalityReport> {
    const now = this.clock();
    const ids = await listCampaignHoldoutIds(this.db.kysely, accountId);
    const key = ids.join(',');
    const hit = this.cache.get(accountId);
    if (hit && hit.key === key && now - hit.at < CACHE_MS) return hit.report;
    const report = this.compute(accountId, ids);
    this.cache.set(accountId, { at: now, key, report });
    report.catch(() => this.cache.delete(accountId));
    return report;
  }

  /** A campaign's incremental revenue and ROAS beside its attributed ones, labelled by where they come from. */
  async forCampaign(accountId: string, campaignId: string, channel: Channel, figures: { revenue: number; spend: number }): Promise<CampaignIncrementality> {
    const report = await this.report(accountId);
    const own = report.campaigns.find((c) => c.campaignId === campaignId && c.status === 'ok');
    const factor = report.channels.find((c) => c.channel === channel)?.factor ?? null;
    return campaignIncrementality({ attributedMinor: figures.revenue, spendMinor: figures.spend, own: own?.incrementalRevenueMinor ?? null, channelFactor: factor });
  }

  /**
   * One true-lift read per campaign with a holdout (GET /v1/campaigns/{id}/lift's, bounded by its buyers and its
   * holdout), and one read of its treated buyers' orders over the longest candidate window: the cost follows the
   * number of holdout campaigns and their buyers, not the account's messages.
   */
  private async compute(accountId: string, ids: string[]): Promise<IncrementalityReport> {
    const account = (await this.accounts.get(accountId))!;
    const maxWindowMs = Math.max(...CANDIDATE_WINDOWS_HOURS) * HOUR;
    const measured: (HoldoutCampaign & { standardError: number; revenueWithin: number[] })[] = [];
    for (const id of ids) {
      const [campaign, lift] = await Promise.all([getCampaign(this.db.kysely, accountId, id), this.experiments.lift(accountId, id)]);
      if (!campaign || !lift) continue;
      const ages = await listTreatedOrderAges(this.db.kysely, accountId, id, maxWindowMs, account.currency);
      const incremental = lift.revenue.incrementalRevenueMinor;
      const attributed = lift.attributedRevenueMinor;
      measured.push({
        campaignId: id,
        name: campaign.name,
        channel: campaign.channel as Channel,
        holdoutShare: lift.holdoutShare,
        status: lift.status,
        reason: lift.reason,
        windowDays: lift.windowDays,
        attributedRevenueMinor: attributed,
        incrementalRevenueMinor: incremental,
        factor: lift.causedShareOfAttributed,
        pooled: lift.status === 'ok' && incremental !== null && attributed > 0,
        standardError: incremental ? standardErrorOf(incremental, CONFIDENCE) : 0,
        revenueWithin: revenueWithinWindows(ages),
      });
    }
    const channels = CHANNELS.map((channel): ChannelIncrementality => {
      const pooled = measured.filter((m) => m.channel === channel && m.pooled);
      const factor = pooledFactor(pooled.map((m) => ({ incrementalMinor: m.incrementalRevenueMinor!.estimate, standardErrorMinor: m.standardError, attributedMinor: m.attributedRevenueMinor })), CONFIDENCE);
      const suggestion = suggestWindow(pooled.map((m) => ({ incrementalMinor: m.incrementalRevenueMinor!.estimate, revenueWithin: m.revenueWithin })));
      return {
        channel,
        factor,
        // Applied to every window kind of the channel: the measure is the revenue within that time of the message.
        suggestion: suggestion && { ...suggestion, windowsHours: Object.fromEntries(Object.keys(DEFAULT_WINDOWS[channel]).map((kind) => [kind, suggestion.windowHours])) },
      };
    });
    return {
      currency: account.currency,
      confidence: CONFIDENCE,
      channels,
      campaigns: measured.map(({ standardError: _se, revenueWithin: _rw, ...c }) => c),
    };
  }
}
