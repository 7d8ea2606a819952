import { decodeEntities } from './html';

/** Each line of a page's error summary, as a reader sees it: where it links and what it says. */
export function errorSummary(html: string): { href: string; text: string }[] {
  const box = /<div class="alert alert-danger error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...box.matchAll(/<li><a href="([^"]*)">([^<]*)<\/a><\/li>/g)].map((m) => ({
    href: m[1]!,
    text: decodeEntities(m[2]!),
  }));
}

/** The text of the label of the field with this id (`field-…`) on the page. */
export function labelOf(html: string, id: string): string | undefined {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`<label[^>]*for="${escaped}"[^>]*>([^<]*)</label>`).exec(html);
  return m ? decodeEntities(m[1]!.trim()) : undefined;
}

/** Every summary line names its field by the label the form shows, and links to the field. */
export function expectSummaryNamesFields(html: string, count: number): void {
  const lines = errorSummary(html);
  expect(lines).toHaveLength(count);
  for (const { href, text } of lines) {
    expect(href).toMatch(/^#field-/);
    expect(html).toContain(`id="${href.slice(1)}"`);
    const label = labelOf(html, href.slice(1));
    expect(label).toBeTruthy();
    expect(text).toContain(`${label}: `);
  }
}
