// One vocabulary from KPIS.md to the screen: every figure named in KPIS.md's tables (and the home page's eight
// cards) is found under the same name in the answers /openapi.json publishes and in both languages of the dashboard.
// Names camelCase directly ("open rate" → openRate, "CPA" → cpa); the few that do not are in a short reviewed table.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApiDocument } from '../scripts/api-reference';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * KPIS.md, the definitions: the project's shared copy beside the repository (../shared/KPIS.md) when there is one,
 * else the copy the repository ships in docs/KPIS.md (a clone has no ../shared); MESURE_KPIS_MD names another copy.
 */
function kpisPath(): string {
  const candidates = [
    process.env.MESURE_KPIS_MD,
    join(ROOT, '..', 'shared', 'KPIS.md'),
    join(ROOT, '..', '..', 'shared', 'KPIS.md'),
    join(ROOT, 'docs', 'KPIS.md'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`KPIS.md not found (looked at ${candidates.join(', ')}); set MESURE_KPIS_MD to its path.`);
  return found;
}

/** "click-to-open rate" → clickToOpenRate; "CPA" → cpa. */
export function camelCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
}

/**
 * KPIS.md names whose API name is not their camelCase (reviewed): the definition names the figures it covers.
 * Keys are the names as written in the table, without the parenthesised translation or channel.
 */
const API_NAMES: Record<string, string[]> = {
  bounces: ['bounces', 'bouncesSoft', 'bouncesHard', 'bounceRate'], // "hard and soft counted apart; bounce rate = bounced / sent"
  'QR scans / visits': ['qrScans', 'qrScanners', 'scanRate'], // "total scans and unique scanners …; scan rate = scanners / sent"
  'ROAS / ROCS': ['roas'],
  'total budget': ['total'],
  forecast: ['forecastDays'],
  'status light': ['light'],
  'QR scans / clicks': ['qrScansClicks'],
  'new / returning customer': ['revenueNew', 'revenueReturning', 'conversionsNew', 'conversionsReturning'], // "revenue and conversions of a campaign split by it"
};

/** Where each part of KPIS.md is served and labelled. `clicks per link` is a list of the campaign page, not a figure. */
interface Place {
  /** The schema of components.schemas (and the property holding the figures, when nested) that carries the names. */
  schema: string;
  property?: string;
  /** The i18n namespace of the labels (en.json and fr.json). */
  labels: string;
}
const FIGURES: Place = { schema: 'Figures', labels: 'figures' };
const OVERRIDES: Record<string, { api: Place & { name: string }; label: string }> = {
  'clicks per link': { api: { schema: 'CampaignReport', name: 'links', labels: 'campaign' }, label: 'campaign.links' },
};

/** A row of KPIS.md → its figures' API names. */
function apiNames(cell: string): string[] {
  return cell
    .split(';')
    .map((part) => part.replace(/\([^)]*\)/g, '').trim())
    .filter(Boolean)
    .flatMap((name) => API_NAMES[name] ?? [camelCase(name)]);
}

interface Row {
  /** As written in KPIS.md. */
  cell: string;
  section: string;
}

/** The first column of every table, with the section it is under (headers and separators left out). */
function tableRows(md: string): Row[] {
  const rows: Row[] = [];
  let section = '';
  let header = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    if (!line.startsWith('|')) {
      header = false;
      continue;
    }
    const cell = line.split('|')[1].trim();
    if (!header) {
      header = true; // the first line of a table is its header
      continue;
    }
    if (/^-+$/.test(cell)) continue;
    rows.push({ cell, section });
  }
  return rows;
}

