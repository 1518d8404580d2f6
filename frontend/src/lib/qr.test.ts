import { describe, expect, it } from "vitest";
import { qrDrawing, qrModules } from "./qr";

const PAYLOAD = "TK1.eyJ0IjoiYXVyb3JhIiwiayI6MX0.c2lnbmF0dXJl";

/** Paints the path's rectangles back into a grid, to compare with the modules. */
function paint(path: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  for (const match of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, width] = [Number(match[1]), Number(match[2]), Number(match[3])];
    for (let i = 0; i < width; i++) grid[y][x + i] = true;
  }
  return grid;
}

describe("qr codes", () => {
  it("draw exactly the code's dark modules, inside a quiet zone of four", () => {
    const modules = qrModules(PAYLOAD);
    const drawing = qrDrawing(PAYLOAD);
    expect(drawing.size).toBe(modules.length + 8);
    const painted = paint(drawing.path, drawing.size);
    for (let row = 0; row < drawing.size; row++) {
      for (let column = 0; column < drawing.size; column++) {
        const inside = row >= 4 && column >= 4 && row < modules.length + 4 && column < modules.length + 4;
        const expected = inside ? modules[row - 4][column - 4] : false;
        expect(painted[row][column]).toBe(expected);
      }
    }
  });

  it("grows with the payload", () => {
    expect(qrModules("x").length).toBeLessThan(qrModules(PAYLOAD.repeat(5)).length);
  });

  it("has the three finder patterns", () => {
    const modules = qrModules(PAYLOAD);
    const n = modules.length;
    for (const [row, column] of [[0, 0], [0, n - 7], [n - 7, 0]]) {
      expect(modules[row][column]).toBe(true);
      expect(modules[row + 1][column + 1]).toBe(false);
      expect(modules[row + 3][column + 3]).toBe(true);
    }
  });
});
