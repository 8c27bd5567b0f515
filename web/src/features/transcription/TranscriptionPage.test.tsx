import { describe, expect, it } from "vitest";
import { toBody } from "./TranscriptionPage";

describe("transcription settings", () => {
  const form = { base_url: " https://api.groq.com/openai/v1 ", model: " whisper-large-v3 " };

  it("sends the key only when a new one is typed, and removes it on request", () => {
    expect(toBody({ ...form, api_key: "", removeKey: false })).toEqual({
      base_url: "https://api.groq.com/openai/v1",
      model: "whisper-large-v3",
    });
    expect(toBody({ ...form, api_key: " sk-new ", removeKey: false }).api_key).toBe("sk-new");
    expect(toBody({ ...form, api_key: "sk-typed", removeKey: true }).api_key).toBe("");
  });
});
