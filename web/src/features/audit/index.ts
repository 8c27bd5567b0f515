// The audit feature's door: Settings → Audit log.
export { AuditLogPage } from "./AuditLogPage";