/** The eight cards of the home page, from the sentence that lists them. */
function overviewCards(md: string): string[] {
  const m = /The eight cards: ([^.]+)\./.exec(md.replace(/\s*\n\s*/g, ' '));
  if (!m) throw new Error('KPIS.md no longer lists "The eight cards: …."');
  return m[1].replace(/\([^)]*\)/g, '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Where the rows of each section are served. */
const SECTIONS: Record<string, Place> = {
  'Per campaign': FIGURES,
  'Budget card (002)': { schema: 'Budget', labels: 'budget' },
  'Reference ranges shown beside figures (001: WhatsApp marketing; 002: letters)': FIGURES,
};

/**
 * Figures of KPIS.md's incrementality table that the API does not serve yet (reviewed). The test fails when one of
 * them appears, so that the list shrinks as they land.
 */
const NOT_SERVED_YET = new Set([
  'incremental revenue', // the lift answer has revenue.incrementalRevenueMinor, an estimate with its interval
  'incrementality factor', // per channel: not computed yet
  'incremental ROAS', // not computed yet
  'conversions of a type', // not stored yet
]);

/** Figures of the incrementality table that are served, and where (MER is the overview's card; kpi.mer its label). */
const SERVED: Record<string, Place> = {
  'new / returning customer': FIGURES,
  MER: { schema: 'Overview', property: 'cards', labels: 'kpi' },
  'declared source': { schema: 'Order', labels: 'figures' },
};

type Json = Record<string, unknown>;

function labelExists(messages: Json, key: string): boolean {
  let at: unknown = messages;
  for (const part of key.split('.')) {
    if (!at || typeof at !== 'object' || !(part in (at as Json))) return false;
    at = (at as Json)[part];
  }
  return at !== undefined;
}

describe('one vocabulary: every figure of KPIS.md in /openapi.json and in both languages of the dashboard', () => {
  const md = readFileSync(kpisPath(), 'utf8');
  const rows = tableRows(md);
  const en = JSON.parse(readFileSync(join(ROOT, 'web/src/i18n/en.json'), 'utf8')) as Json;
  const fr = JSON.parse(readFileSync(join(ROOT, 'web/src/i18n/fr.json'), 'utf8')) as Json;
  let schemas: Record<string, { properties?: Record<string, unknown> }>;

  beforeAll(async () => {
    const doc = (await loadOpenApiDocument()) as unknown as { components: { schemas: typeof schemas } };
    schemas = doc.components.schemas;
  }, 120_000);

  /** Missing places of one API name, in words ("not in /openapi.json Figures", "no fr label figures.x"). */
  function missing(name: string, place: Place, label = `${place.labels}.${name}`): string[] {
    const out: string[] = [];
    const top = schemas[place.schema]?.properties ?? {};
    const props = place.property ? ((top[place.property] as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) : top;
    if (!(name in props)) out.push(`not in /openapi.json components.schemas.${place.schema}${place.property ? `.${place.property}` : ''}`);
    if (!labelExists(en, label)) out.push(`no label ${label} in web/src/i18n/en.json`);
    if (!labelExists(fr, label)) out.push(`no label ${label} in web/src/i18n/fr.json`);
    return out;
  }

  it('reads the tables of KPIS.md (every section has rows, and every row a known section)', () => {
    // Per campaign 36 rows, budget card 7, reference ranges 6, incrementality 7 (counted in KPIS.md by hand; more
    // per-campaign rows may come).
    const bySection = (s: string) => rows.filter((r) => r.section === s).length;
    expect(bySection('Per campaign')).toBeGreaterThanOrEqual(36);
    expect(bySection('Budget card (002)')).toBe(7);
    expect(bySection('Reference ranges shown beside figures (001: WhatsApp marketing; 002: letters)')).toBe(6);
    const incrementality = rows.filter((r) => r.section.startsWith('Incrementality'));
    expect(incrementality.length).toBe(7);
    const unknown = rows.filter((r) => !(r.section in SECTIONS) && !r.section.startsWith('Incrementality')).map((r) => `${r.section}: ${r.cell}`);
    expect(unknown, 'rows of KPIS.md under a section this test does not place (add it to SECTIONS)').toEqual([]);
  });

  it('maps names to API names as written (open rate → openRate, ROAS → roas, total opens; opens per opener → both)', () => {
    expect(apiNames('open rate')).toEqual(['openRate']);
    expect(apiNames('ROAS (ROCS)')).toEqual(['roas']);
    expect(apiNames('click-to-open rate')).toEqual(['clickToOpenRate']);
    expect(apiNames('total opens; opens per opener')).toEqual(['totalOpens', 'opensPerOpener']);
    expect(apiNames('average order value (panier moyen); revenue per conversion (RPC)')).toEqual(['averageOrderValue', 'revenuePerConversion']);
  });

  it('finds every figure of the per-campaign, budget card and reference tables under its name', () => {
    const problems: string[] = [];
    for (const row of rows) {
      const place = SECTIONS[row.section];
      if (!place) continue;
      const bare = row.cell.replace(/\([^)]*\)/g, '').trim();
      const override = OVERRIDES[bare];
      if (override) {
        for (const m of missing(override.api.name, override.api, override.label)) problems.push(`"${row.cell}" (${override.api.name}): ${m}`);
        continue;
      }
      for (const name of apiNames(row.cell)) for (const m of missing(name, place)) problems.push(`"${row.cell}" (${name}): ${m}`);
    }
    expect(problems, 'figures of KPIS.md missing from the API or the dashboard').toEqual([]);
  });

  it("finds the home page's eight cards in /v1/overview's cards and in both languages", () => {
    const cards = overviewCards(md);
    expect(cards).toHaveLength(8);
    const problems: string[] = [];
    const cardSchema = (schemas.Overview?.properties?.cards ?? {}) as { properties?: Record<string, unknown> };
    for (const card of cards) {
      for (const name of API_NAMES[card] ?? [camelCase(card)]) {
        if (!(name in (cardSchema.properties ?? {}))) problems.push(`"${card}" (${name}): not in /openapi.json Overview.cards`);
        for (const [lang, messages] of [['en', en], ['fr', fr]] as const) if (!labelExists(messages, `kpi.${name}`)) problems.push(`"${card}" (${name}): no label kpi.${name} in ${lang}.json`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists exactly the incrementality figures not served yet (one that lands must leave NOT_SERVED_YET)', () => {
    const incrementality = rows.filter((r) => r.section.startsWith('Incrementality'));
    const names = incrementality.map((r) => r.cell.replace(/\([^)]*\)/g, '').trim());
    expect(names.filter((n) => !NOT_SERVED_YET.has(n) && !(n in SERVED)), 'incrementality figures neither served nor listed as not served yet').toEqual([]);
    const everywhere = (name: string) => Object.values(schemas).some((s) => name in (s.properties ?? {})) && labelExists(en, `figures.${name}`) && labelExists(fr, `figures.${name}`);
    expect(names.filter((n) => NOT_SERVED_YET.has(n) && apiNames(n).every(everywhere)), 'served now: remove from NOT_SERVED_YET and place it in SERVED').toEqual([]);
  });

  it('finds the incrementality-section figures served so far under their names, in the API and both languages', () => {
    const problems: string[] = [];
    const incrementality = rows.filter((r) => r.section.startsWith('Incrementality')).map((r) => r.cell.replace(/\([^)]*\)/g, '').trim());
    expect(incrementality.filter((n) => !NOT_SERVED_YET.has(n) && !(n in SERVED)), 'served figures without a place in SERVED').toEqual([]);
    for (const [cell, place] of Object.entries(SERVED)) {
      for (const name of apiNames(cell)) for (const m of missing(name, place)) problems.push(`"${cell}" (${name}): ${m}`);
    }
    expect(problems).toEqual([]);
  });
});
