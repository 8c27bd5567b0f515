import { api, unwrap } from "../../api/client";
import { useCursorList } from "../../lib/useCursorList";
import { AUDIT_KEY } from "./keys";

/** Who changed what, newest first (owners and admins only: pass `enabled` accordingly). */
export function useAuditLog({ enabled }: { enabled: boolean }) {
  return useCursorList(
    AUDIT_KEY,
    (cursor) => unwrap(api.GET("/api/v1/audit-logs", { params: { query: { limit: 50, cursor } } })),
    { enabled },
  );
}
