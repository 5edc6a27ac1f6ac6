import { Inventory, lookupStock } from "./inventory.js";
import { priceOf } from "./pricing.js";

const inventory = new Inventory([{ sku: "A1", price: 10 }]);

export const handlers = {
  stock(request) {
    return lookupStock(inventory, request.sku); // frame:object:handlers.stock
  },
  price: function (request) {
    return priceOf(inventory.find("A1"), request.code); // frame:object:handlers.price
  },
  total(request) {
    return request.items.reduce((sum, item) => sum + item.price, 0).toFixed(); // frame:object:handlers.total
  },
};
