// Command-line misuse (unknown option, missing argument, a value that is not a number): exit 2.
export class UsageError extends Error {}
