// The CRM's leads: the Leads list, a lead's page, and Settings → Custom fields.
export { LeadsPage } from "./LeadsPage";
export { LeadDetailPage } from "./LeadDetailPage";
export { CustomFieldsPage } from "./CustomFieldsPage";
export { leadsRealtime } from "./realtime";
export { useViews } from "./api";
