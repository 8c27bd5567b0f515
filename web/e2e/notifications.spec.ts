import { createServer, type Server } from "node:net";
import { expect, test } from "@playwright/test";
import {
  bearer,
  leadPhone,
  newAccount,
  sandboxInbound,
  screenshot,
  signUpViaApi,
  useToken,
} from "./helpers";

/** A local mail server that takes every message (SMTP without TLS), for "Send test email". */
async function smtpSink(): Promise<{ port: number; mails: string[]; server: Server }> {
  const mails: string[] = [];
  const server = createServer((socket) => {
    let data: string | null = null;
    let buffer = "";
    socket.write("220 sink.test ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (data !== null) {
          if (line === ".") {
            mails.push(data);
            data = null;
            socket.write("250 OK\r\n");
          } else {
            data += line + "\n";
          }
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith("EHLO")) socket.write("250-sink.test\r\n250 8BITMIME\r\n");
        else if (upper.startsWith("DATA")) {
          data = "";
          socket.write("354 go ahead\r\n");
        } else if (upper.startsWith("QUIT")) socket.end("221 bye\r\n");
        else socket.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return { port: address.port, mails, server };
}

test("a handover rings the bell live; read one, then all", async ({ page, request }) => {
  const account = newAccount();
  const token = await signUpViaApi(request, account);
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  const bell = page.getByTestId("notification-bell").first();
  await expect(bell).toBeVisible();
  await expect(page.getByTestId("notification-count")).toHaveCount(0);

  for (const [name, phone] of [
    ["Meera Kapoor", leadPhone()],
    ["Arjun Rao", leadPhone()],
  ] as const) {
    await sandboxInbound(request, token, { phone, name, text: "I want to talk to a real person" });
  }
  // The count arrives over the socket.
  await expect(page.getByTestId("notification-count").first()).toHaveText("2", {
    timeout: 20_000,
  });
  await bell.click();
  const panel = page.getByRole("dialog", { name: "Notifications" });
  const items = panel.getByTestId("notification");
  await expect(items).toHaveCount(2);
  await expect(panel).toContainText("Needs a human");
  await expect(panel).toContainText("Meera Kapoor");
  await screenshot(page, "notifications-panel-1280");

  // Opening one reads it and goes to its conversation.
  await items.filter({ hasText: "Meera Kapoor" }).getByRole("button").click();
  await expect(page).toHaveURL(/\/inbox\/[0-9a-f-]+$/);
  await expect(page.getByTestId("notification-count").first()).toHaveText("1");

  await page.setViewportSize({ width: 390, height: 844 });
  const phoneBell = page.getByTestId("notification-bell").last();
  await phoneBell.click();
  await expect(panel.locator('[data-unread="true"]')).toHaveCount(1);
  await screenshot(page, "notifications-panel-390");
  await panel.getByRole("button", { name: "Mark all read" }).click();
  await expect(panel.locator('[data-unread="true"]')).toHaveCount(0);
  await expect(page.getByTestId("notification-count")).toHaveCount(0);
  const left = await request.get("/api/v1/notifications?unread=true", { headers: bearer(token) });
  expect(((await left.json()) as { unread: number }).unread).toBe(0);
});

test("each member chooses their channels per kind", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/settings/notifications");
  await expect(page.getByRole("heading", { level: 2, name: "Notifications" })).toBeVisible();
  await expect(page.getByTestId("push-state")).not.toHaveText("Checking…");
  const email = page.getByRole("switch", { name: "Needs a human: Email" });
  await expect(email).toHaveAttribute("aria-checked", "true");
  await expect(page.getByRole("switch", { name: "Daily digest: In app" })).toHaveAttribute(
    "aria-checked",
    "false",
  );
  await email.click();
  await expect(page.getByText("Notification settings saved").first()).toBeVisible();
  await page.reload();
  await expect(page.getByRole("switch", { name: "Needs a human: Email" })).toHaveAttribute(
    "aria-checked",
    "false",
  );
  const saved = await request.get("/api/v1/notifications/preferences", { headers: bearer(token) });
  expect(((await saved.json()) as { handoff: { email: boolean } }).handoff.email).toBe(false);
  await screenshot(page, "notification-settings-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "notification-settings-390", true);
});

test("an owner sets up the mail server and sends a test email", async ({ page, request }) => {
  const sink = await smtpSink();
  const account = newAccount();
  await useToken(page, await signUpViaApi(request, account));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/settings/email");
  await expect(page.getByRole("heading", { level: 2, name: "Email" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send test email" })).toBeDisabled();

  await page.getByLabel("SMTP host").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("must be a host name or address")).toBeVisible();

  await page.getByLabel("SMTP host").fill("127.0.0.1");
  await page.getByLabel("Port").fill(String(sink.port));
  await page.getByRole("combobox", { name: "Security" }).click();
  await page.getByRole("option", { name: /None/ }).click();
  await page.getByLabel("From").fill("Closer <team@example.com>");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Email settings saved", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Send test email" }).click();
  await expect(page.getByText(`Test email sent to ${account.email}.`)).toBeVisible();
  expect(sink.mails).toHaveLength(1);
  expect(sink.mails[0]).toContain("Subject: Closer: test email");
  await screenshot(page, "email-settings-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "email-settings-390", true);
  sink.server.close();
});

test("forgot password: ask for a link, and a bad link says so", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill("someone@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText("If someone@example.com has an account")).toBeVisible();
  await screenshot(page, "forgot-password-1280");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/reset-password?token=not-a-real-token");
  await page.getByLabel("New password", { exact: true }).fill("a brand new password");
  await page.getByLabel("Repeat it").fill("a brand new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("This link is unknown, used or expired.")).toBeVisible();
  await screenshot(page, "reset-password-390", true);
});
