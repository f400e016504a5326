// Names in one file set become paths on export: "a" and "a/b" can never both be written ("a" would have
// to be a file and a folder), as git refuses a file/directory conflict in its index. Pure.

/** The first pair [file, inside] where `inside` is under the path `file`, or undefined. */
export function pathPrefixConflict(names: Iterable<string>, sep = '/'): [string, string] | undefined {
  const all = new Set(names);
  for (const name of [...all].sort()) {
    for (let i = name.indexOf(sep, 1); i > 0; i = name.indexOf(sep, i + 1)) {
      const prefix = name.slice(0, i);
      if (all.has(prefix)) return [prefix, name];
    }
  }
  return undefined;
}
