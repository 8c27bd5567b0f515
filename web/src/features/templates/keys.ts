export const TEMPLATES_KEY = ["templates"] as const;
export const templateKey = (id: string) => ["templates", "one", id] as const;
