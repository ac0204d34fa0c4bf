/**
 * Just enough of a source-map reader to name the original source file and line of a position
 * in a built file (the packages ship `dist/*.js.map`).
 */
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) throw new Error(`bad VLQ character ${JSON.stringify(ch)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * The original position of (`line`, `column`) (both 0-based) in the generated file, or null.
 * Uses the last mapping at or before the column on that line.
 */
export function originalPosition(map, line, column) {
  let source = 0;
  let origLine = 0;
  let origCol = 0;
  const lines = map.mappings.split(";");
  let found = null;
  for (let l = 0; l < lines.length && l <= line; l++) {
    let genCol = 0;
    for (const seg of lines[l].split(",")) {
      if (seg === "") continue;
      const v = decodeVlq(seg);
      genCol += v[0];
      if (v.length >= 4) {
        source += v[1];
        origLine += v[2];
        origCol += v[3];
        if (l === line && genCol <= column) found = { source: map.sources[source], line: origLine + 1, column: origCol };
        if (l === line && found === null) found = { source: map.sources[source], line: origLine + 1, column: origCol };
      }
    }
  }
  return found;
}
