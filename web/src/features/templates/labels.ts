import { exhaustive } from "../../api/enums";
import type {
  ButtonType,
  HeaderFormat,
  ParameterFormat,
  TemplateCategory,
  TemplateStatus,
  VariableSource,
} from "./api";

export const STATUS_LABELS: Record<TemplateStatus, string> = {
  draft: "Draft",
  pending: "In review",
  approved: "Approved",
  rejected: "Rejected",
  paused: "Paused",
  disabled: "Disabled",
};

export const STATUS_TONES: Record<TemplateStatus, "gray" | "amber" | "green" | "red" | "blue"> = {
  draft: "gray",
  pending: "blue",
  approved: "green",
  rejected: "red",
  paused: "amber",
  disabled: "red",
};

export const CATEGORY_LABELS: Record<TemplateCategory, string> = {
  marketing: "Marketing",
  utility: "Utility",
  authentication: "Authentication",
};
export const CATEGORIES = exhaustive<TemplateCategory>()([
  "marketing",
  "utility",
  "authentication",
] as const satisfies readonly TemplateCategory[]);

export const FORMAT_LABELS: Record<ParameterFormat, string> = {
  named: "Named",
  positional: "Numbered",
};
export const FORMATS = exhaustive<ParameterFormat>()([
  "named",
  "positional",
] as const satisfies readonly ParameterFormat[]);

export const HEADER_LABELS: Record<HeaderFormat, string> = {
  text: "Text",
  image: "Image",
  video: "Video",
  document: "Document",
};
export const HEADER_FORMATS = exhaustive<HeaderFormat>()([
  "text",
  "image",
  "video",
  "document",
] as const satisfies readonly HeaderFormat[]);

export const BUTTON_LABELS: Record<ButtonType, string> = {
  quick_reply: "Quick reply",
  url: "Visit website",
  phone_number: "Call phone number",
  copy_code: "Copy code",
};
export const BUTTON_TYPES = exhaustive<ButtonType>()([
  "quick_reply",
  "url",
  "phone_number",
  "copy_code",
] as const satisfies readonly ButtonType[]);

export const SOURCE_LABELS: Record<VariableSource, string> = {
  contact: "Lead field",
  slot: "Qualification slot",
  static: "Fixed text",
};
export const SOURCES = exhaustive<VariableSource>()([
  "contact",
  "slot",
  "static",
] as const satisfies readonly VariableSource[]);

/** The lead fields a placeholder may take its value from. */
export const CONTACT_FIELDS = ["first_name", "name", "phone", "email", "city"] as const;

/** The quick reply suggested on marketing templates (a tap stops promotions to that lead). */
export const STOP_PROMOTIONS = "Stop promotions";
