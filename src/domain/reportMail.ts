// The scheduled report as an e-mail: subject, plain text and HTML, in French or English, with numbers, money and dates
// formatted for the language and the account's currency (Intl), and links to the dashboard's pages. Pure: it shows
// the figures it is given (the services compute them, as the dashboard shows them) and computes none.
import { currencyExponent } from './currencyUnits';
import type { Card, OverviewCards } from './kpis';
import type { RankedCampaign, ReportLanguage } from './reports';

export interface ReportBudget {
  currency: string;
  total: number;
  used: number;
  reserved: number;
  remaining: number;
  forecastDays: number | null;
  light: 'green' | 'amber' | 'red';
  /** Campaigns the send gate stopped because their budget ran out. */
  stopped: { id: string; name: string }[];
}

export interface ReportUnpaid {
  count: number;
  total?: number;
  currency?: string;
  earliestDue?: string | null;
  payUrl?: string | null;
  overdue?: boolean;
  suspendsAt?: string | null;
  suspended?: boolean;
}

export interface ReportContent {
  language: ReportLanguage;
  frequency: 'weekly' | 'monthly';
  accountName: string;
  currency: string;
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  /** The eight cards of KPIS.md (CARD_ORDER); the overview's other cards (MER) are not in the mail. */
  cards: Pick<OverviewCards, (typeof CARD_ORDER)[number]>;
  campaigns: { by: 'roas' | 'revenue'; best: RankedCampaign[]; worst: RankedCampaign[] };
  budget: ReportBudget | null;
  unpaid: ReportUnpaid;
  /** The dashboard's public address, without a trailing slash. */
  baseUrl: string;
}

export interface ReportMail {
  subject: string;
  text: string;
  html: string;
}

const CARD_ORDER = ['revenue', 'conversions', 'spend', 'cpa', 'conversionRate', 'messagesSent', 'qrScansClicks', 'ordersImported'] as const;
type CardKey = (typeof CARD_ORDER)[number];
const MONEY_CARDS = new Set<CardKey>(['revenue', 'spend', 'cpa']);

