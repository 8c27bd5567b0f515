import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import type { ComponentProps } from "react";
import { ListSection, type ListQuery } from "./ListSection";

type Row = { id: string; name: string };

function query(patch: Partial<ListQuery<Row>> = {}): ListQuery<Row> {
  return { isPending: false, isError: false, error: null, refetch: vi.fn(), ...patch };
}

function paged(patch: Partial<ListQuery<Row>> = {}): ListQuery<Row> {
  return query({
    hasNextPage: false,
    isFetchingNextPage: false,
    isFetchNextPageError: false,
    fetchNextPage: vi.fn(),
    items: [],
    ...patch,
  });
}

type Props = ComponentProps<typeof ListSection<Row>>;

function renderList(list: ListQuery<Row>, props: Partial<Props> = {}) {
  return render(
    <ListSection<Row>
      list={list}
      title="People"
      description="Everyone."
      loading="Loading people…"
      empty={<p>Nobody yet</p>}
      {...props}
    >
      {(rows) => (
        <ul aria-label="People">
          {rows.map((row) => (
            <li key={row.id}>{row.name}</li>
          ))}
        </ul>
      )}
    </ListSection>,
  );
}

describe("ListSection", () => {
  it("shows a spinner while the first page loads", () => {
    renderList(paged({ isPending: true }));
    expect(screen.getByRole("heading", { name: "People" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Loading people…");
    expect(screen.queryByRole("list")).not.toBeInTheDocument();
  });

  it("shows the error with Retry when nothing could be loaded", async () => {
    const list = paged({
      isError: true,
      error: new ApiError(500, "internal", "Database unavailable."),
    });
    renderList(list);
    expect(screen.getByRole("alert")).toHaveTextContent("Database unavailable.");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(list.refetch).toHaveBeenCalledOnce();
  });

  it("shows the empty state when there are no rows", () => {
    renderList(paged());
    expect(screen.getByText("Nobody yet")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("renders the rows, with Load more while there is more", async () => {
    const list = paged({ items: [{ id: "1", name: "Asha" }], hasNextPage: true });
    renderList(list);
    expect(screen.getByRole("list", { name: "People" })).toHaveTextContent("Asha");
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(list.fetchNextPage).toHaveBeenCalledOnce();
  });

  it("keeps the rows on screen when a later page fails", () => {
    renderList(
      paged({
        items: [{ id: "1", name: "Asha" }],
        hasNextPage: true,
        isError: true,
        isFetchNextPageError: true,
        error: new ApiError(0, "network", "You're offline."),
      }),
    );
    expect(screen.getByText("Asha")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("You're offline.");
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("takes a plain query's rows, without Load more", () => {
    renderList(query(), { items: [{ id: "2", name: "Ben" }] });
    expect(screen.getByText("Ben")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("leaves Load more out when asked to", () => {
    renderList(paged({ items: [{ id: "1", name: "Asha" }], hasNextPage: true }), {
      loadMore: false,
    });
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("shows `unavailable` instead of the list", () => {
    renderList(paged({ isPending: true }), { unavailable: <p>Owners only</p> });
    expect(screen.getByText("Owners only")).toBeInTheDocument();
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("can go without its card and header", () => {
    const { container } = renderList(paged({ items: [{ id: "1", name: "Asha" }] }), {
      bare: true,
    });
    expect(screen.queryByRole("heading")).not.toBeInTheDocument();
    expect(container.firstElementChild?.tagName).toBe("UL");
  });
});
