import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DeliveryStatus, Message } from "../../api/models";
import { BusinessBubble, DeliveryTicks, LeadBubble } from "./MessageBubble";

function message(patch: Partial<Message> = {}): Message {
  return {
    id: "m1",
    direction: "out",
    author: "bot",
    type: "text",
    text: "Hello there",
    media: null,
    status: "sent",
    error: null,
    provider_message_id: null,
    reply_to: null,
    edited: false,
    deleted: false,
    created_at: "2026-05-18T10:00:00Z",
    ...patch,
  };
}

describe("DeliveryTicks", () => {
  it.each<[DeliveryStatus, string, string]>([
    ["queued", "Queued", "lucide-clock"],
    ["sent", "Sent", "lucide-check"],
    ["delivered", "Delivered", "lucide-check-check"],
    ["read", "Read", "lucide-check-check"],
    ["failed", "Failed", "lucide-circle-alert"],
  ])("draws %s", (status, label, icon) => {
    render(<DeliveryTicks status={status} />);
    const ticks = screen.getByRole("img", { name: label });
    expect(ticks).toHaveAttribute("data-status", status);
    expect(ticks.querySelector("svg")).toHaveClass(icon);
    expect(ticks.className).toContain(
      status === "read" ? "text-sky-500" : status === "failed" ? "text-red-600" : "text-gray-400",
    );
  });
});