const WORDS = {
  en: {
    locale: 'en-GB',
    colon: ': ',
    weekly: 'Weekly report', monthly: 'Monthly report',
    subject: (kind: string, shop: string, period: string) => `${kind} for ${shop}: ${period}`,
    compared: (prev: string) => `compared with ${prev}`,
    cards: {
      revenue: 'Revenue', conversions: 'Conversions', spend: 'Spend', cpa: 'CPA', conversionRate: 'Conversion rate',
      messagesSent: 'Messages sent', qrScansClicks: 'QR scans / clicks', ordersImported: 'Orders imported',
    } satisfies Record<CardKey, string>,
    keyFigures: 'Key figures', figure: 'Figure', thisPeriod: 'This period', previous: 'Previous', change: 'Change',
    newValue: 'new', none: '—',
    best: (by: 'roas' | 'revenue') => (by === 'roas' ? 'Best campaigns (by ROAS)' : 'Best campaigns (by revenue; no campaign had spend)'),
    worst: (by: 'roas' | 'revenue') => (by === 'roas' ? 'Worst campaigns (by ROAS)' : 'Worst campaigns (by revenue)'),
    noCampaigns: 'No campaign was sent in this period.',
    campaign: 'Campaign', roas: 'ROAS', revenue: 'Revenue', spend: 'Spend',
    budget: 'Budget', noBudget: 'No budget is set.',
    budgetLine: (used: string, total: string, remaining: string) => `Used ${used} of ${total}; remaining ${remaining}`,
    forecast: (days: string | null) => (days === null ? 'No spend in the last 7 days: no forecast.' : `At the last 7 days' pace, the budget lasts ${days} more days.`),
    light: { green: 'Status: green', amber: 'Status: amber', red: 'Status: red' },
    stopped: 'Stopped because their budget ran out:',
    invoices: 'Unpaid invoices', noInvoices: 'No unpaid invoice.',
    unpaidLine: (n: number, total: string, due: string | null) => `${n} unpaid invoice${n === 1 ? '' : 's'}, ${total}${due ? `, first due ${due}` : ''}.`,
    overdue: 'Overdue.', suspendsAt: (d: string) => `Sending will be suspended after ${d} unless paid.`, suspended: 'Sending is suspended until it is paid.',
    pay: 'Pay', open: 'Open the dashboard', settings: 'Change or stop these e-mails',
  },
  fr: {
    locale: 'fr-FR',
    colon: '\u00a0: ',
    weekly: 'Rapport hebdomadaire', monthly: 'Rapport mensuel',
    subject: (kind: string, shop: string, period: string) => `${kind} de ${shop} : ${period}`,
    compared: (prev: string) => `comparé à ${prev}`,
    cards: {
      revenue: 'Chiffre d’affaires', conversions: 'Conversions', spend: 'Dépenses', cpa: 'CPA', conversionRate: 'Taux de conversion',
      messagesSent: 'Messages envoyés', qrScansClicks: 'Scans QR / clics', ordersImported: 'Commandes importées',
    } satisfies Record<CardKey, string>,
    keyFigures: 'Chiffres clés', figure: 'Indicateur', thisPeriod: 'Cette période', previous: 'Précédente', change: 'Évolution',
    newValue: 'nouveau', none: '—',
    best: (by: 'roas' | 'revenue') => (by === 'roas' ? 'Meilleures campagnes (par ROAS)' : 'Meilleures campagnes (par chiffre d’affaires ; aucune campagne n’a de dépenses)'),
    worst: (by: 'roas' | 'revenue') => (by === 'roas' ? 'Campagnes les moins rentables (par ROAS)' : 'Campagnes les moins rentables (par chiffre d’affaires)'),
    noCampaigns: 'Aucune campagne n’a été envoyée sur cette période.',
    campaign: 'Campagne', roas: 'ROAS', revenue: 'Chiffre d’affaires', spend: 'Dépenses',
    budget: 'Budget', noBudget: 'Aucun budget n’est défini.',
    budgetLine: (used: string, total: string, remaining: string) => `Utilisé ${used} sur ${total} ; reste ${remaining}`,
    forecast: (days: string | null) => (days === null ? 'Aucune dépense ces 7 derniers jours : pas de prévision.' : `Au rythme des 7 derniers jours, le budget tient encore ${days} jours.`),
    light: { green: 'État : vert', amber: 'État : orange', red: 'État : rouge' },
    stopped: 'Arrêtées faute de budget :',
    invoices: 'Factures impayées', noInvoices: 'Aucune facture impayée.',
    unpaidLine: (n: number, total: string, due: string | null) => `${n} facture${n === 1 ? '' : 's'} impayée${n === 1 ? '' : 's'}, ${total}${due ? `, première échéance le ${due}` : ''}.`,
    overdue: 'En retard.', suspendsAt: (d: string) => `Les envois seront suspendus après le ${d} sans paiement.`, suspended: 'Les envois sont suspendus jusqu’au paiement.',
    pay: 'Payer', open: 'Ouvrir le tableau de bord', settings: 'Modifier ou arrêter ces e-mails',
  },
};

