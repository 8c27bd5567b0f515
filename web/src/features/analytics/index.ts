export { AnalyticsPage } from "./AnalyticsPage";
export { DashboardInsights } from "./DashboardInsights";
