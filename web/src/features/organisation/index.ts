// The organisation feature's door: Settings → Organisation, and the details others read.
export { useOrg, useMoney } from "./api";
export { OrganisationPage } from "./OrganisationPage";