/** Formatters for one language and currency. */
export function reportFormat(language: ReportLanguage, currency: string) {
  const locale = WORDS[language].locale;
  const digits = currencyExponent(currency);
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const change = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return {
    money: (minor: number) => money.format(minor / 10 ** digits),
    count: (n: number) => count.format(n),
    percent: (f: number) => percent.format(f),
    change: (f: number) => change.format(f),
    roas: (r: number) => `${decimal.format(r)}×`,
    days: (n: number) => decimal.format(n),
    /** A YYYY-MM-DD day (already a day of the account's time zone). */
    day: (day: string) => dayFormat.format(Date.parse(`${day}T00:00:00Z`)),
    /** An instant, as its day in UTC (invoice dates are calendar dates). */
    date: (iso: string) => dayFormat.format(Date.parse(iso)),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The dashboard's address of a period (and of a campaign page, with an id). */
export function dashboardLink(baseUrl: string, period: { from: string; to: string }, campaignId?: string): string {
  const q = `period=custom&from=${period.from}&to=${period.to}`;
  return campaignId ? `${baseUrl}/campaigns/${encodeURIComponent(campaignId)}?${q}` : `${baseUrl}/?${q}`;
}

export function renderReport(c: ReportContent): ReportMail {
  const w = WORDS[c.language];
  const f = reportFormat(c.language, c.currency);
  const range = (p: { from: string; to: string }) => `${f.day(p.from)} – ${f.day(p.to)}`;
  const subject = w.subject(w[c.frequency], c.accountName, range(c.period));
  const cardValue = (k: CardKey, v: number | null) =>
    v === null ? w.none : MONEY_CARDS.has(k) ? f.money(v) : k === 'conversionRate' ? f.percent(v) : f.count(v);
  const cardChange = (card: Card) =>
    card.trend !== null ? f.change(card.trend) : card.value !== null && card.value !== 0 && card.previous === 0 ? w.newValue : w.none;
  const overview = dashboardLink(c.baseUrl, c.period);
  const settings = `${c.baseUrl}/settings#reports-title`;
  const campaignLine = (x: RankedCampaign) =>
    `${x.name} — ${w.roas} ${x.roas === null ? w.none : f.roas(x.roas)}, ${w.revenue} ${f.money(x.revenue)}, ${w.spend} ${f.money(x.spend)}`;

  // ---------------------------------------------------------------- plain text
  const text: string[] = [
    `${subject}`,
    `${range(c.period)} (${w.compared(range(c.previousPeriod))})`,
    '',
    w.keyFigures,
    ...CARD_ORDER.map((k) => {
      const card = c.cards[k];
      return `  ${w.cards[k]}${w.colon}${cardValue(k, card.value)} (${w.previous.toLowerCase()} ${cardValue(k, card.previous)}, ${cardChange(card)})`;
    }),
    '',
  ];
  const campaignsText = (title: string, list: RankedCampaign[]) => [
    title,
    ...list.flatMap((x, i) => [`  ${i + 1}. ${campaignLine(x)}`, `     ${dashboardLink(c.baseUrl, c.period, x.id)}`]),
    '',
  ];
  if (!c.campaigns.best.length) text.push(w.noCampaigns, '');
  else {
    text.push(...campaignsText(w.best(c.campaigns.by), c.campaigns.best));
    if (c.campaigns.worst.length) text.push(...campaignsText(w.worst(c.campaigns.by), c.campaigns.worst));
  }
  const budgetLines = (): string[] => {
    if (!c.budget) return [w.noBudget];
    const b = c.budget;
    const bf = reportFormat(c.language, b.currency);
    return [
      `${w.budgetLine(bf.money(b.used), bf.money(b.total), bf.money(b.remaining))}. ${w.light[b.light]}.`,
      w.forecast(b.forecastDays === null ? null : f.days(b.forecastDays)),
      ...(b.stopped.length ? [`${w.stopped} ${b.stopped.map((s) => s.name).join(', ')}`] : []),
    ];
  };
  const invoiceLines = (): string[] => {
    const u = c.unpaid;
    if (!u.count) return [w.noInvoices];
    const uf = reportFormat(c.language, u.currency ?? c.currency);
    return [
      w.unpaidLine(u.count, uf.money(u.total ?? 0), u.earliestDue ? f.date(u.earliestDue) : null),
      ...(u.suspended ? [w.suspended] : u.overdue ? [w.overdue, ...(u.suspendsAt ? [w.suspendsAt(f.date(u.suspendsAt))] : [])] : []),
    ];
  };
  text.push(w.budget, ...budgetLines().map((l) => `  ${l}`), '');
  text.push(w.invoices, ...invoiceLines().map((l) => `  ${l}`), ...(c.unpaid.count && c.unpaid.payUrl ? [`  ${w.pay}${w.colon}${c.unpaid.payUrl}`] : []), '');
  text.push(`${w.open}${w.colon}${overview}`, `${w.settings}${w.colon}${settings}`, '');

  // ---------------------------------------------------------------- HTML
  const e = escapeHtml;
  const td = 'padding:6px 10px;border-bottom:1px solid #e5e7eb;';
  const num = `${td}text-align:right;white-space:nowrap;`;
  const a = (href: string, label: string) => `<a href="${e(href)}" style="color:#2563eb">${e(label)}</a>`;
  const trendColor = (card: Card) => {
    if (card.trend === null || card.trend === 0) return '#374151';
    const good = (card.trend > 0) === (card.good === 'up');
    return good ? '#15803d' : '#b91c1c';
  };
  const campaignsHtml = (title: string, list: RankedCampaign[], id: string) =>
    `<h2 style="font-size:16px;margin:24px 0 8px">${e(title)}</h2>` +
    `<table data-section="${id}" style="border-collapse:collapse;width:100%"><tr><th style="${td}text-align:left">${e(w.campaign)}</th><th style="${num}">${e(w.roas)}</th><th style="${num}">${e(w.revenue)}</th><th style="${num}">${e(w.spend)}</th></tr>` +
    list.map((x) => `<tr><td style="${td}">${a(dashboardLink(c.baseUrl, c.period, x.id), x.name)}</td><td style="${num}">${e(x.roas === null ? w.none : f.roas(x.roas))}</td><td style="${num}">${e(f.money(x.revenue))}</td><td style="${num}">${e(f.money(x.spend))}</td></tr>`).join('') +
    '</table>';
  const html = [
    `<!doctype html><html lang="${c.language}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827;max-width:640px;margin:0 auto;padding:16px">',
    `<h1 style="font-size:20px;margin:0 0 4px">${e(w[c.frequency])} — ${e(c.accountName)}</h1>`,
    `<p style="margin:0 0 16px;color:#4b5563">${e(range(c.period))} (${e(w.compared(range(c.previousPeriod)))})</p>`,
    `<h2 style="font-size:16px;margin:24px 0 8px">${e(w.keyFigures)}</h2>`,
    `<table data-section="cards" style="border-collapse:collapse;width:100%"><tr><th style="${td}text-align:left">${e(w.figure)}</th><th style="${num}">${e(w.thisPeriod)}</th><th style="${num}">${e(w.previous)}</th><th style="${num}">${e(w.change)}</th></tr>`,
    ...CARD_ORDER.map((k) => {
      const card = c.cards[k];
      return `<tr><td style="${td}">${e(w.cards[k])}</td><td style="${num}"><strong>${e(cardValue(k, card.value))}</strong></td><td style="${num}">${e(cardValue(k, card.previous))}</td><td style="${num}color:${trendColor(card)}">${e(cardChange(card))}</td></tr>`;
    }),
    '</table>',
    c.campaigns.best.length
      ? campaignsHtml(w.best(c.campaigns.by), c.campaigns.best, 'best') + (c.campaigns.worst.length ? campaignsHtml(w.worst(c.campaigns.by), c.campaigns.worst, 'worst') : '')
      : `<p>${e(w.noCampaigns)}</p>`,
    `<h2 style="font-size:16px;margin:24px 0 8px">${e(w.budget)}</h2>`,
    ...budgetLines().map((l) => `<p style="margin:4px 0">${e(l)}</p>`),
    `<h2 style="font-size:16px;margin:24px 0 8px">${e(w.invoices)}</h2>`,
    ...invoiceLines().map((l) => `<p style="margin:4px 0">${e(l)}</p>`),
    c.unpaid.count && c.unpaid.payUrl ? `<p style="margin:4px 0">${a(c.unpaid.payUrl, w.pay)}</p>` : '',
    `<p style="margin:24px 0 8px">${a(overview, w.open)}</p>`,
    `<p style="margin:0;color:#6b7280;font-size:13px">${a(settings, w.settings)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text: text.join('\n'), html };
}
