// How many digits a currency's minor unit has (ISO 4217: EUR 2, JPY 0, KWD 3, HUF 2): the one rule behind every
// amount Mesure stores as an integer of minor units (orders, provider prices, budgets, costs) and every amount the
// dashboard shows or reads back. Not Intl's `maximumFractionDigits`, which is a display choice (0 for HUF, COP, IDR,
// IQD and a dozen more whose ISO minor unit is 2 or 3): dividing stored minor units by that would show 100 times the
// amount. Imported by the dashboard too, so it stays free of imports.

const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Digits after the decimal point in the currency's minor unit (JPY 0, EUR 2, KWD 3); 2 for a code not listed. */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}
