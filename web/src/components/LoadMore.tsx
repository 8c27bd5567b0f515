import { errorMessage } from "../api/errors";
import { Button } from "./ui/Button";

/** What "Load more" needs of a `useCursorList` result. */
export interface PagedList {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage: () => unknown;
}

/** The footer of a cursor list: "Load more" while there is more, and the error of a failed page. */
export function LoadMore({
  list,
}: {
  /** A `useCursorList` result. */
  list: PagedList;
}) {
  const error = list.isFetchNextPageError ? list.error : undefined;
  if (!list.hasNextPage && !error) return null;
  return (
    <div className="flex flex-col items-center gap-2 border-t border-gray-200 px-5 py-3">
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(error)}
        </p>
      ) : null}
      {list.hasNextPage && (
        <Button
          variant="secondary"
          size="sm"
          loading={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {error ? "Retry" : "Load more"}
        </Button>
      )}
    </div>
  );
}
