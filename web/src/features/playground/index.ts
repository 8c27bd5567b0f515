// The playground feature's door.
export { PlaygroundPage } from "./PlaygroundPage";
