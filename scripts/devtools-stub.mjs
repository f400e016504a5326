// Stands in for react-devtools-core in the TUI bundle (Ink imports it only when DEV=true).
export default {};
export function connectToDevTools() {}
