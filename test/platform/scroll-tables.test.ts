import fs from 'node:fs';
import path from 'node:path';

/**
 * A table wider than the screen scrolls sideways inside its `.table-responsive` box, and a
 * keyboard user can scroll it only if the box takes focus (WCAG 2.1.1; axe's
 * scrollable-region-focusable). Each box is a named region with tabindex="0"; the one exception
 * is a table whose every row holds a link, which the keyboard already reaches.
 */
const VIEWS = path.join(__dirname, '..', '..', 'views');
const LINKED_ROWS = new Set(['partials/pact-table.hbs']);

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return templates(full);
    return e.name.endsWith('.hbs') ? [full] : [];
  });
}

it('makes every sideways-scrolling table a focusable, named region', () => {
  const boxes = templates(VIEWS).flatMap((file) => {
    const name = path.relative(VIEWS, file).split(path.sep).join('/');
    const tags = fs.readFileSync(file, 'utf8').match(/<div class="table-responsive[^>]*>/g) ?? [];
    return tags.map((tag) => ({ name, tag }));
  });
  expect(boxes.length).toBeGreaterThan(15);
  const bare = boxes.filter(
    ({ name, tag }) =>
      !LINKED_ROWS.has(name) &&
      !(
        tag.includes('role="region"') &&
        tag.includes('tabindex="0"') &&
        /aria-label(ledby)?="[^"]/.test(tag)
      ),
  );
  expect(bare).toEqual([]);
});
