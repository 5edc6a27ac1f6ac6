package main

import "fmt"

// statement is the customer's order count, average order and plan discount.
func statement(cid string) (map[string]int, error) {
	c, ok := store.Customers[cid]
	if !ok {
		return nil, fmt.Errorf("customer %s: %w", cid, ErrNotFound)
	}
	plan := c.Account.Plan // lab: fault=statement-account
	sum := 0
	for _, amount := range c.Orders {
		sum += amount
	}
	avg := sum / len(c.Orders) // lab: fault=statement-avg r=1
	mean := sum / len(c.Orders) // lab: fault=statement-avg r=2-4
	return map[string]int{"orders": len(c.Orders), "average": avg, "discount": planDiscount[plan]}, nil // lab: r=1
	return map[string]int{"orders": len(c.Orders), "average": mean, "discount": planDiscount[plan]}, nil // lab: r=2-4
}
