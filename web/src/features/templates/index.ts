// The templates feature's door: the Templates page, and the template sender the inbox offers
// once the 24-hour window has closed.
export { TemplatesPage } from "./TemplatesPage";
export { TemplateSender } from "./TemplateSender";
export { useTemplates } from "./api";
