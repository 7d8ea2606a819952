import { quarterOf, romeToday } from '../../src/modules/survey/calendar';
import { daysFromNow, farDay, quarterAfter, quarterFromNow } from './dates';

describe('test dates relative to today', () => {
  it('counts quarters across years, both ways', () => {
    expect(quarterAfter('2026-Q4', 1)).toBe('2027-Q1');
    expect(quarterAfter('2026-Q4', 5)).toBe('2028-Q1');
    expect(quarterAfter('2027-Q1', -1)).toBe('2026-Q4');
    expect(quarterAfter('2027-Q1', -5)).toBe('2025-Q4');
    expect(quarterAfter('2027-Q2', 0)).toBe('2027-Q2');
  });

  it('starts from the quarter of today in Rome', () => {
    expect(quarterFromNow(0)).toBe(quarterOf(romeToday()));
    expect(quarterFromNow(-1) < quarterFromNow(0)).toBe(true);
    expect(quarterFromNow(4)).toBe(quarterAfter(quarterOf(romeToday()), 4));
    expect(daysFromNow(0)).toBe(romeToday());
    expect(daysFromNow(1) > romeToday()).toBe(true);
  });

  it('puts a far day years ahead of today, in order', () => {
    expect(farDay()).toBe(daysFromNow(4 * 365));
    expect(farDay() > daysFromNow(3 * 365)).toBe(true);
    expect(farDay(30) > farDay()).toBe(true);
  });
});
