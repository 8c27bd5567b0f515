// The transcription feature's door: Settings → Transcription (speech-to-text for voice notes).
export { TranscriptionPage } from "./TranscriptionPage";
