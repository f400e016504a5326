// Which system a DAT describes. No-Intro/DAT-o-Matic decorate the header name with the variant and the
// build date ("Nintendo - Super Nintendo Entertainment System (Parent-Clone) (20240317-134803)"), while
// libretro's copies of the same data say just "Nintendo - Super Nintendo Entertainment System". Both
// must land in one system, so the decorations are stripped; the full header name stays on dat_source.
const DECORATION = /\s*\((?:Parent-Clone|Headered|Headerless|Decrypted|Encrypted|Private|Non-Redump|Retool|\d{8}(?:-\d{6})?)\)\s*$/i;

export function systemNameOf(headerName: string): string {
  let name = headerName.trim();
  for (let prev = ''; prev !== name; ) {
    prev = name;
    name = name.replace(DECORATION, '');
  }
  return name || headerName.trim();
}
