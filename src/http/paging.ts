/**
 * The query strings of a list's previous and next pages (null where there is none): the list's
 * filters that are set, and the page. `more`: the page fetched one row more than it shows.
 */
export function pageLinks(
  filter: { page: number } & Record<string, unknown>,
  more: boolean,
): { previous: string | null; next: string | null } {
  const set = Object.entries(filter).filter(
    ([k, v]) => k !== 'page' && typeof v === 'string' && v !== '',
  ) as [string, string][];
  const params = (page: number) => new URLSearchParams([...set, ['page', String(page)]]).toString();
  return {
    previous: filter.page > 1 ? params(filter.page - 1) : null,
    next: more ? params(filter.page + 1) : null,
  };
}
