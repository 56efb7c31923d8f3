import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { csvField, neutralizeCsvCell } from './csv';

describe('csvField', () => {
  it('writes a record as csv-stringify does with the neutralising cast (the export used to stream through it)', () => {
    const field = fc.oneof(
      fc.constant(null),
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', ' ', '1') }),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (values) => {
        const columns = values.map((_, i) => `c${i}`);
        const record = Object.fromEntries(values.map((v, i) => [columns[i], v]));
        const expected = stringify([record], { header: false, columns, cast: { string: neutralizeCsvCell } });
        expect(values.map(csvField).join(',') + '\n').toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes and neutralises by hand-checked examples', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
  });
});