describe("BusinessBubble", () => {
  it("labels the bot and shows ticks on outbound messages", () => {
    render(<BusinessBubble message={message({ status: "delivered" })} />);
    expect(screen.getByText("Bot")).toBeInTheDocument();
    expect(screen.getByText("Hello there")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Delivered" })).toBeInTheDocument();
  });

  it("shows a failure's title and code", () => {
    render(
      <BusinessBubble
        message={message({
          author: "human",
          status: "failed",
          error: { code: 131047, title: "Re-engagement message" },
        })}
        humanLabel="You"
      />,
    );
    expect(screen.getByText("You")).toBeInTheDocument();
    expect(screen.getByTestId("message-failure")).toHaveTextContent(
      "Not delivered: Re-engagement message (131047)",
    );
  });

  it("has no ticks or label on a lead's message, and shows media, edits and deletions", () => {
    const { rerender } = render(
      <BusinessBubble
        message={message({
          direction: "in",
          author: "lead",
          type: "document",
          text: null,
          media: { filename: "quote.pdf", caption: "Our quote" },
          edited: true,
        })}
      />,
    );
    expect(screen.queryByRole("img")).toBeNull();
    expect(screen.getByTestId("media-placeholder")).toHaveTextContent("Document: quote.pdf");
    expect(screen.getByText("Our quote")).toBeInTheDocument();
    expect(screen.getByText("Edited")).toBeInTheDocument();
    rerender(
      <BusinessBubble message={message({ direction: "in", author: "lead", deleted: true })} />,
    );
    expect(screen.getByText("This message was deleted")).toBeInTheDocument();
    expect(screen.queryByText("Hello there")).toBeNull();
  });

  it("centres system notes", () => {
    render(<BusinessBubble message={message({ author: "system", text: "Number changed" })} />);
    expect(screen.getByText("Number changed")).toBeInTheDocument();
    expect(screen.getByTestId("message")).toHaveAttribute("data-author", "system");
  });
});

describe("the price of a message", () => {
  const pricing = (billable: boolean) => ({
    billable,
    pricing_model: "PMP",
    type: billable ? "regular" : "free_customer_service",
    category: billable ? "marketing" : "service",
  });

  it("is shown once Meta has priced it: free, a price, or unknown but never free", () => {
    const { rerender } = render(<BusinessBubble message={message()} />);
    expect(screen.queryByTestId("message-cost")).toBeNull();
    rerender(
      <BusinessBubble
        message={message({ pricing: pricing(true), cost: { amount: 0.8631, currency: "INR" } })}
      />,
    );
    expect(screen.getByTestId("message-cost")).toHaveTextContent("₹0.8631");
    expect(screen.getByTestId("message-cost")).toHaveAttribute(
      "title",
      "Meta: marketing, regular, billed",
    );
    rerender(
      <BusinessBubble
        message={message({ pricing: pricing(false), cost: { amount: 0, currency: "INR" } })}
      />,
    );
    expect(screen.getByTestId("message-cost")).toHaveTextContent("free");
    rerender(<BusinessBubble message={message({ pricing: pricing(true), cost: null })} />);
    expect(screen.getByTestId("message-cost")).toHaveTextContent("price unknown");
  });
});

describe("LeadBubble", () => {
  it("puts the lead's own messages on the right and replies on the left", () => {
    const { container, rerender } = render(
      <LeadBubble message={message({ direction: "in", author: "lead" })} />,
    );
    expect(container.firstElementChild).toHaveClass("justify-end");
    rerender(<LeadBubble message={message({ direction: "out", author: "bot" })} />);
    expect(container.firstElementChild).toHaveClass("justify-start");
    expect(screen.queryByRole("img")).toBeNull();
  });
});

describe("reply buttons", () => {
  const offer = message({
    type: "interactive",
    text: "Shall we set up a quick call?",
    media: {
      buttons: [
        { id: "cta:book_call:yes", title: "Yes, let's do it" },
        { id: "cta:book_call:no", title: "Not now" },
        { id: 7, title: "broken" },
      ],
    },
  });

  it("are tappable on the lead's phone and come back with their id", () => {
    const taps: string[] = [];
    render(<LeadBubble message={offer} onTap={(b) => taps.push(`${b.id}|${b.title}`)} />);
    screen.getByRole("button", { name: "Not now" }).click();
    expect(taps).toEqual(["cta:book_call:no|Not now"]);
    // A malformed button is left out rather than shown broken.
    expect(screen.queryByRole("button", { name: "broken" })).toBeNull();
  });

  it("are shown, not tappable, to the business and without a handler", () => {
    render(<BusinessBubble message={offer} />);
    const list = screen.getByRole("list", { name: "Reply buttons" });
    expect(list).toHaveTextContent("Yes, let's do it");
    expect(list).toHaveTextContent("Not now");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("appear only under interactive messages", () => {
    render(<LeadBubble message={message({ media: offer.media })} />);
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("files in the transcript", () => {
  const file = (patch: Record<string, unknown>) => ({
    id: "f1",
    mime_type: "image/jpeg",
    size_bytes: 2048,
    status: "stored",
    url: "/api/v1/media/f1?expires=1&sig=abc",
    ...patch,
  });

  it("shows an image that opens in full, and a caption under it", () => {
    render(
      <BusinessBubble
        message={message({
          direction: "in",
          author: "lead",
          type: "image",
          text: "The stain",
          media: file({ caption: "The stain" }),
        })}
      />,
    );
    const link = screen.getByTestId("media-image");
    expect(link).toHaveAttribute("href", "/api/v1/media/f1?expires=1&sig=abc");
    expect(link).toHaveAttribute("target", "_blank");
    expect(screen.getByRole("img", { name: "Image from the chat" })).toBeInTheDocument();
    expect(screen.getByText("The stain")).toBeInTheDocument();
  });

  it("plays a voice note with its transcript under the player", () => {
    render(
      <BusinessBubble
        message={message({
          direction: "in",
          author: "lead",
          type: "voice",
          text: null,
          media: file({ mime_type: "audio/ogg", transcript: "How much is it?" }),
        })}
      />,
    );
    expect(screen.getByTestId("media-audio").querySelector("audio")).toHaveAttribute(
      "src",
      "/api/v1/media/f1?expires=1&sig=abc",
    );
    expect(screen.getByTestId("voice-transcript")).toHaveTextContent("How much is it?");
  });

  it("offers a document as a download chip with its name and size", () => {
    render(
      <BusinessBubble
        message={message({
          type: "document",
          author: "human",
          text: null,
          media: file({
            mime_type: "application/pdf",
            file_name: "quote.pdf",
            size_bytes: 2_400_000,
          }),
        })}
      />,
    );
    const chip = screen.getByTestId("document-chip");
    expect(chip).toHaveAttribute("download", "quote.pdf");
    expect(chip).toHaveTextContent("quote.pdf");
    expect(chip).toHaveTextContent("2.3 MB · PDF");
  });

  it("says a file is loading, or could not be kept", () => {
    const { rerender } = render(
      <BusinessBubble
        message={message({ type: "image", media: file({ status: "pending", url: null }) })}
      />,
    );
    expect(screen.getByTestId("media-placeholder")).toHaveTextContent("Image");
    expect(screen.getByTestId("media-pending")).toHaveTextContent("Loading the file…");
    rerender(
      <BusinessBubble
        message={message({ type: "image", media: file({ status: "refused", url: null }) })}
      />,
    );
    expect(screen.getByTestId("media-unavailable")).toHaveTextContent(
      "not a file WhatsApp carries",
    );
  });
});
