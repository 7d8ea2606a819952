import { viewTemplates } from '../helpers/views';

/**
 * Every data table says what it holds in a <caption> (WCAG 1.3.1): a screen reader's table list
 * names it, even where a heading above says it to the eye (then the caption is visually-hidden).
 * The words come from the locales (or name what the table shows: a chart's title, a skill area).
 */

it('gives every table of the views a caption in the reader’s language', () => {
  const tables = viewTemplates().flatMap(({ name, text }) => {
    return [...text.matchAll(/<table\b[^>]*>\s*(<caption\b[^>]*>([\s\S]*?)<\/caption>)?/g)].map(
      (m) => ({ name, caption: m[2] }),
    );
  });
  expect(tables.length).toBeGreaterThan(40);
  const bare = tables.filter(({ caption }) => !caption?.trim());
  expect(bare).toEqual([]);
});
