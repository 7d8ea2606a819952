import fc from 'fast-check';
import {
  band,
  DMA_DIMENSIONS,
  overallScore,
  type DmaScores,
} from '../../src/modules/survey/readiness';
import {
  effectiveState,
  plannableQuarters,
  quarterOf,
  romeToday,
} from '../../src/modules/survey/calendar';
import { checkNeedLines } from '../../src/modules/survey/need-rules';

const scores = (...v: number[]) =>
  Object.fromEntries(DMA_DIMENSIONS.map((d, i) => [d, v[i]])) as DmaScores;

describe('overallScore and band', () => {
  it('is the mean of the six dimensions × 20', () => {
    expect(overallScore(scores(0, 0, 0, 0, 0, 0))).toBe(0);
    expect(overallScore(scores(5, 5, 5, 5, 5, 5))).toBe(100);
    expect(overallScore(scores(3, 2, 4, 3, 1, 2))).toBe(50);
    expect(overallScore(scores(1, 1, 1, 1, 1, 2))).toBe(23); // 23.33 rounds down
  });

  it('stays within 0–100 for every answer', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }), (v) => {
        const s = overallScore(scores(...v));
        return Number.isInteger(s) && s >= 0 && s <= 100;
      }),
    );
  });

  it('refuses scores outside 0–5 or fractional', () => {
    expect(() => overallScore(scores(6, 0, 0, 0, 0, 0))).toThrow(RangeError);
    expect(() => overallScore(scores(-1, 0, 0, 0, 0, 0))).toThrow(RangeError);
    expect(() => overallScore(scores(2.5, 0, 0, 0, 0, 0))).toThrow(RangeError);
  });

  it.each([
    [0, 'basic'],
    [25, 'basic'],
    [26, 'average'],
    [50, 'average'],
    [51, 'moderately_advanced'],
    [75, 'moderately_advanced'],
    [76, 'advanced'],
    [100, 'advanced'],
  ])('puts %i in the %s band', (score, expected) => {
    expect(band(score)).toBe(expected);
  });
});

describe('calendar', () => {
  it('computes effective campaign states from dates, without a cron', () => {
    const c = { opens_at: '2027-01-10', closes_at: '2027-02-10' };
    expect(effectiveState({ ...c, status: 'draft' }, '2027-01-20')).toBe('draft');
    expect(effectiveState({ ...c, status: 'open' }, '2027-01-09')).toBe('scheduled');
    expect(effectiveState({ ...c, status: 'open' }, '2027-01-10')).toBe('open');
    expect(effectiveState({ ...c, status: 'open' }, '2027-02-10')).toBe('open');
    expect(effectiveState({ ...c, status: 'open' }, '2027-02-11')).toBe('closed');
    expect(effectiveState({ ...c, status: 'closed' }, '2027-01-20')).toBe('closed');
  });

  it('offers the current quarter and the seven after it', () => {
    expect(quarterOf('2026-11-23')).toBe('2026-Q4');
    expect(plannableQuarters('2026-11-23')).toEqual([
      '2026-Q4',
      '2027-Q1',
      '2027-Q2',
      '2027-Q3',
      '2027-Q4',
      '2028-Q1',
      '2028-Q2',
      '2028-Q3',
    ]);
  });

  it('reads the day in Europe/Rome', () => {
    expect(romeToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    // Either side of midnight in Rome, in winter (UTC+1) and in summer (UTC+2), one after the
    // other: the day is never one remembered from the minute before.
    expect(romeToday(new Date('2027-01-14T22:59:59Z'))).toBe('2027-01-14');
    expect(romeToday(new Date('2027-01-14T23:00:00Z'))).toBe('2027-01-15');
    expect(romeToday(new Date('2027-07-14T21:59:59.999Z'))).toBe('2027-07-14');
    expect(romeToday(new Date('2027-07-14T22:00:00Z'))).toBe('2027-07-15');
    expect(romeToday(new Date('2027-07-14T21:59:00Z'))).toBe('2027-07-14');
  });
});

describe('checkNeedLines', () => {
  const ctx = {
    skills: new Map([
      ['F40.a', 'F40'],
      ['DC1.1', 'DC1'],
    ]),
    occupations: new Set(['31', '72']),
    employees: 10,
    quarters: ['2027-Q1', '2027-Q2'],
  };
  const line = {
    skill: 'F40.a',
    occupation: '31',
    workers: 3,
    eqf: 4,
    priority: 'high' as const,
    modality: 'online' as const,
    period: '2027-Q1',
    note: '',
  };

  it('accepts good lines', () => {
    expect(checkNeedLines([line, { ...line, eqf: 5 }], ctx)).toEqual([]);
  });

  it('names each broken rule next to its field', () => {
    const errors = checkNeedLines(
      [
        { ...line, skill: 'DC9.9', workers: 11, period: '2030-Q1', occupation: '99' },
        line,
        { ...line },
      ],
      ctx,
    );
    expect(errors.map((e) => [e.field, e.key])).toEqual([
      ['needs.0.skill', 'survey.errors.skillOutside'],
      ['needs.0.occupation', 'survey.errors.unknownOccupation'],
      ['needs.0.workers', 'survey.errors.workersAboveEmployees'],
      ['needs.0.period', 'survey.errors.periodOutside'],
      ['needs.2.skill', 'survey.errors.duplicateLine'],
    ]);
  });
});
