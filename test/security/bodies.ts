import fc from 'fast-check';

/** Strings that have broken web apps before: NUL, formula injection, markup, odd Unicode. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0001\u001b[31m\r\n',
  '=CMD()',
  "=cmd|' /C calc'!A0",
  '+SUM(1;1)',
  '@HYPERLINK("x")',
  "'; DROP TABLE users; --",
  '<script>alert(1)</script>',
  '{{constructor.constructor}}',
  '../../etc/passwd',
  '\u202eevil',
  '\ud800',
  '\ufeff',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇮🇹',
  'NaN',
  'null',
  '1e309',
  '__proto__',
  'ITI14',
  'admin',
);
// Mostly just over a field's limit; sometimes over the body limit as a whole.
const huge = fc
  .tuple(
    fc.constantFrom('x', 'é', '𝔘', '\u0000', '%'),
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 201, max: 5_000 }) },
      fc.integer({ min: 5_001, max: 120_000 }),
    ),
  )
  .map(([c, n]) => c.repeat(n));
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  nasty,
  huge,
);
export const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

/** Bodies around a near-valid example: fields kept, spiked, replaced or missing, plus extras. */
export function bodies(fields: string[], example: Record<string, unknown>) {
  const key = fc.oneof(
    fc.constantFrom(...fields, '__proto__', 'constructor', 'toString', 'valueOf', 'a[b]'),
    fc.string(),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  }));
  // Each field mostly kept, else spiked with a nasty string, replaced or missing; sometimes with
  // extra fields beside them.
  const field = (v: unknown) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(v) },
      { weight: 2, arbitrary: nasty.map((n) => (typeof v === 'string' ? v + n : n)) },
      { weight: 2, arbitrary: value },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  const mutated = fc
    .tuple(
      fc.record(Object.fromEntries(fields.map((f) => [f, field(example[f])]))),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant({}) },
        fc.dictionary(key, value, { maxKeys: 3 }),
      ),
    )
    .map(([known, extra]) => ({ ...known, ...extra }));
  return fc.oneof({ weight: 3, arbitrary: mutated }, fc.dictionary(key, value, { maxKeys: 6 }));
}
