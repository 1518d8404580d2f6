import { beforeEach, describe, expect, it } from "vitest";
import { admissionFor, describeWait, queueForget, queueLoad, queueSave, queueSocketUrl } from "./store";

class MemoryStorage {
  private items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe("the waiting room's memory", () => {
  beforeEach(() => {
    Object.defineProperty(globalThis, "localStorage", { value: new MemoryStorage(), configurable: true });
  });

  it("keeps the ticket across reloads and gives the admission only while it lasts", () => {
    queueSave(7, { ticket: "t1" });
    expect(queueLoad(7)?.ticket).toBe("t1");
    expect(admissionFor(7)).toBeNull();
    queueSave(7, { ticket: "t1", admission: "a1", expiresAt: "2030-01-01T00:00:00Z" });
    expect(admissionFor(7, Date.parse("2029-12-31T23:59:00Z"))).toBe("a1");
    expect(admissionFor(7, Date.parse("2030-01-01T00:00:01Z"))).toBeNull();
    queueForget(7);
    expect(queueLoad(7)).toBeNull();
  });

  it("words the wait and builds the socket's address", () => {
    expect(describeWait(0)).toBe("any moment now");
    expect(describeWait(12)).toBe("about 10 seconds");
    expect(describeWait(150)).toBe("about 3 minutes");
    expect(queueSocketUrl(3, "a:b", { protocol: "https:", host: "x.test" })).toBe("wss://x.test/ws/shows/3/queue/?ticket=a%3Ab");
  });
});
