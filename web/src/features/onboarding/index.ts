// The onboarding feature's door: the setup wizard.
export { OnboardingPage } from "./OnboardingPage";
