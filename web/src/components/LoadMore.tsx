import { errorMessage } from "../api/errors";
import { Button } from "./ui/Button";

/** The footer of a cursor list: "Load more" while there is more, and the error of a failed page. */
export function LoadMore({
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  error,
}: {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
  error?: unknown;
}) {
  if (!hasNextPage && !error) return null;
  return (
    <div className="flex flex-col items-center gap-2 border-t border-gray-200 px-5 py-3">
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(error)}
        </p>
      ) : null}
      {hasNextPage && (
        <Button
          variant="secondary"
          size="sm"
          loading={isFetchingNextPage}
          onClick={() => void fetchNextPage()}
        >
          {error ? "Retry" : "Load more"}
        </Button>
      )}
    </div>
  );
}
