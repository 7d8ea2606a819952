import { viewTemplates } from '../helpers/views';

/**
 * An error shown next to a field is read with the field: the control (or the fieldset of a group
 * of radios or checkboxes) names the message in its aria-describedby, so a screen reader reaching
 * it hears what is wrong, not only a red border it cannot see.
 */

it('makes every field error the description of its field', () => {
  const messages = viewTemplates().flatMap(({ name, text: raw }) => {
    // Quotes inside {{…}} are Handlebars', not the attribute's; `../x` is `x` one level up.
    const text = raw.replace(/{{[^}]*}}/g, (m) => m.replace(/"/g, "'").replace(/\.\.\//g, ''));
    const described = [...text.matchAll(/aria-describedby="([^"]*)"/g)].map((m) => m[1]!).join(' ');
    return [...text.matchAll(/<p\b[^>]*\bid="(error-[^"]+)"/g)].map((m) => ({
      name,
      id: m[1]!,
      described: described.includes(m[1]!),
    }));
  });
  expect(messages.length).toBeGreaterThan(20);
  expect(messages.filter((m) => !m.described)).toEqual([]);
});
