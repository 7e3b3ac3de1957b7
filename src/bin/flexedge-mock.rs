//! The native mock upstream server (see `make mock`).

fn main() {}
