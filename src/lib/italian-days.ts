const MONTHS =
  'gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre|' +
  'gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic';

// Before "8" (otto) and "11" (undici) Italian elides the article: "l'8 dicembre", "dall'11 marzo".
const ELIDED: Record<string, string> = {
  il: "l'",
  dal: "dall'",
  al: "all'",
  del: "dell'",
  nel: "nell'",
  sul: "sull'",
};
const ELISION = new RegExp(`\\b(il|dal|al|del|nel|sul) (8|11)(?= (?:${MONTHS})\\b)`, 'gi');
// The first of the month is an ordinal: "il 1º gennaio", not "il 1 gennaio".
const FIRST = new RegExp(`\\b(il|dal|al|del|nel|sul|entro il) 1(?= (?:${MONTHS})\\b)`, 'gi');

/**
 * A sentence of the Italian locale with a day put after its article ("chiude il {{date, day}}")
 * as Italian writes it: "chiude l'8 gennaio", "dal 1º gennaio". Only before a month's name.
 */
export function italianDays(text: string): string {
  if (!/\d/.test(text)) return text;
  return text
    .replace(ELISION, (_, article: string, day: string) => {
      const elided = ELIDED[article.toLowerCase()]!;
      const cased =
        article[0] === article[0]!.toUpperCase()
          ? elided[0]!.toUpperCase() + elided.slice(1)
          : elided;
      return `${cased}${day}`;
    })
    .replace(FIRST, (_, article: string) => `${article} 1º`);
}
