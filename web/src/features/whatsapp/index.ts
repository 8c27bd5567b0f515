// The WhatsApp feature's door: Settings → WhatsApp, and the connection status others show.
export { useWhatsappStatus } from "./api";
export { WhatsAppPage, WhatsAppStatusBadge } from "./WhatsAppPage";
