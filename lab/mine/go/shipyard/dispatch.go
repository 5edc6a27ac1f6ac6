package main

// lab: moved-here
