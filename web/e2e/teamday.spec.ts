import { expect, test, type APIRequestContext } from "@playwright/test";
import {
  bearer,
  leadPhone,
  newAccount,
  sandboxInbound,
  screenshot,
  signUpViaApi,
  useToken,
} from "./helpers";

async function me(request: APIRequestContext, token: string): Promise<{ id: string }> {
  const res = await request.get("/api/v1/auth/me", { headers: bearer(token) });
  return ((await res.json()) as { user: { id: string } }).user;
}

/** The conversation's assignee once the agent has handed it over. */
async function handedOverTo(
  request: APIRequestContext,
  token: string,
  conversationId: string,
): Promise<string | null> {
  let assignee: string | null = null;
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/conversations/${conversationId}`, {
          headers: bearer(token),
        });
        const c = (await res.json()) as { needs_human: boolean; assignee_id: string | null };
        assignee = c.assignee_id;
        return c.needs_human;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return assignee;
}

test("handovers go round the available members, set on the Team page and the user menu", async ({
  page,
  request,
}) => {
  const owner = newAccount("owner");
  const ownerToken = await signUpViaApi(request, owner);
  const invite = await request.post("/api/v1/invites", {
    headers: bearer(ownerToken),
    data: { role: "agent" },
  });
  expect(invite.status()).toBe(201);
  const agent = newAccount("agent");
  const joined = await request.post("/api/v1/auth/signup", {
    data: {
      invite_token: ((await invite.json()) as { token: string }).token,
      name: agent.name,
      email: agent.email,
      password: agent.password,
    },
  });
  expect(joined.status(), await joined.text()).toBe(201);
  const agentToken = ((await joined.json()) as { token: string }).token;
  const [ownerId, agentId] = [
    (await me(request, ownerToken)).id,
    (await me(request, agentToken)).id,
  ];

  await useToken(page, ownerToken);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/settings/team");
  const roundRobin = page.getByRole("switch", { name: "Round-robin assignment of handovers" });
  await expect(roundRobin).toHaveAttribute("aria-checked", "false");
  await roundRobin.click();
  await expect(roundRobin).toHaveAttribute("aria-checked", "true");
  await expect(page.getByText("Handovers now go round the team").first()).toBeVisible();

  // The agent steps away (set by the owner here).
  const agentSwitch = page.getByRole("switch", {
    name: `${agent.name} is available for new conversations`,
  });
  await expect(agentSwitch).toHaveAttribute("aria-checked", "true");
  await agentSwitch.click();
  await expect(agentSwitch).toHaveAttribute("aria-checked", "false");
  const mine = page.getByRole("switch", { name: "Available for new conversations", exact: true });
  await expect(mine).toHaveAttribute("aria-checked", "true");
  await screenshot(page, "teamday-team-1280");

  // A handover: the owner is the only one available.
  const first = await sandboxInbound(request, ownerToken, {
    phone: leadPhone(),
    name: "Meera Kapoor",
    text: "I want to talk to a real person",
  });
  expect(await handedOverTo(request, ownerToken, first.conversation_id)).toBe(ownerId);

  // The owner goes away from the user menu, the agent comes back (from their own session).
  await mine.click();
  await expect(mine).toHaveAttribute("aria-checked", "false");
  await expect(page.getByText(/You're away/).first()).toBeVisible();
  // The list follows over the socket.
  const back = await request.patch(`/api/v1/users/${agentId}`, {
    headers: bearer(agentToken),
    data: { available: true },
  });
  expect(back.status(), await back.text()).toBe(200);
  await expect(agentSwitch).toHaveAttribute("aria-checked", "true");
  await expect(
    page.getByRole("switch", { name: `${owner.name} is available for new conversations` }),
  ).toHaveAttribute("aria-checked", "false");

  const second = await sandboxInbound(request, ownerToken, {
    phone: leadPhone(),
    name: "Ravi Shah",
    text: "I want to talk to a real person",
  });
  expect(await handedOverTo(request, ownerToken, second.conversation_id)).toBe(agentId);

  // The lead's timeline says whom it went to, and how.
  const conv = await request.get(`/api/v1/conversations/${second.conversation_id}`, {
    headers: bearer(ownerToken),
  });
  const leadId = ((await conv.json()) as { contact: { id: string } }).contact.id;
  await page.goto(`/leads/${leadId}`);
  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline.getByText(`To ${agent.name} (round-robin)`)).toBeVisible();
  await timeline.scrollIntoViewIfNeeded();
  await timeline.screenshot({ path: "e2e/screenshots/teamday-timeline-1280.png" });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings/team");
  await expect(roundRobin).toHaveAttribute("aria-checked", "true");
  await screenshot(page, "teamday-team-390", true);
});

async function join(
  request: APIRequestContext,
  ownerToken: string,
  role: "agent" | "viewer",
): Promise<{ token: string; name: string }> {
  const invite = await request.post("/api/v1/invites", {
    headers: bearer(ownerToken),
    data: { role },
  });
  const person = newAccount(role);
  const joined = await request.post("/api/v1/auth/signup", {
    data: {
      invite_token: ((await invite.json()) as { token: string }).token,
      name: person.name,
      email: person.email,
      password: person.password,
    },
  });
  expect(joined.status()).toBe(201);
  return { token: ((await joined.json()) as { token: string }).token, name: person.name };
}

test("an agent sets only their own availability", async ({ page, request }) => {
  const ownerToken = await signUpViaApi(request, newAccount());
  const agent = await join(request, ownerToken, "agent");
  await useToken(page, agent.token);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/settings/team");
  await expect(page.getByRole("table", { name: "Team members" })).toBeVisible();
  // Round-robin is the managers' switch.
  await expect(
    page.getByRole("switch", { name: "Round-robin assignment of handovers" }),
  ).toHaveCount(0);
  const own = page.getByRole("switch", {
    name: `${agent.name} is available for new conversations`,
  });
  await expect(own).toBeEnabled();
  const all = page.getByRole("switch", { name: /is available for new conversations/ });
  await expect(all).toHaveCount(2);
  await expect(all.and(page.locator(":disabled"))).toHaveCount(1);
  await own.click();
  await expect(own).toHaveAttribute("aria-checked", "false");
  await expect(
    page.getByRole("switch", { name: "Available for new conversations", exact: true }),
  ).toHaveAttribute("aria-checked", "false");
});

test("a viewer, who answers no leads, has no availability switch", async ({ page, request }) => {
  const ownerToken = await signUpViaApi(request, newAccount());
  const viewer = await join(request, ownerToken, "viewer");
  await useToken(page, viewer.token);
  await page.goto("/settings/team");
  await expect(page.getByRole("table", { name: "Team members" })).toBeVisible();
  await expect(
    page.getByRole("switch", { name: `${viewer.name} is available for new conversations` }),
  ).toHaveCount(0);
  await expect(
    page.getByRole("switch", { name: "Available for new conversations", exact: true }),
  ).toHaveCount(0);
  // The owner's is shown, not theirs to change.
  await expect(
    page.getByRole("switch", { name: /is available for new conversations/ }),
  ).toBeDisabled();
});
