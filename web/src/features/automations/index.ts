// Automations: rules that act on leads and conversations, their dry run and run log.
export { AutomationsPage } from "./AutomationsPage";
