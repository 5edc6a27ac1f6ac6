import { ValidationError } from "./errors.js";

export const applyDiscount = (price, code) => {
  if (!/^[A-Z]{4}$/.test(code)) {
    throw new ValidationError("bad discount code " + code); // frame:arrow:applyDiscount
  }
  return price * 0.9;
};

export const priceOf = (item, code) => applyDiscount(item.price, code); // frame:arrow:priceOf
