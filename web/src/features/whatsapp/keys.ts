export const WHATSAPP_KEY = ["whatsapp-status"] as const;
