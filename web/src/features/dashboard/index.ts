// The dashboard feature's door.
export { DashboardPage } from "./DashboardPage";
