/**
 * A ticket's QR code, drawn in the browser from its signed payload as one SVG path
 * (one element however many modules), with the quiet zone the standard asks for.
 */
import qrcode from "qrcode-generator";

export interface QrDrawing {
  size: number;
  path: string;
}

export function qrDrawing(payload: string, quietZone = 4): QrDrawing {
  const code = qrcode(0, "M");
  code.addData(payload, "Byte");
  code.make();
  const count = code.getModuleCount();
  let path = "";
  for (let row = 0; row < count; row++) {
    let run = 0;
    for (let column = 0; column <= count; column++) {
      const dark = column < count && code.isDark(row, column);
      if (dark) {
        run++;
      } else if (run) {
        path += `M${column - run + quietZone} ${row + quietZone}h${run}v1h-${run}z`;
        run = 0;
      }
    }
  }
  return { size: count + quietZone * 2, path };
}

/** The modules as a grid of booleans (for tests and for a canvas, if ever needed). */
export function qrModules(payload: string): boolean[][] {
  const code = qrcode(0, "M");
  code.addData(payload, "Byte");
  code.make();
  const count = code.getModuleCount();
  return Array.from({ length: count }, (_, row) =>
    Array.from({ length: count }, (_, column) => code.isDark(row, column)),
  );
}
