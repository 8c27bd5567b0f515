// Media in the inbox, against the real binary, the Graph stub and a speech-to-text stand-in: a
// lead's photo and voice note arrive by webhook, are fetched from "Meta" in the background and
// show in the transcript (the picture, the player and the transcript); a member attaches a
// document in the composer, sees its upload progress, and sends it with a caption.
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { deflateSync } from "node:zlib";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { GOOD_TOKEN, addMedia, recordedSends, recordedUploads } from "./graph-stub";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

const TRANSCRIPT = "Hi, do you also have this jacket in blue, and what does it cost?";

/** A speech-to-text stand-in: every transcription says TRANSCRIPT. */
function startSpeechStub(): Promise<{ baseUrl: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const ok = req.method === "POST" && req.url === "/v1/audio/transcriptions";
      res.writeHead(ok ? 200 : 404, { "Content-Type": "application/json" });
      res.end(JSON.stringify(ok ? { text: TRANSCRIPT } : { error: { message: "not found" } }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      resolve({ baseUrl: `http://127.0.0.1:${port}/v1`, server });
    }),
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A small photo-like PNG: a warm gradient with a darker "jacket" block in the middle. */
function photoPng(width = 240, height = 160): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const jacket = x > 80 && x < 160 && y > 30 && y < 140;
      const [r, g, b] = jacket ? [40, 70 + (y % 20), 140] : [230 - y / 2, 190 - x / 4, 150 + x / 6];
      row.set(
        [r, g, b].map((v) => Math.max(0, Math.min(255, Math.round(v)))),
        1 + x * 3,
      );
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function webhookUrl(): string {
  return new URL("/webhooks/whatsapp", process.env.CLOSER_E2E_SERVER_URL).toString();
}

async function postWebhook(request: APIRequestContext, secret: string, payload: unknown) {
  const raw = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
  const res = await request.post(webhookUrl(), {
    data: raw,
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": signature },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** One lead message of `type` (its body under the type's key), sent now. */
function leadMessage(
  phoneNumberId: string,
  lead: { waId: string; name: string },
  type: string,
  body: Record<string, unknown>,
) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "100000000000001",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100199", phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: lead.name }, wa_id: lead.waId }],
              messages: [
                {
                  from: lead.waId,
                  id: `wamid.in${randomBytes(10).toString("hex")}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type,
                  [type]: body,
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

const mediaId = () => String(400000000000000 + Math.floor(Math.random() * 1e12));

test("a lead's photo and voice note show in the transcript, and a document goes out from the composer", async ({
  page,
  request,
  browser,
}) => {
  const speech = await startSpeechStub();
  try {
    const token = await signUpViaApi(request, newAccount());
    const phoneNumberId = String(100000000000000 + Math.floor(Math.random() * 1e12));
    const appSecret = `e2e-secret-${randomBytes(6).toString("hex")}`;
    const connect = await request.post("/api/v1/settings/whatsapp/connect", {
      headers: bearer(token),
      data: {
        phone_number_id: phoneNumberId,
        waba_id: "200000000000001",
        access_token: GOOD_TOKEN,
        app_secret: appSecret,
        verify_token: "e2e-verify",
      },
    });
    expect(connect.status(), await connect.text()).toBe(200);
    const saved = await request.put("/api/v1/settings/transcription", {
      headers: bearer(token),
      data: { base_url: speech.baseUrl, model: "whisper-1", api_key: "sk-e2e" },
    });
    expect(saved.status(), await saved.text()).toBe(200);

    const lead = { waId: `1555${Math.floor(1e6 + Math.random() * 8e6)}`, name: "Priya Shah" };
    const photo = mediaId();
    const voice = mediaId();
    await addMedia(photo, "image/png", photoPng());
    await addMedia(voice, "audio/ogg", Buffer.from("OggS e2e voice note"));
    await postWebhook(
      request,
      appSecret,
      leadMessage(phoneNumberId, lead, "image", {
        id: photo,
        mime_type: "image/png",
        caption: "This one, from your window display",
      }),
    );
    await postWebhook(
      request,
      appSecret,
      leadMessage(phoneNumberId, lead, "audio", {
        id: voice,
        mime_type: "audio/ogg; codecs=opus",
        voice: true,
      }),
    );

    await useToken(page, token);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/inbox");
    await page.getByTestId("conversation-item").filter({ hasText: "Priya Shah" }).click();
    const conversation = page.getByRole("region", { name: "Conversation", exact: true });
    // The photo, fetched from Meta in the background, shows through its signed link.
    const image = conversation.getByTestId("media-image").locator("img");
    await expect(image).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
    await expect(conversation.getByText("This one, from your window display")).toBeVisible();
    await expect(conversation.getByTestId("media-image")).toHaveAttribute("target", "_blank");
    // The voice note has a player and, once transcribed, its words under it.
    await expect(conversation.getByTestId("media-audio").locator("audio")).toBeVisible();
    await expect(conversation.getByTestId("voice-transcript")).toContainText(TRANSCRIPT, {
      timeout: 20_000,
    });

    // A file WhatsApp does not carry is refused in the composer.
    const input = conversation.getByTestId("attach-input");
    await input.setInputFiles({
      name: "archive.zip",
      mimeType: "application/zip",
      buffer: Buffer.from("PK not really a zip"),
    });
    const bar = conversation.getByTestId("composer-attachment");
    await expect(bar.getByRole("alert")).toContainText("WhatsApp does not carry files of type");
    await bar.getByRole("button", { name: "Remove the file" }).click();
    await expect(bar).toHaveCount(0);

    // A document: uploaded with progress, then sent with a caption.
    await input.setInputFiles({
      name: "price-list.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("%PDF-1.4\n% the spring price list\n" + "x".repeat(200_000)),
    });
    await expect(bar).toContainText("ready to send");
    await conversation.getByLabel("Message", { exact: true }).fill("Here is our price list");
    await screenshot(page, "media-composer-attachment");
    await conversation.getByRole("button", { name: "Send" }).click();
    await expect(bar).toHaveCount(0);
    const chip = conversation.getByTestId("document-chip");
    await expect(chip).toContainText("price-list.pdf");
    await expect(chip).toContainText("KB · PDF");
    await expect(conversation.getByText("Here is our price list")).toBeVisible();
    // Through the one send path: uploaded to Meta, then sent by the id Meta gave it.
    await expect
      .poll(async () =>
        (await recordedUploads()).filter((u) => u.phone_number_id === phoneNumberId),
      )
      .toHaveLength(1);
    const uploadId = (await recordedUploads()).find((u) => u.phone_number_id === phoneNumberId)!.id;
    await expect
      .poll(async () =>
        (await recordedSends(phoneNumberId)).map((s) => s.body).find((b) => b.type === "document"),
      )
      .toMatchObject({
        document: { id: uploadId, filename: "price-list.pdf", caption: "Here is our price list" },
      });
    await screenshot(page, "media-transcript", true);

    // The same conversation on a phone.
    const id = page.url().split("/inbox/")[1]!;
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const mobile = await phone.newPage();
      await useToken(mobile, token);
      await mobile.goto(`/inbox/${id}`);
      const pane = mobile.getByRole("region", { name: "Conversation", exact: true });
      await expect(pane.getByTestId("voice-transcript")).toBeVisible();
      await expect(pane.getByTestId("document-chip")).toBeVisible();
      expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await screenshot(mobile, "media-transcript-phone");
    } finally {
      await phone.close();
    }
  } finally {
    speech.server.close();
  }
});

test("Settings → Transcription: an owner saves the provider, the key stays hidden", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.goto("/settings/transcription");
  await expect(page.getByRole("heading", { level: 2, name: "Transcription" })).toBeVisible();
  const form = page.getByRole("form", { name: "Transcription" });
  await expect(page.getByText("Off", { exact: true })).toBeVisible();
  await form.getByLabel("Base URL").fill("ftp://nowhere");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText(/http/).first()).toBeVisible();
  await form.getByLabel("Base URL").fill("http://127.0.0.1:9/v1");
  await form.getByLabel("API key").fill("sk-e2e-secret");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("On", { exact: true })).toBeVisible();
  await expect(form.getByText("A key is saved. Type a new one to replace it.")).toBeVisible();
  await expect(form.getByLabel("API key")).toHaveValue("");
  await screenshot(page, "settings-transcription", true);
});
