import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Conversation, ConversationDetail, Message } from "../../api/models";
import { RequireAuth } from "../auth";
import { RealtimeProvider } from "../../realtime/RealtimeProvider";
import { FakeWebSocket } from "../../test/fakeWebSocket";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { InboxPage } from "./InboxPage";
import { inboxRealtime } from "./realtime";

const routes = [
  {
    element: <RequireAuth />,
    children: [
      {
        path: "/inbox/:conversationId?",
        element: (
          <RealtimeProvider handlers={[inboxRealtime]}>
            <InboxPage />
          </RealtimeProvider>
        ),
      },
    ],
  },
];

const me = {
  user: { id: "u1", name: "Sam Agent", email: "sam@acme.test", role: "agent" },
  org: { id: "o1", name: "Acme" },
};

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

function conversation(patch: Partial<Conversation> = {}): Conversation {
  return {
    id: "c1",
    contact: {
      id: "k1",
      name: "Maria Gonzalez",
      phone: "15557654321",
      opted_out: false,
      marketing_opt_out: false,
    },
    channel: "whatsapp",
    mode: "bot",
    stage: "new",
    lead_status: "new",
    needs_human: false,
    priority: null,
    unread_count: 2,
    window_open_until: inAnHour(),
    last_message: {
      text: "Is the jacket available?",
      direction: "in",
      author: "lead",
      at: new Date().toISOString(),
    },
    updated_at: new Date().toISOString(),
    ...patch,
  };
}

function detail(patch: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    ...conversation(),
    lead_source: "click_to_chat_ad",
    cost: { currency: "USD", meta: 0, model: 0, total: 0, unpriced_messages: 0 },
    campaign: { headline: "Winter sale", source_url: "https://fb.me/ad", source_type: "ad" },
    state: null,
    handoff: null,
    ...patch,
  };
}

function message(patch: Partial<Message>): Message {
  return {
    id: "m1",
    direction: "in",
    author: "lead",
    type: "text",
    text: "Is the jacket available?",
    media: null,
    status: "delivered",
    error: null,
    provider_message_id: "wamid.1",
    reply_to: null,
    edited: false,
    deleted: false,
    created_at: new Date().toISOString(),
    ...patch,
  };
}

