import { viewTemplates } from '../helpers/views';

/**
 * A table wider than the screen scrolls sideways inside its `.table-responsive` box, and a
 * keyboard user can scroll it only if the box takes focus (WCAG 2.1.1; axe's
 * scrollable-region-focusable). Each box is a named region with tabindex="0"; the one exception
 * is a table whose every row holds a link, which the keyboard already reaches.
 */
const LINKED_ROWS = new Set(['partials/pact-table.hbs']);

it('makes every sideways-scrolling table a focusable, named region', () => {
  const boxes = viewTemplates().flatMap(({ name, text }) => {
    const tags = text.match(/<div class="table-responsive[^>]*>/g) ?? [];
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
