import { NotFoundError } from "./errors.js";

export class Inventory {
  constructor(items) {
    this.items = new Map(items.map((item) => [item.sku, item]));
  }

  find(sku) {
    const item = this.items.get(sku);
    if (!item) {
      throw new NotFoundError("no such sku: " + sku); // frame:method:Inventory.find
    }
    return item;
  }

  reserve(sku, count) {
    const item = this.find(sku); // frame:method:Inventory.reserve
    return { sku: item.sku, count };
  }
}

export function lookupStock(inventory, sku) {
  return inventory.reserve(sku, 1); // frame:function:lookupStock
}
