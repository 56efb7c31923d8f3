import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boundedDetails, countsOf, fieldChanges, MAX_DETAILS_CHARS, redact } from './audit';

describe('audit details', () => {
  it('names a secret field without its value, at any depth, and leaves omitted fields out', () => {
    expect(redact({ secret: 'whsec_x', previousSecret: 'old', url: 'https://h.example', nested: { verifyToken: 't', apiKey: 'k', keep: 1 }, address: 'a@b.c' }, ['address'])).toEqual({
      secret: '[redacted]', previousSecret: '[redacted]', url: 'https://h.example', nested: { verifyToken: '[redacted]', apiKey: '[redacted]', keep: 1 },
    });
    expect(redact({ password: 'p', currentPassword: 'c', newPassword: 'n', name: 'ci', role: 'viewer' })).toEqual({
      password: '[redacted]', currentPassword: '[redacted]', newPassword: '[redacted]', name: 'ci', role: 'viewer',
    });
  });

  it('never lets the value of a secret-named field through, whatever it holds', () => {
    fc.assert(fc.property(fc.string({ minLength: 12 }), fc.constantFrom('secret', 'appSecret', 'token', 'password', 'signingKey', 'credentials'), (value, name) => {
      const out = JSON.parse(boundedDetails(redact({ [name]: value, list: [{ [name]: value }] }) as Record<string, unknown>));
      expect(out).toEqual({ [name]: '[redacted]', list: [{ [name]: '[redacted]' }] });
    }));
  });

  it('lists only the fields that change, with their value before and after (absent reads as null)', () => {
    expect(fieldChanges({ name: 'Shop', currency: 'EUR', monthlyBudget: null }, { name: 'Shop 2', currency: 'EUR', monthlyBudget: 500, graceDays: 3 })).toEqual({
      name: { from: 'Shop', to: 'Shop 2' }, monthlyBudget: { from: null, to: 500 }, graceDays: { from: null, to: 3 },
    });
    expect(fieldChanges({ secret: 'a' }, { secret: 'b' })).toEqual({ secret: { from: '[redacted]', to: '[redacted]' } });
    expect(fieldChanges({ windows: { email: 1 } }, { windows: { email: 1 } })).toEqual({});
  });

  it('keeps details under the bound: long texts become their length, then only the field names', () => {
    const html = 'x'.repeat(10_000);
    expect(JSON.parse(boundedDetails({ name: 'Spring', template: { html } }))).toEqual({ name: 'Spring', template: { html: '[10000 characters]' } });
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`f${i}`, 'y'.repeat(150)]));
    const text = boundedDetails(many);
    expect(text.length).toBeLessThanOrEqual(MAX_DETAILS_CHARS);
    expect(JSON.parse(text)).toMatchObject({ truncated: true });
  });

  it('counts an import by its numbers and the length of its lists', () => {
    expect(countsOf({ added: 3, existing: 1, rejected: [{ line: 4 }, { line: 9 }], message: 'done' })).toEqual({ added: 3, existing: 1, rejected: 2 });
    expect(countsOf(undefined)).toEqual({});
  });
});
