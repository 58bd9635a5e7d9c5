/**
 * Builds `{items, nextCursor}` from a query that fetched `limit + 1` rows: the extra row only
 * tells whether another page exists.
 */
export function page<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => string,
) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(toItem),
    nextCursor: rows.length > limit && last ? cursorOf(last) : null,
  };
}
