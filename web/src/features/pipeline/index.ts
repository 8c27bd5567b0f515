// The pipeline: the kanban board, Settings → Pipeline stages and a lead's stage history.
export { PipelinePage } from "./PipelinePage";
export { StagesPage } from "./StagesPage";
export { StageHistoryCard } from "./HistoryCard";
export { pipelineRealtime } from "./realtime";
