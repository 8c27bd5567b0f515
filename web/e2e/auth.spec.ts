import { expect, test } from "@playwright/test";
import { newAccount, signUpViaApi, signUpViaUi, useToken } from "./helpers";

test("sign up a new organisation", async ({ page }) => {
  const account = newAccount();
  await signUpViaUi(page, account);

  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
  await expect(page.getByTestId("current-user-role")).toHaveText("Owner");
  await expect(page.getByTestId("current-org-name")).toHaveText(account.orgName);
  // The session is an HttpOnly cookie: nothing in browser storage, nothing scripts can read.
  expect(await page.evaluate(() => Object.keys(window.localStorage))).toEqual([]);
  expect(await page.evaluate(() => document.cookie)).toBe("");
  const [cookie] = await page.context().cookies();
  expect(cookie).toMatchObject({ name: "closer_session", httpOnly: true, sameSite: "Strict" });

  // The session survives a reload.
  await page.reload();
  await expect(page.getByTestId("current-user-name")).toHaveText(account.name);
});

test("log out and log back in", async ({ page }) => {
  const account = newAccount();
  await signUpViaUi(page, account);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.context().cookies()).toEqual([]);

  // The app is closed to signed-out visitors.
  await page.goto("/settings/team");
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("current-user-name")).toHaveText(account.name);
});

test("wrong password shows an error", async ({ page, request }) => {
  const account = newAccount();
  await signUpViaApi(request, account);

  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByRole("alert")).not.toBeEmpty();
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.context().cookies()).toEqual([]);
});

test("signup shows field errors and a taken email", async ({ page, request }) => {
  const existing = newAccount();
  await signUpViaApi(request, existing);

  await page.goto("/signup");
  await page.getByLabel("Organisation name").fill("Second Org");
  await page.getByLabel("Your name").fill("Someone Else");
  await page.getByLabel("Email").fill(existing.email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page.getByText("Use at least 8 characters.")).toBeVisible();

  await page.getByLabel("Password").fill("long enough password");
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/signup$/);
});

test("an unknown invite link explains itself", async ({ page }) => {
  await page.goto("/signup?invite=this-is-not-a-real-invite");
  await expect(page.getByText("Invite not found or expired")).toBeVisible();
  await page.getByRole("link", { name: "Create a new organisation" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("heading", { name: "Create your organisation" })).toBeVisible();
});

test("a stale session sends you to the login page", async ({ page }) => {
  await useToken(page, "stale-token");
  await page.goto("/settings/organisation");
  await expect(page).toHaveURL(/\/login$/);
});
