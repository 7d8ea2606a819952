import { getI18n } from '../../src/http/i18n';
import { italianDays } from '../../src/lib/italian-days';

describe('italianDays', () => {
  it('elides the article before the 8th and the 11th, and writes the 1st as an ordinal', () => {
    expect(italianDays('chiude il 8 gennaio 2027')).toBe("chiude l'8 gennaio 2027");
    expect(italianDays('Presentato il 11 dicembre 2026')).toBe("Presentato l'11 dicembre 2026");
    expect(italianDays('valgono dal 8 mar 2027, fino al 11 aprile')).toBe(
      "valgono dall'8 mar 2027, fino all'11 aprile",
    );
    expect(italianDays('Il 8 maggio')).toBe("L'8 maggio");
    expect(italianDays('valgono dal 1 gennaio 2024')).toBe('valgono dal 1º gennaio 2024');
  });

  it('leaves every other day and number alone', () => {
    for (const text of [
      'chiude il 9 gennaio 2027',
      'chiude il 18 gennaio 2027',
      'il 28 febbraio',
      'il 8 % delle imprese',
      'il 1 partecipante',
      'revisione 8',
    ])
      expect(italianDays(text)).toBe(text);
  });
});

describe('the Italian texts with a day', () => {
  it('read as Italian whatever the day; English is untouched', () => {
    const it = getI18n().getFixedT('it');
    expect(it('campaigns.extendLead', { date: '2027-01-08' })).toBe(
      "Oggi l'indagine chiude l'8 gennaio 2027.",
    );
    expect(it('campaigns.extendLead', { date: '2027-01-01' })).toBe(
      "Oggi l'indagine chiude il 1º gennaio 2027.",
    );
    expect(getI18n().getFixedT('en')('campaigns.extendLead', { date: '2027-01-08' })).toBe(
      'The survey now closes on 8 January 2027.',
    );
  });
});
