import { expect, test } from "@playwright/test";
import { newAccount, signUpViaUi } from "./helpers";

test("invite a member who joins the organisation", async ({ page, browser }) => {
  const owner = newAccount("owner");
  await signUpViaUi(page, owner);

  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: "Team" }).click();
  await expect(page).toHaveURL(/\/settings\/team$/);
  const members = page.getByRole("table", { name: "Team members" });
  await expect(members.getByRole("row", { name: new RegExp(owner.email) })).toBeVisible();
  await expect(page.getByText("No pending invites")).toBeVisible();

  // Create an admin invite.
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a teammate" });
  await dialog.getByRole("combobox", { name: "Role" }).click();
  await page.getByRole("option", { name: /^Admin/ }).click();
  await expect(dialog.getByRole("combobox", { name: "Role" })).toHaveText("Admin");
  await dialog.getByRole("button", { name: "Create invite link" }).click();

  const created = page.getByRole("dialog", { name: "Invite created" });
  const linkInput = created.getByLabel("Invite link");
  await expect(linkInput).toHaveValue(/\/signup\?invite=/);
  const link = await linkInput.inputValue();
  await created.getByRole("button", { name: "Done" }).click();

  const invites = page.getByRole("table", { name: "Pending invites" });
  await expect(invites.getByRole("row")).toHaveCount(2); // header + the invite
  await expect(invites.getByText("Admin")).toBeVisible();

  // The invitee opens the link in a fresh browser context.
  const member = newAccount("member");
  const otherContext = await browser.newContext();
  try {
    const other = await otherContext.newPage();
    await other.goto(link);
    await expect(
      other.getByRole("heading", { name: `Join ${owner.orgName} as Admin` }),
    ).toBeVisible();
    const orgInput = other.getByLabel("Organisation name");
    await expect(orgInput).toHaveValue(owner.orgName);
    await expect(orgInput).not.toBeEditable();

    await other.getByLabel("Your name").fill(member.name);
    await other.getByLabel("Email").fill(member.email);
    await other.getByLabel("Password").fill(member.password);
    await other.getByRole("button", { name: "Join organisation" }).click();
    await expect(other).toHaveURL(/\/$/);
    await expect(other.getByTestId("current-user-name")).toHaveText(member.name);
    await expect(other.getByTestId("current-user-role")).toHaveText("Admin");
    await expect(other.getByTestId("current-org-name")).toHaveText(owner.orgName);

    // The new member sees both people in the team.
    await other.goto("/settings/team");
    const theirMembers = other.getByRole("table", { name: "Team members" });
    await expect(theirMembers.getByText(owner.email)).toBeVisible();
    await expect(theirMembers.getByText(member.email)).toBeVisible();
  } finally {
    await otherContext.close();
  }

  // ... and so does the owner; the used invite is no longer pending.
  await page.reload();
  await expect(members.getByText(member.email)).toBeVisible();
  await expect(members.getByText(owner.email)).toBeVisible();
  await expect(page.getByText("No pending invites")).toBeVisible();

  // The same link cannot be used twice.
  const thirdContext = await browser.newContext();
  try {
    const third = await thirdContext.newPage();
    await third.goto(link);
    await expect(third.getByText("Invite not found or expired")).toBeVisible();
  } finally {
    await thirdContext.close();
  }
});

test("manage a member: change role, deactivate, remove; revoke an invite", async ({
  page,
  browser,
}) => {
  const owner = newAccount("owner");
  await signUpViaUi(page, owner);
  await page.goto("/settings/team");

  // Invite (default role: Agent) and accept in another context.
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = await page.getByLabel("Invite link").inputValue();
  await page.getByRole("button", { name: "Done" }).click();

  const member = newAccount("agent");
  const ctx = await browser.newContext();
  try {
    const other = await ctx.newPage();
    await other.goto(link);
    await expect(other.getByRole("heading", { name: /as Agent$/ })).toBeVisible();
    await other.getByLabel("Your name").fill(member.name);
    await other.getByLabel("Email").fill(member.email);
    await other.getByLabel("Password").fill(member.password);
    await other.getByRole("button", { name: "Join organisation" }).click();
    await expect(other).toHaveURL(/\/$/);

    // Agents see the team read-only: no invite button, no role selects.
    await other.goto("/settings/team");
    await expect(other.getByRole("table", { name: "Team members" })).toBeVisible();
    await expect(other.getByRole("button", { name: "Invite", exact: true })).toHaveCount(0);
    await expect(other.getByRole("combobox")).toHaveCount(0);
  } finally {
    await ctx.close();
  }

  await page.reload();
  const members = page.getByRole("table", { name: "Team members" });
  const row = members.getByRole("row", { name: new RegExp(member.email) });
  await expect(row).toBeVisible();

  // Change role to Viewer.
  await page.getByRole("combobox", { name: `Role for ${member.name}` }).click();
  await page.getByRole("option", { name: /^Viewer/ }).click();
  await expect(page.getByRole("combobox", { name: `Role for ${member.name}` })).toHaveText(
    "Viewer",
  );

  // Deactivate, then activate.
  await page.getByRole("button", { name: `Actions for ${member.name}` }).click();
  await page.getByRole("menuitem", { name: "Deactivate" }).click();
  await expect(row.getByText("Deactivated")).toBeVisible();
  await page.getByRole("button", { name: `Actions for ${member.name}` }).click();
  await page.getByRole("menuitem", { name: "Activate" }).click();
  await expect(row.getByText("Active", { exact: true })).toBeVisible();

  // Remove, with confirmation.
  await page.getByRole("button", { name: `Actions for ${member.name}` }).click();
  await page.getByRole("menuitem", { name: "Remove from team" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText(`Remove ${member.name}?`);
  await confirm.getByRole("button", { name: "Remove" }).click();
  await expect(confirm).toBeHidden();
  await expect(members.getByText(member.email)).toHaveCount(0);

  // Revoke a pending invite.
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await page.getByLabel("Email").fill("invitee@example.com");
  await page.getByRole("button", { name: "Create invite link" }).click();
  await page.getByRole("button", { name: "Done" }).click();
  const invites = page.getByRole("table", { name: "Pending invites" });
  await expect(invites.getByText("invitee@example.com")).toBeVisible();
  await invites.getByRole("button", { name: "Revoke invite for invitee@example.com" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("No pending invites")).toBeVisible();

  // Every one of those changes is in the audit log.
  await page.getByRole("link", { name: "Audit log" }).click();
  const log = page.getByRole("table", { name: "Audit log" });
  await expect(log).toBeVisible();
  expect(await log.getByRole("row").count()).toBeGreaterThan(3);
});
