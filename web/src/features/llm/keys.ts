export const LLM_SETTINGS_KEY = ["llm-settings"] as const;
