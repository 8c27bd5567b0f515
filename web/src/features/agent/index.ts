// The agent feature's door: Settings → Agent (documents, versions, CTAs) and Settings →
// Knowledge base, and what the setup wizard and the dashboard use of them.
export { AgentPage } from "./AgentPage";
export {
  fetchCtas,
  fetchKnowledgePage,
  saveCta,
  useAgentProfile,
  useSaveProfile,
  useStartScan,
} from "./api";
export { DOCUMENT_KEYS, DOCUMENTS, isDocumentKey, prettyJson, type DocumentKey } from "./documents";
export {
  entriesLabel,
  FaqAddButton,
  FaqAdded,
  FaqFileButton,
  FaqText,
  useFaqUpload,
} from "./FaqUpload";
export { KnowledgePage } from "./KnowledgeBase";
export { CTAS_KEY, KNOWLEDGE_KEY } from "./keys";
