import type { ReactNode } from "react";
import { LoadMore, type PagedList } from "./LoadMore";
import { Card, CardHeader } from "./ui/Card";
import { listState } from "./ui/States";

/** A query whose rows a list shows: a `useCursorList` result, or any query and its rows. */
export type ListQuery<T> = {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  /** A `useCursorList` result's rows. */
  items?: readonly T[];
} & Partial<PagedList>;

/**
 * One list of a page: a card (with its header when `title` is set) holding the rows, or in
 * their place a spinner while the first page loads, the error with Retry, or `empty`. A cursor
 * list gets its "Load more" below the rows. `unavailable` replaces all of it when the list cannot
 * be shown (a role that may not see it, nothing picked yet); its query should then be disabled.
 */
export function ListSection<T>({
  list,
  items = list.items ?? [],
  loading,
  empty,
  unavailable,
  title,
  description,
  actions,
  headerId,
  bare = false,
  loadMore = true,
  className,
  children,
}: {
  list: ListQuery<T>;
  /** The rows, when they are not the list's `items` (e.g. sorted, or a plain query's). */
  items?: readonly T[];
  /** What the spinner says while the first page loads. */
  loading: string;
  /** Shown when there are no rows (usually an `EmptyState`). */
  empty: ReactNode;
  /** Shown instead of the list, when set. */
  unavailable?: ReactNode;
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  /** The header title's id, for `aria-labelledby`. */
  headerId?: string;
  /** Without the card (e.g. in a pane that is its own frame). */
  bare?: boolean;
  /** False for a list that shows its first page only. */
  loadMore?: boolean;
  className?: string;
  /** Renders the rows; called only when there are some. */
  children: (items: readonly T[]) => ReactNode;
}) {
  const body = unavailable ?? listState(list, items.length, { loading, empty }) ?? (
    <>
      {children(items)}
      {loadMore && isPaged(list) && <LoadMore list={list} />}
    </>
  );
  if (bare) return body;
  return (
    <Card className={className}>
      {title !== undefined && (
        <CardHeader id={headerId} title={title} description={description} actions={actions} />
      )}
      {body}
    </Card>
  );
}

function isPaged(list: Partial<PagedList>): list is PagedList {
  return typeof list.fetchNextPage === "function";
}
