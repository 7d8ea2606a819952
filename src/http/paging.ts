type Filter = { page: number } & Record<string, unknown>;

/** The list's filters that are set, as query parameters (the page aside). */
const setFilters = (filter: Filter) =>
  Object.entries(filter).filter(([k, v]) => k !== 'page' && typeof v === 'string' && v !== '') as [
    string,
    string,
  ][];

/**
 * The query strings of a list's previous and next pages (null where there is none): the list's
 * filters that are set, and the page. `more`: the page fetched one row more than it shows.
 */
export function pageLinks(
  filter: Filter,
  more: boolean,
): { previous: string | null; next: string | null } {
  const set = setFilters(filter);
  const params = (page: number) => new URLSearchParams([...set, ['page', String(page)]]).toString();
  return {
    previous: filter.page > 1 ? params(filter.page - 1) : null,
    next: more ? params(filter.page + 1) : null,
  };
}

/**
 * Where a page past the last one (an old link, a list that shrank) goes instead of an empty page
 * linking to another: the first page of the same filters. Null when the page shows something.
 */
export function pastLastPage(path: string, filter: Filter, shown: number): string | null {
  if (filter.page <= 1 || shown > 0) return null;
  const set = setFilters(filter);
  const query = new URLSearchParams(set).toString();
  return query ? `${path}?${query}` : path;
}
