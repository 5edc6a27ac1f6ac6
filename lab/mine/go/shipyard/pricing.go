package main

import "fmt" // lab: r=3-4

// lab: moved-here