describe("InboxPage", () => {
  it("lists conversations, opens one, marks it read and sends a reply", async () => {
    let current = detail();
    let messages: Message[] = [message({})];
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/conversations": () => ({
        items: [conversation({ ...current })],
        next_cursor: null,
      }),
      "GET /api/v1/conversations/c1": () => current,
      "GET /api/v1/conversations/c1/messages": () => ({ items: messages, next_cursor: null }),
      "POST /api/v1/conversations/c1/read": () => {
        current = { ...current, unread_count: 0 };
        return conversation({ unread_count: 0 });
      },
      "POST /api/v1/messages/send": async (req) => {
        const body = (await req.json()) as { conversation_id: string; text: string };
        const sent = message({
          id: "m2",
          direction: "out",
          author: "human",
          text: body.text,
          status: "queued",
          provider_message_id: null,
        });
        messages = [...messages, sent];
        current = { ...current, mode: "human" };
        return reply(202, { message: sent });
      },
    });
    const { router } = renderRoutes(routes, "/inbox");
    const user = userEvent.setup();

    expect(await screen.findByText("Select a conversation")).toBeInTheDocument();
    const row = await screen.findByRole("link", { name: /Maria Gonzalez/ });
    expect(within(row).getByLabelText("2 unread")).toBeInTheDocument();
    await user.click(row);
    expect(router.state.location.pathname).toBe("/inbox/c1");

    const pane = await screen.findByRole("region", { name: "Conversation" });
    expect(await within(pane).findByText("Is the jacket available?")).toBeInTheDocument();
    await waitFor(() => expect(calls.some((c) => c.url.endsWith("/c1/read"))).toBe(true));
    await waitFor(() => expect(within(row).queryByLabelText(/unread/)).toBeNull());

    // The lead's details, with the ad that brought them.
    const details = screen.getByRole("complementary", { name: "Lead details" });
    expect(within(details).getByText("Click to chat ad")).toBeInTheDocument();
    expect(within(details).getByText("Winter sale")).toBeInTheDocument();
    expect(within(details).getByTestId("agent-memory-placeholder")).toBeInTheDocument();
    expect(within(details).getByTestId("window-status")).toHaveTextContent(/^Window open until/);

    // Shift+Enter is a new line; Enter sends.
    expect(within(pane).getByText(/Sending takes over from the bot/)).toBeInTheDocument();
    const composer = within(pane).getByRole("textbox", { name: "Message" });
    await user.type(composer, "Yes it is{Shift>}{Enter}{/Shift}In M and L");
    expect(composer).toHaveValue("Yes it is\nIn M and L");
    await user.type(composer, "{Enter}");
    await waitFor(() => expect(composer).toHaveValue(""));
    const send = calls.find((c) => c.url.endsWith("/api/v1/messages/send"));
    expect(await send!.json()).toEqual({ conversation_id: "c1", text: "Yes it is\nIn M and L" });
    const sent = await within(pane).findByText(/In M and L/);
    expect(sent.closest("[data-testid=message]")).toHaveAttribute("data-author", "human");
    expect(
      await within(pane).findByText("You're in control — the bot is silent"),
    ).toBeInTheDocument();

    // A status event refetches the messages: the ticks move on.
    messages = messages.map((m) => (m.id === "m2" ? { ...m, status: "read" } : m));
    act(() => {
      FakeWebSocket.latest().serverOpen();
      FakeWebSocket.latest().serverSend({
        type: "message:status",
        data: { conversation_id: "c1", message_id: "m2", status: "read" },
      });
    });
    expect(await within(pane).findByRole("img", { name: "Read" })).toBeInTheDocument();
  });

  it("offers a template instead of a reply when the window is closed, and still takes notes", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/conversations": () => ({ items: [], next_cursor: null }),
      "GET /api/v1/conversations/c1": () =>
        detail({ unread_count: 0, window_open_until: new Date(Date.now() - 1000).toISOString() }),
      "GET /api/v1/conversations/c1/messages": () => ({ items: [message({})], next_cursor: null }),
      "POST /api/v1/conversations/c1/notes": () =>
        reply(
          201,
          message({ id: "n1", author: "note", direction: "out", text: "Call her Monday" }),
        ),
    });
    renderRoutes(routes, "/inbox/c1");
    const user = userEvent.setup();
    const pane = await screen.findByRole("region", { name: "Conversation" });
    expect(
      await within(pane).findByText(
        "The 24-hour window is closed. You can only send an approved template.",
      ),
    ).toBeInTheDocument();
    expect(within(pane).queryByRole("textbox", { name: "Message" })).toBeNull();
    // A note never reaches the lead: the window does not matter to it.
    const note = within(pane).getByRole("textbox", { name: "Private note" });
    expect(within(pane).getByRole("button", { name: "Note" })).toBeDisabled();
    await user.type(note, "Call her Monday{Enter}");
    await waitFor(() => expect(note).toHaveValue(""));
    const sent = calls.find((c) => c.url.endsWith("/api/v1/conversations/c1/notes"));
    expect(await sent!.json()).toEqual({ text: "Call her Monday" });
  });

  it("turns a window_closed answer into the template notice, and shows field errors", async () => {
    let attempt = 0;
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/conversations": () => ({ items: [], next_cursor: null }),
      "GET /api/v1/conversations/c1": () => detail({ unread_count: 0 }),
      "GET /api/v1/conversations/c1/messages": () => ({ items: [], next_cursor: null }),
      "POST /api/v1/messages/send": () => {
        attempt += 1;
        return attempt === 1
          ? reply(422, {
              error: {
                code: "validation_failed",
                message: "Some fields need attention.",
                details: { fields: { text: "must be at most 4096 characters" } },
              },
            })
          : reply(422, {
              error: { code: "window_closed", message: "The 24-hour window has closed." },
            });
      },
    });
    renderRoutes(routes, "/inbox/c1");
    const user = userEvent.setup();
    const pane = await screen.findByRole("region", { name: "Conversation" });
    const composer = await within(pane).findByRole("textbox", { name: "Message" });
    await user.type(composer, "Hello{Enter}");
    expect(await within(pane).findByText("must be at most 4096 characters")).toBeInTheDocument();
    expect(composer).toHaveAttribute("aria-invalid", "true");
    expect(composer).toHaveValue("Hello");
    await user.type(composer, "{Enter}");
    expect(await within(pane).findByTestId("window-closed")).toBeInTheDocument();
  });

  it("says a lead opted out before anything is typed, and locks the reply box", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/conversations": () => ({ items: [], next_cursor: null }),
      "GET /api/v1/conversations/c1": () =>
        detail({
          unread_count: 0,
          lead_status: "opted_out",
          // Opting out outranks the closed window: not even a template may go.
          window_open_until: new Date(Date.now() - 1000).toISOString(),
          contact: {
            id: "k1",
            name: "Maria Gonzalez",
            phone: "15557654321",
            opted_out: true,
            marketing_opt_out: false,
          },
        }),
      "GET /api/v1/conversations/c1/messages": () => ({ items: [message({})], next_cursor: null }),
    });
    renderRoutes(routes, "/inbox/c1");
    const pane = await screen.findByRole("region", { name: "Conversation" });
    expect(await within(pane).findByTestId("opted-out")).toHaveTextContent(
      "This lead opted out. You can't message them unless they write again and opt back in.",
    );
    expect(within(pane).queryByTestId("window-closed")).toBeNull();
    expect(within(pane).getByRole("textbox", { name: "Message" })).toBeDisabled();
    expect(within(pane).getByRole("button", { name: "Send" })).toBeDisabled();
    expect(calls.some((c) => c.url.endsWith("/api/v1/messages/send"))).toBe(false);
  });

  it("turns an opted_out answer into the opted-out notice, not an error", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/conversations": () => ({ items: [], next_cursor: null }),
      // The page still holds the lead as subscribed when the send goes out.
      "GET /api/v1/conversations/c1": () => detail({ unread_count: 0 }),
      "GET /api/v1/conversations/c1/messages": () => ({ items: [], next_cursor: null }),
      "POST /api/v1/messages/send": () =>
        reply(422, {
          error: {
            code: "opted_out",
            message: "The lead opted out.",
            details: { rule: "opted_out" },
          },
        }),
    });
    renderRoutes(routes, "/inbox/c1");
    const user = userEvent.setup();
    const pane = await screen.findByRole("region", { name: "Conversation" });
    const composer = await within(pane).findByRole("textbox", { name: "Message" });
    expect(within(pane).queryByTestId("opted-out")).toBeNull();
    await user.type(composer, "Still there?{Enter}");
    expect(await within(pane).findByTestId("opted-out")).toHaveTextContent(
      "This lead opted out. You can't message them unless they write again and opt back in.",
    );
    expect(within(pane).queryByRole("alert")).toBeNull();
    expect(within(pane).queryByText("The lead opted out.")).toBeNull();
    expect(composer).toBeDisabled();
    expect(composer).toHaveValue("Still there?");
    expect(within(pane).getByRole("button", { name: "Send" })).toBeDisabled();

    // The lead writes again and opts back in (the contact, refetched, is no longer opted out).
    act(() => {
      FakeWebSocket.latest().serverOpen();
      FakeWebSocket.latest().serverSend({
        type: "message:received",
        data: { conversation_id: "c1", message_id: "m3" },
      });
    });
    await waitFor(() => expect(within(pane).queryByTestId("opted-out")).toBeNull());
    expect(composer).toBeEnabled();
  });

  it("hides the reply box's send for viewers", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => ({ ...me, user: { ...me.user, role: "viewer" } }),
      "GET /api/v1/conversations": () => ({ items: [], next_cursor: null }),
      "GET /api/v1/conversations/c1": () => detail({ unread_count: 0 }),
      "GET /api/v1/conversations/c1/messages": () => ({ items: [], next_cursor: null }),
    });
    renderRoutes(routes, "/inbox/c1");
    const pane = await screen.findByRole("region", { name: "Conversation" });
    expect(await within(pane).findByRole("textbox", { name: "Message" })).toBeDisabled();
    expect(within(pane).queryByRole("button", { name: "Take over" })).toBeNull();
  });
});
