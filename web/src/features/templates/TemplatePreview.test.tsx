import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TemplatePreview } from "./TemplatePreview";

describe("TemplatePreview", () => {
  it("renders the bubble with its buttons and says what only samples fill", () => {
    render(
      <TemplatePreview
        preview={{
          header: "Your order",
          body: "Hi Maria, order ORD-1 ships today.",
          footer: "Acme",
          buttons: ["Track", "Stop promotions"],
          variables: {},
          missing: ["order_number"],
        }}
        buttons={[
          { type: "url", text: "Track", url: "https://acme.test/{{1}}" },
          { type: "quick_reply", text: "Stop promotions" },
        ]}
      />,
    );
    expect(screen.getByText("Your order")).toBeInTheDocument();
    expect(screen.getByTestId("template-preview-body")).toHaveTextContent("ORD-1");
    expect(screen.getByText("Stop promotions")).toBeInTheDocument();
    expect(screen.getByTestId("template-preview-missing")).toHaveTextContent("order_number");
  });
});
