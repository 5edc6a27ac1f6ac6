// __PADDING__
export function averagePrice(items) {
  const total = items.reduce((sum, item) => sum + item.price, 0);
  if (items.length === 0) {
    throw new Error("cart is empty: cannot average " + total);
  }
  return total / items.length;
}

export function checkout(items) {
  const average = averagePrice(items);
  return { average, items: items.length };
}
