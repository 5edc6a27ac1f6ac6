// Delivery: headers and counters of the webhooks.
package main

// moved-here // lab: moved-here
