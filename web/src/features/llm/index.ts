// The LLM feature's door: Settings → LLM provider, and the settings others check.
export { useLlmSettings } from "./api";
export { LlmPage } from "./LlmPage";
