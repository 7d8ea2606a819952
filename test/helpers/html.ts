/**
 * Reading a page as a person does, for tests that assert what it says rather than its markup.
 * The app's only entities are the ones Handlebars writes when it escapes a value
 * (& < > " ' ` = as &amp; &lt; &gt; &quot; &#x27; &#x60; &#x3D;); numeric ones are decoded too.
 */

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** The HTML with its character references decoded, in one pass (`&amp;lt;` stays `&lt;`). */
export function decodeEntities(html: string): string {
  return html.replace(/&(?:#x([0-9a-f]+)|#(\d+)|([a-z]+));/gi, (entity, hex, dec, name) => {
    if (hex) return String.fromCodePoint(parseInt(hex as string, 16));
    if (dec) return String.fromCodePoint(parseInt(dec as string, 10));
    return NAMED[(name as string).toLowerCase()] ?? entity;
  });
}

/**
 * The text of a page or fragment as a reader sees it: every tag becomes a space, entities are
 * decoded, runs of white space (no-break spaces included) become one space, ends trimmed.
 */
export function pageText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}
