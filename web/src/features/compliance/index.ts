// Compliance: Settings → Compliance (the opt-out list) and a lead's consent and erasure card.
export { CompliancePage } from "./CompliancePage";
export { LeadComplianceCard } from "./LeadComplianceCard";
export { complianceRealtime } from "./realtime";
