import { getI18n } from '../../src/http/i18n';
import { formatNumber } from '../../src/lib/format';
import { formatters } from '../../src/modules/dashboard/dashboard.view';
import { needsTable } from '../../src/modules/needs/needs.view';
import type { NeedsAggregate } from '../../src/modules/needs/needs.service';
import type { PageQuery } from '../../src/modules/needs/needs.schemas';

// Italian CLDR leaves four-digit numbers bare ("1500") but groups five ("15.000"): a column of
// workers read "1500" above a total of "15.000". Counts are grouped as money already is.
describe('formatNumber', () => {
  it('groups thousands the same way for every count, in the reader’s locale', () => {
    expect(formatNumber(1500, 'it')).toBe('1.500');
    expect(formatNumber(15000, 'it')).toBe('15.000');
    expect(formatNumber(999, 'it')).toBe('999');
    expect(formatNumber(1500, 'en')).toBe('1,500');
    expect(formatNumber(1234.56, 'it', 1)).toBe('1.234,6');
    expect(formatNumber(12.5, 'en', 1)).toBe('12.5');
  });
});

describe('the dashboard and /needs tables', () => {
  it('write a four-digit count grouped, as its five-digit total is', () => {
    const f = formatters('it');
    expect(f.int(1500)).toBe('1.500');
    expect(f.dec(1234.5)).toBe('1.234,5');
    expect(formatters('en').int(1500)).toBe('1,500');

    const place = (code: string, name: string) => ({ code, level: 'LAU', name, names: {} });
    const a = {
      territory: 'ITI14',
      path: [{ ...place('ITI14', 'Firenze'), level: 'NUTS3' }],
      rows: [{ ...place('048017', 'Firenze'), children: 0 }],
      values: ['F40'],
      cells: [
        { territory: '048017', value: 'F40', firms: 9, workers: 1500, suppressed: false },
        { territory: '048017', value: '*', firms: 9, workers: 1500, suppressed: false },
        { territory: 'ITI14', value: 'F40', firms: 30, workers: 15000, suppressed: false },
        { territory: 'ITI14', value: '*', firms: 30, workers: 15000, suppressed: false },
      ],
    } as unknown as NeedsAggregate;
    const q = { measure: 'workers', sort: 'name' } as PageQuery;
    const table = needsTable(a, q, new Map(), 'it', (k) => k);
    expect(table.rows[0]!.total.text).toBe('1.500');
    expect(table.totals.total.text).toBe('15.000');
  });
});

describe('numbers inside sentences ({{n, number}})', () => {
  it('are grouped as in the tables: "1.500" in Italian, "1,500" in English', () => {
    const it_ = getI18n().getFixedT('it');
    const en = getI18n().getFixedT('en');
    expect(it_('validation.tooBig', { max: 1500 })).toBe('Il valore massimo è 1.500');
    expect(it_('validation.tooBig', { max: 12.5 })).toBe('Il valore massimo è 12,5');
    expect(en('validation.tooBig', { max: 1500 })).toBe('The largest allowed value is 1,500');
  });
});
