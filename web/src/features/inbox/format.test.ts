import { describe, expect, it } from "vitest";
import type { DeliveryStatus } from "../../api/models";
import {
  dayLabel,
  deliveryInfo,
  failureText,
  formatBytes,
  groupByDay,
  mediaCaption,
  mediaLabel,
  messageFile,
  previewText,
  relativeTime,
  windowStatus,
} from "./format";

// Local times, so the tests hold in any time zone.
const now = new Date(2026, 4, 18, 15, 0, 0);
const at = (d: number, h: number, m = 0) => new Date(2026, 4, d, h, m).toISOString();

describe("deliveryInfo", () => {
  it("maps each status to its glyph and tone", () => {
    expect(deliveryInfo("queued")).toMatchObject({ glyph: "clock", tone: "muted" });
    expect(deliveryInfo("sent")).toMatchObject({ glyph: "tick", tone: "muted", label: "Sent" });
    expect(deliveryInfo("delivered")).toMatchObject({ glyph: "double-tick", tone: "muted" });
    expect(deliveryInfo("read")).toMatchObject({ glyph: "double-tick", tone: "blue" });
    expect(deliveryInfo("failed")).toMatchObject({ glyph: "error", tone: "red" });
    // A status newer than this build.
    expect(deliveryInfo("teleported" as DeliveryStatus)).toMatchObject({
      status: "unknown",
      label: "teleported",
    });
  });

  it("names a failure with its title and code", () => {
    expect(failureText({ code: 131047, title: "Re-engagement message" })).toBe(
      "Re-engagement message (131047)",
    );
    expect(failureText({ code: null, title: "Boom" })).toBe("Boom");
    expect(failureText(null)).toBe("Not delivered");
  });
});

describe("days", () => {
  it("labels today, yesterday and older days", () => {
    expect(dayLabel(new Date(2026, 4, 18, 0, 1), now)).toBe("Today");
    expect(dayLabel(new Date(2026, 4, 17, 23, 59), now)).toBe("Yesterday");
    expect(dayLabel(new Date(2026, 4, 11, 9), now)).toMatch(/11/);
    expect(dayLabel(new Date(2025, 11, 31, 9), now)).toMatch(/2025/);
  });

  it("groups consecutive messages of the same local day", () => {
    const messages = [
      { id: "a", created_at: at(16, 10) },
      { id: "b", created_at: at(17, 9) },
      { id: "c", created_at: at(17, 22) },
      { id: "d", created_at: at(18, 8) },
      { id: "e", created_at: at(18, 14, 59) },
    ];
    const groups = groupByDay(messages, now);
    expect(
      groups.map((g) => [
        g.label === "Today" || g.label === "Yesterday" ? g.label : "older",
        g.items.map((m) => m.id).join(""),
      ]),
    ).toEqual([
      ["older", "a"],
      ["Yesterday", "bc"],
      ["Today", "de"],
    ]);
    expect(groupByDay([], now)).toEqual([]);
  });
});

describe("relativeTime", () => {
  it("is compact and coarsens with age", () => {
    expect(relativeTime(new Date(now.getTime() - 20_000).toISOString(), now)).toBe("now");
    expect(relativeTime(new Date(now.getTime() - 5 * 60_000).toISOString(), now)).toBe("5m");
    expect(relativeTime(at(18, 12), now)).toBe("3h");
    expect(relativeTime(at(17, 12), now)).toBe("Yesterday");
    expect(relativeTime(at(15, 12), now)).toMatch(/^\w{3}/);
    expect(relativeTime(at(1, 12), now)).toMatch(/1/);
    expect(relativeTime(null, now)).toBe("");
  });
});

describe("mediaLabel", () => {
  it("names each kind of media", () => {
    expect(mediaLabel({ type: "image", media: { caption: "front" } })).toBe("Image");
    expect(mediaLabel({ type: "voice", media: {} })).toBe("Voice message");
    expect(mediaLabel({ type: "audio", media: { voice: true } })).toBe("Voice message");
    expect(mediaLabel({ type: "audio", media: null })).toBe("Audio");
    expect(mediaLabel({ type: "video" })).toBe("Video");
    expect(mediaLabel({ type: "document", media: { filename: "price-list.pdf" } })).toBe(
      "Document: price-list.pdf",
    );
    expect(mediaLabel({ type: "document", media: {} })).toBe("Document");
    expect(mediaLabel({ type: "sticker" })).toBe("Sticker");
    expect(mediaLabel({ type: "location", media: { name: "Head office" } })).toBe(
      "Location: Head office",
    );
    expect(mediaLabel({ type: "contacts" })).toBe("Contact card");
    expect(mediaLabel({ type: "unsupported" })).toBe("Unsupported message");
    expect(mediaLabel({ type: "text" })).toBeNull();
    expect(mediaLabel({ type: "button_reply" })).toBeNull();
  });

  it("takes the caption from the media, else the text", () => {
    expect(mediaCaption({ text: "x", media: { caption: " Front view " } })).toBe("Front view");
    expect(mediaCaption({ text: "Only text", media: {} })).toBe("Only text");
    expect(mediaCaption({ text: null, media: null })).toBeNull();
  });
});

describe("windowStatus", () => {
  it("is open until a time in the future, closed otherwise", () => {
    const open = windowStatus(new Date(2026, 4, 18, 16, 32).toISOString(), now);
    expect(open.open).toBe(true);
    expect(open.label).toMatch(/^Window open until .*32/);
    expect(windowStatus(new Date(2026, 4, 18, 14, 0).toISOString(), now)).toEqual({
      open: false,
      label: "Window closed",
    });
    expect(windowStatus(null, now).open).toBe(false);
  });
});

describe("previewText", () => {
  it("says who wrote an outbound message", () => {
    expect(previewText(null)).toBe("No messages yet");
    expect(previewText({ text: "Hi", direction: "in", author: "lead" })).toBe("Hi");
    expect(previewText({ text: "Hello", direction: "out", author: "bot" })).toBe("Bot: Hello");
    expect(previewText({ text: null, direction: "in", author: "lead" })).toBe("Attachment");
    expect(previewText({ text: "[voice]", direction: "in", author: "lead" })).toBe("Voice message");
    expect(previewText({ text: "[reaction]", direction: "in", author: "lead" })).toBe("Reaction");
  });
});

describe("files of media messages", () => {
  it("reads the file of a media message, and nothing of other messages", () => {
    const media = {
      id: "f1",
      status: "stored",
      mime_type: "application/pdf",
      size_bytes: 1536,
      file_name: "quote.pdf",
      url: "/api/v1/media/f1?sig=x",
    };
    expect(messageFile({ type: "document", media })).toMatchObject({
      id: "f1",
      file_name: "quote.pdf",
      size_bytes: 1536,
      url: "/api/v1/media/f1?sig=x",
    });
    expect(messageFile({ type: "text", media })).toBeNull();
    // Meta's fields alone (stored before media were fetched) are not a file we can show.
    expect(messageFile({ type: "image", media: { mime_type: "image/jpeg" } })).toBeNull();
    expect(formatBytes(12)).toBe("12 bytes");
    expect(formatBytes(1536)).toBe("2 KB");
    expect(formatBytes(2_400_000)).toBe("2.3 MB");
  });
});
