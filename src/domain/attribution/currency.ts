// Converting order revenue into the account's currency with the dated rates the account maintains, exactly
// (integer arithmetic on decimal rates); an amount without a rate stays in its currency and is reported apart.

import { currencyExponent } from '../currencyUnits';

/** 1 unit of `from` = `rate` units of `to`, from `validFrom` (epoch ms) until a later rate for the same pair. */
export interface ExchangeRate {
  from: string;
  to: string;
  /** A positive decimal written as text ("1.0823") so that it is used exactly. */
  rate: string;
  validFrom: number;
}

function decimalToFraction(rate: string): { num: bigint; den: bigint } | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  const num = BigInt(m[1] + frac);
  if (num === 0n) return null;
  return { num, den: 10n ** BigInt(frac.length) };
}

/** n / d rounded half away from zero (d > 0). */
function divRound(n: bigint, d: bigint): bigint {
  const q = (2n * (n < 0n ? -n : n) + d) / (2n * d);
  return n < 0n ? -q : q;
}

/**
 * `amountMinor` of `from` in minor units of `to`, at the latest rate dated on or before `at`, rounded half away
 * from zero; null when there is no such rate. The inverse pair (to → from) is used when it is the more recent one
 * (on the same date the direct pair wins). The same currency converts to itself.
 */
export function convert(amountMinor: number, from: string, to: string, at: number, rates: readonly ExchangeRate[]): number | null {
  const src = from.toUpperCase();
  const dst = to.toUpperCase();
  if (src === dst) return amountMinor;
  let best: { rate: ExchangeRate; inverse: boolean } | null = null;
  for (const rate of rates) {
    if (rate.validFrom > at) continue;
    const f = rate.from.toUpperCase();
    const t = rate.to.toUpperCase();
    const inverse = f === dst && t === src;
    if (!(f === src && t === dst) && !inverse) continue;
    if (decimalToFraction(rate.rate) === null) continue;
    if (best === null || rate.validFrom > best.rate.validFrom || (rate.validFrom === best.rate.validFrom && best.inverse && !inverse)) {
      best = { rate, inverse };
    }
  }
  if (best === null) return null;
  const { num, den } = decimalToFraction(best.rate.rate)!;
  const scaleTo = 10n ** BigInt(currencyExponent(dst));
  const scaleFrom = 10n ** BigInt(currencyExponent(src));
  const amount = BigInt(amountMinor);
  // minor(to) = minor(from) / 10^eFrom × rate × 10^eTo, with rate = num / den (or den / num for the inverse pair).
  const result = best.inverse ? divRound(amount * den * scaleTo, num * scaleFrom) : divRound(amount * num * scaleTo, den * scaleFrom);
  const n = Number(result);
  return Number.isSafeInteger(n) ? n : null;
}
