export { SequencesPage } from "./SequencesPage";
export { EnrollInSequenceDialog } from "./EnrollInSequenceDialog";
export { sequencesRealtime } from "./realtime";
