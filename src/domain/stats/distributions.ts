// Numerical routines behind Mesure's statistics: the normal and Student t distributions, from well-known
// published algorithms, so the project needs no statistics dependency. Absolute error about 1e-14 (normal, t, beta).

/**
 * Standard normal cumulative distribution Φ(x).
 * Hart's algorithm 5666 as given by G. West, "Better approximations to cumulative normal functions" (2005),
 * figure 2: absolute error below 1e-14 everywhere, relative error below 1e-8 in the far tails (|x| > 7),
 * computed on the tail side so that 1 − Φ never cancels.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const xAbs = Math.abs(x);
  let tail: number; // Φ(−|x|)
  if (xAbs > 37) {
    tail = 0;
  } else {
    const e = Math.exp((-xAbs * xAbs) / 2);
    if (xAbs < 7.07106781186547) {
      let num = 3.52624965998911e-2 * xAbs + 0.700383064443688;
      num = num * xAbs + 6.37396220353165;
      num = num * xAbs + 33.912866078383;
      num = num * xAbs + 112.079291497871;
      num = num * xAbs + 221.213596169931;
      num = num * xAbs + 220.206867912376;
      let den = 8.83883476483184e-2 * xAbs + 1.75566716318264;
      den = den * xAbs + 16.064177579207;
      den = den * xAbs + 86.7807322029461;
      den = den * xAbs + 296.564248779674;
      den = den * xAbs + 637.333633378831;
      den = den * xAbs + 793.826512519948;
      den = den * xAbs + 440.413735824752;
      tail = (e * num) / den;
    } else {
      // Continued fraction for the far tail (Mills ratio).
      let cf = xAbs + 0.65;
      cf = xAbs + 4 / cf;
      cf = xAbs + 3 / cf;
      cf = xAbs + 2 / cf;
      cf = xAbs + 1 / cf;
      tail = e / cf / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/** Standard normal density φ(x). */
function normalPdf(x: number): number {
  return Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
}

const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Standard normal quantile Φ⁻¹(p), p in (0, 1); ±Infinity at 0 and 1.
 * P. J. Acklam's rational approximation (relative error 1.15e-9), polished by one Halley step on normalCdf,
 * which brings it to the precision of normalCdf.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const pLow = 0.02425;
  let x: number;
  if (p < pLow || p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(p < pLow ? p : 1 - p));
    const c = ACKLAM_C;
    const d = ACKLAM_D;
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - pLow) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    const a = ACKLAM_A;
    const b = ACKLAM_B;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // Halley refinement; in the upper tail work with the complement to avoid cancellation in 1 − p.
  // Beyond |x| ≈ 7 normalCdf's relative precision (about 1e-8) is no better than Acklam's own.
  if (Math.abs(x) > 7) return x;
  // Φ(x) − p, written as (1 − p) − Φ(−x) in the upper half.
  const err = p > 0.5 ? 1 - p - normalCdf(-x) : normalCdf(x) - p;
  const u = err / normalPdf(x);
  return x - u / (1 + (x * u) / 2);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < 9; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Continued fraction for the incomplete beta function, evaluated by the modified Lentz method
 * (Numerical Recipes, 3rd ed., §6.4, betacf). Converges quickly for x < (a + 1) / (a + b + 2).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const eps = 1e-15;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  // The number of terms needed grows like √max(a, b); 100,000 covers samples of many millions.
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < eps) break;
  }
  return h;
}

/** Regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]: the Beta(a, b) cumulative distribution. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Density of Beta(a, b) at x, computed through logarithms so large a, b do not overflow. */
export function betaPdf(x: number, a: number, b: number): number {
  if (x < 0 || x > 1) return 0;
  if (x === 0) return a < 1 ? Number.POSITIVE_INFINITY : a === 1 ? b : 0;
  if (x === 1) return b < 1 ? Number.POSITIVE_INFINITY : b === 1 ? a : 0;
  return Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x),
  );
}

/**
 * Student t cumulative distribution with df > 0 degrees of freedom (df need not be an integer, as Welch's df is not):
 * P(T ≤ t) = 1 − ½ I_{df/(df+t²)}(df/2, ½) for t > 0, by symmetry otherwise.
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  // Beyond ten million degrees of freedom the t and normal distributions differ by less than 1e-8.
  if (df > 1e7) return normalCdf(t);
  const t2 = t * t;
  if (t2 < df) {
    // Near 0, df/(df + t²) rounds to 1; the complementary form I_{t²/(df+t²)}(½, df/2) keeps the digits.
    const half = 0.5 * regularizedIncompleteBeta(t2 / (df + t2), 0.5, df / 2);
    return t > 0 ? 0.5 + half : 0.5 - half;
  }
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Two-sided p-value of a t statistic: P(|T| ≥ |t|), computed directly so small p-values keep their precision. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  if (df > 1e7) return 2 * normalCdf(-Math.abs(t));
  const t2 = t * t;
  if (t2 < df) return 1 - regularizedIncompleteBeta(t2 / (df + t2), 0.5, df / 2);
  return regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5);
}

/** Two-sided p-value of a z statistic: P(|Z| ≥ |z|). */
export function normalTwoSidedP(z: number): number {
  return 2 * normalCdf(-Math.abs(z));
}

/** Student t density. */
export function studentTPdf(t: number, df: number): number {
  return Math.exp(
    logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df),
  );
}

/**
 * Student t quantile: the t with P(T ≤ t) = p. Newton's method from the normal quantile, kept inside a
 * bracket that bisection narrows whenever a Newton step would leave it, so it always converges.
 */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (df > 1e7) return normalQuantile(p);
  let lo = 0;
  let hi = Math.max(1, normalQuantile(p));
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Number.POSITIVE_INFINITY;
  }
  let x = Math.min(Math.max(normalQuantile(p), lo), hi);
  for (let i = 0; i < 200; i++) {
    const f = studentTCdf(x, df) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    let next = x - f / studentTPdf(x, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-14 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}
